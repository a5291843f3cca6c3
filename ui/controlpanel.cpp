#include "ui/controlpanel.h"

#include <QEvent>
#include <QFileInfo>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/gallerystore.h"
#include "ui/imageconvert.h"

namespace lienzo::ui {

namespace {
constexpr int kMinBodyHeight = 180;  ///< px the slots keep when space is short

/// Asks for the slots' whole height (QScrollArea's own hint stops at 24 lines).
class SlotScroll : public QScrollArea {
 public:
  using QScrollArea::QScrollArea;
  QSize sizeHint() const override {
    const int body = widget() ? widget()->sizeHint().height() : 0;
    return QSize(QScrollArea::sizeHint().width(), body + 2 * frameWidth());
  }
};
}  // namespace

ControlPanel::ControlPanel(const ControlPictureSources& sources, QWidget* parent)
    : QWidget(parent), m_sources(sources) {
  setObjectName(QStringLiteral("controlSection"));
  m_header = new QToolButton(this);
  m_header->setObjectName(QStringLiteral("controlHeader"));
  m_header->setCheckable(true);
  m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_header->setAutoRaise(true);
  m_header->setToolTip(
      tr("Show or hide the ControlNet slots: a sketch, edge map or tile that "
         "steers the composition"));
  m_header->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

  m_body = new QWidget(this);
  auto* bodyLayout = new QVBoxLayout(m_body);
  bodyLayout->setContentsMargins(0, 0, 0, 0);
  bodyLayout->setSpacing(4);
  m_slotLayout = new QVBoxLayout;
  m_slotLayout->setSpacing(4);
  bodyLayout->addLayout(m_slotLayout);
  auto* add = new QPushButton(tr("Add ControlNet"), m_body);
  add->setObjectName(QStringLiteral("controlAdd"));
  add->setToolTip(tr("Add a ControlNet slot (several are summed)"));
  bodyLayout->addWidget(add);
  bodyLayout->addStretch(1);
  m_scroll = new SlotScroll(this);
  m_scroll->setWidgetResizable(true);
  m_scroll->setFrameShape(QFrame::NoFrame);
  m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_scroll->setWidget(m_body);
  m_body->installEventFilter(this);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(m_header);
  layout->addWidget(m_scroll);

  connect(add, &QPushButton::clicked, this, [this] { addSlot(); });
  connect(m_header, &QToolButton::toggled, this, &ControlPanel::setExpanded);
  setExpanded(false);
}

bool ControlPanel::isExpanded() const {
  return m_header->isChecked();
}

void ControlPanel::setExpanded(bool on) {
  const QSignalBlocker block(m_header);
  m_header->setChecked(on);
  m_header->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
  m_scroll->setVisible(on);
  updateHeader();
}

ControlSlot* ControlPanel::addSlot() {
  auto* slot = new ControlSlot(m_sources, m_body);
  slot->setObjectName(QStringLiteral("controlSlot"));
  slot->setModels(m_models);
  m_slots << slot;
  m_slotLayout->addWidget(slot);
  connect(slot, &ControlSlot::removeRequested, this, [this, slot] { removeSlot(slot); });
  connect(slot, &ControlSlot::errorOccurred, this, &ControlPanel::errorOccurred);
  renumber();
  setExpanded(true);
  return slot;
}

void ControlPanel::removeSlot(ControlSlot* slot) {
  if (!m_slots.removeOne(slot)) return;
  slot->hide();
  slot->deleteLater();
  renumber();
}

void ControlPanel::renumber() {
  for (int i = 0; i < m_slots.size(); ++i) m_slots[i]->setIndex(i);
  fitBody();
  updateHeader();
}

void ControlPanel::fitBody() {
  // The scroll area asks for the slots' height (its size hint) and gives way down to
  // kMinBodyHeight when the column is short (a small screen): then the slots scroll.
  const int body = m_body->sizeHint().height() + 2 * m_scroll->frameWidth();
  m_scroll->setMinimumHeight(std::min(body, kMinBodyHeight));
  m_scroll->setMaximumHeight(body);  // spare room goes to the prompts
  m_scroll->updateGeometry();
}

bool ControlPanel::eventFilter(QObject* watched, QEvent* event) {
  // A slot showing or hiding its knobs changes the body's size hint.
  if (watched == m_body && event->type() == QEvent::LayoutRequest)
    QMetaObject::invokeMethod(this, &ControlPanel::fitBody, Qt::QueuedConnection);
  return QWidget::eventFilter(watched, event);
}

void ControlPanel::updateHeader() {
  m_header->setText(m_slots.isEmpty() ? tr("ControlNet")
                                      : tr("ControlNet (%1)").arg(m_slots.size()));
}

void ControlPanel::setModels(const QStringList& names) {
  m_models = names;
  for (ControlSlot* slot : m_slots) slot->setModels(names);
}

bool ControlPanel::applyTo(GenerationParams& params, QString* error) const {
  params.controls.clear();
  for (int i = 0; i < m_slots.size(); ++i) {
    const ControlSlot* slot = m_slots[i];
    if (!slot->isChecked()) continue;
    ControlUnit unit = slot->unit();
    const QString who = tr("ControlNet %1").arg(i + 1);
    const QString model = QString::fromStdString(unit.model);
    QString problem;
    if (model.isEmpty()) {
      problem = tr("%1 has no model: choose one of your library's ControlNets.").arg(who);
    } else if (!m_models.contains(model) && !QFileInfo(model).isFile()) {
      problem = tr("%1: there is no ControlNet “%2” in your model library (nor a file of that "
                   "name). Add its folder in Settings ▸ Library, or choose another.")
                    .arg(who, model);
    } else if (unit.image.empty() && !params.edit.active()) {
      problem =
          tr("%1 has no picture: drop one on it, or take the gallery's or the canvas's.").arg(who);
    }
    if (!problem.isEmpty()) {
      if (error) *error = problem;
      params.controls.clear();
      return false;
    }
    params.controls.push_back(std::move(unit));
  }
  return true;
}

QStringList ControlPanel::restore(const std::vector<ControlUnit>& units, const QString& imagePath) {
  for (ControlSlot* slot : QList<ControlSlot*>(m_slots)) removeSlot(slot);
  QStringList notes;
  for (size_t i = 0; i < units.size(); ++i) {
    ControlUnit unit = units[i];
    if (unit.image.empty() && !imagePath.isEmpty())
      unit.image = toRgbImage(GalleryStore::loadControlPicture(imagePath, static_cast<int>(i)));
    notes << addSlot()->setUnit(unit);
    const QString model = QString::fromStdString(unit.model);
    if (!m_models.contains(model) && !QFileInfo(model).isFile())
      notes << tr("ControlNet %1: the model “%2” is not in your model library.")
                   .arg(static_cast<int>(i) + 1)
                   .arg(model);
  }
  setExpanded(!units.empty());
  return notes;
}

}  // namespace lienzo::ui
