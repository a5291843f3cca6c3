#include "ui/messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace lienzo::ui {

MessageBar::MessageBar(QWidget* parent)
    : QFrame(parent),
      m_icon(new QLabel(this)),
      m_text(new QLabel(this)),
      m_close(new QToolButton(this)) {
  setObjectName(QStringLiteral("MessageBar"));
  setFrameShape(QFrame::StyledPanel);
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  m_close->setAutoRaise(true);
  m_close->setToolTip(tr("Dismiss"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 4, 4);
  layout->addWidget(m_icon);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_close, 0, Qt::AlignTop);
  m_autoHide.setSingleShot(true);
  m_autoHide.setInterval(6000);
  connect(&m_autoHide, &QTimer::timeout, this, &MessageBar::dismiss);
  connect(m_close, &QToolButton::clicked, this, &MessageBar::dismiss);
  hide();
}

void MessageBar::showMessage(Level level, const QString& text) {
  m_level = level;
  m_text->setText(text);
  QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
  QString colors = QStringLiteral("background:#25476a; color:#ffffff;");
  if (level == Level::Warning) {
    icon = QStyle::SP_MessageBoxWarning;
    colors = QStringLiteral("background:#6a5a1e; color:#ffffff;");
  } else if (level == Level::Error) {
    icon = QStyle::SP_MessageBoxCritical;
    colors = QStringLiteral("background:#7a2626; color:#ffffff;");
  }
  setStyleSheet(QStringLiteral("#MessageBar {") + colors +
                QStringLiteral(" border-radius:4px;} #MessageBar QLabel {color:#ffffff;}"));
  m_icon->setPixmap(style()->standardIcon(icon).pixmap(20, 20));
  show();
  if (level == Level::Info) {
    m_autoHide.start();
  } else {
    m_autoHide.stop();
  }
}

void MessageBar::dismiss() {
  m_autoHide.stop();
  hide();
}

QString MessageBar::text() const {
  return m_text->text();
}

}  // namespace lienzo::ui
