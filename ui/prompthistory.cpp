#include "ui/prompthistory.h"

#include <QSettings>

namespace lienzo::ui {

PromptHistory::PromptHistory(const QString& settingsKey)
    : m_key(settingsKey), m_entries(QSettings().value(settingsKey).toStringList()) {}

void PromptHistory::add(const QString& prompt) {
  if (prompt.trimmed().isEmpty()) return;
  m_entries.removeAll(prompt);
  m_entries.prepend(prompt);
  while (m_entries.size() > kMaxEntries) m_entries.removeLast();
  save();
}

void PromptHistory::clear() {
  m_entries.clear();
  save();
}

void PromptHistory::save() const {
  QSettings().setValue(m_key, m_entries);
}

}  // namespace lienzo::ui
