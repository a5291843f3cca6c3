// Preferences: gallery folder, interface language, per-step previews. Reads and writes
// QSettings on accept; the language applies at the next start.
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace lienzo::ui {

/// The QSettings keys the studio reads (one place, so tests and code agree).
struct SettingsKeys {
  static QString galleryFolder() { return QStringLiteral("gallery/folder"); }
  static QString language() { return QStringLiteral("ui/language"); }  ///< "", "en", "es"
  static QString previews() { return QStringLiteral("generation/previews"); }
};

class SettingsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit SettingsDialog(QWidget* parent = nullptr);

  /// Writes the dialog's values to QSettings.
  void save() const;

  QString galleryFolder() const;
  QString language() const;
  bool previews() const;

 private:
  QLineEdit* m_folder;
  QComboBox* m_language;
  QCheckBox* m_previews;
};

}  // namespace lienzo::ui
