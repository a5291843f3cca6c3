#include "ui/promptcompleter.h"

#include <QKeyEvent>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QRegularExpression>

#include <algorithm>

namespace lienzo::ui {

PromptCompleter::Context PromptCompleter::contextBefore(const QString& textBeforeCursor) {
  static const QRegularExpression lora(QStringLiteral("<(?:lora|lyco):([^:<>]*)$"),
                                       QRegularExpression::CaseInsensitiveOption);
  static const QRegularExpression word(QStringLiteral("(?:^|[^\\w\\-.:<])([\\w\\-.]{2,})$"));
  if (const auto m = lora.match(textBeforeCursor); m.hasMatch()) {
    return {Kind::Lora, m.captured(1)};
  }
  if (const auto m = word.match(textBeforeCursor); m.hasMatch()) {
    return {Kind::Word, m.captured(1)};
  }
  return {};
}

PromptCompleter::PromptCompleter(QPlainTextEdit* edit)
    : QObject(edit), m_edit(edit), m_popup(new QListWidget(edit)) {
  // A tool-tip window: shown without taking the focus, so typing goes on in the prompt box.
  m_popup->setObjectName(QStringLiteral("promptCompletions"));
  m_popup->setWindowFlags(Qt::ToolTip | Qt::FramelessWindowHint);
  m_popup->setAttribute(Qt::WA_ShowWithoutActivating);
  m_popup->setFocusPolicy(Qt::NoFocus);
  m_popup->setUniformItemSizes(true);
  m_popup->hide();
  connect(m_popup, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { insert(item->text()); });
  m_edit->installEventFilter(this);
  connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
    if (m_typing) update();
  });
}

void PromptCompleter::setNames(const QStringList& loras, const QStringList& embeddings) {
  m_loras = loras;
  m_embeddings = embeddings;
  m_loras.sort(Qt::CaseInsensitive);
  m_embeddings.sort(Qt::CaseInsensitive);
}

QStringList PromptCompleter::offered() const {
  QStringList out;
  if (!m_popup->isVisible()) return out;
  for (int i = 0; i < m_popup->count(); ++i) out << m_popup->item(i)->text();
  return out;
}

void PromptCompleter::update() {
  const QString before = m_edit->toPlainText().left(m_edit->textCursor().position());
  m_context = contextBefore(before);
  const QStringList& names = m_context.kind == Kind::Lora   ? m_loras
                             : m_context.kind == Kind::Word ? m_embeddings
                                                            : QStringList();
  // Names that start with the prefix first, then names that contain it.
  QStringList starts, contains;
  for (const QString& name : names) {
    if (name.startsWith(m_context.prefix, Qt::CaseInsensitive)) {
      starts << name;
    } else if (m_context.kind == Kind::Lora &&
               name.contains(m_context.prefix, Qt::CaseInsensitive)) {
      contains << name;
    }
  }
  QStringList matches = starts + contains;
  if (matches.size() > kMaxOffered) matches = matches.mid(0, kMaxOffered);
  const bool typedInFull =
      matches.size() == 1 && matches.front() == m_context.prefix && m_context.kind == Kind::Word;
  if (matches.isEmpty() || typedInFull) {
    m_popup->hide();
    return;
  }
  m_popup->clear();
  m_popup->addItems(matches);
  m_popup->setCurrentRow(0);
  const int rows = std::min(static_cast<int>(matches.size()), 8);
  const int width = std::max(160, m_popup->sizeHintForColumn(0) + 24);
  m_popup->resize(width, rows * m_popup->sizeHintForRow(0) + 2 * m_popup->frameWidth());
  const QRect cursor = m_edit->cursorRect();
  m_popup->move(m_edit->viewport()->mapToGlobal(cursor.bottomLeft() + QPoint(0, 2)));
  m_popup->show();
}

void PromptCompleter::insert(const QString& name) {
  QTextCursor cursor = m_edit->textCursor();
  const int typed = static_cast<int>(m_context.prefix.size());
  QString text = name;
  if (m_context.kind == Kind::Lora) {
    // Close the tag unless the text after the cursor already goes on with it.
    const QString after = m_edit->toPlainText().mid(cursor.position());
    if (!after.startsWith(QLatin1Char(':')) && !after.startsWith(QLatin1Char('>'))) {
      text += QStringLiteral(":1>");
    }
  }
  cursor.beginEditBlock();
  cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, typed);
  cursor.insertText(text);
  cursor.endEditBlock();
  m_edit->setTextCursor(cursor);
  m_popup->hide();
  m_context = {};
}

bool PromptCompleter::eventFilter(QObject* watched, QEvent* event) {
  if (watched != m_edit) return QObject::eventFilter(watched, event);
  if (event->type() == QEvent::KeyPress) {
    const auto* key = static_cast<QKeyEvent*>(event);
    if (m_popup->isVisible()) {
      switch (key->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
          if (m_popup->currentItem()) insert(m_popup->currentItem()->text());
          return true;
        case Qt::Key_Escape:
          m_popup->hide();
          return true;
        case Qt::Key_Up:
          m_popup->setCurrentRow(std::max(0, m_popup->currentRow() - 1));
          return true;
        case Qt::Key_Down:
          m_popup->setCurrentRow(std::min(m_popup->count() - 1, m_popup->currentRow() + 1));
          return true;
        default:
          break;
      }
    }
    // The edit handles the key after this filter; its textChanged then updates the popup.
    m_typing = !key->text().isEmpty() || key->key() == Qt::Key_Backspace;
  } else if (event->type() == QEvent::KeyRelease) {
    m_typing = false;
  } else if (event->type() == QEvent::FocusOut || event->type() == QEvent::Hide) {
    m_popup->hide();
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace lienzo::ui
