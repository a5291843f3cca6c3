// Recent prompts, newest first, remembered across runs (QSettings "prompt/history"). UI thread.
#pragma once

#include <QString>
#include <QStringList>

namespace lienzo::ui {

class PromptHistory {
 public:
  static constexpr int kMaxEntries = 30;

  /// Loads the history saved under `settingsKey`.
  explicit PromptHistory(const QString& settingsKey = QStringLiteral("prompt/history"));

  QStringList entries() const { return m_entries; }
  /// Moves `prompt` to the front (blank prompts are ignored) and saves.
  void add(const QString& prompt);
  void clear();

 private:
  void save() const;

  QString m_key;
  QStringList m_entries;
};

}  // namespace lienzo::ui
