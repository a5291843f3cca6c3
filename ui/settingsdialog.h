// Preferences, in two pages: "General" (gallery folder, interface language, per-step previews;
// QSettings, written by save() on accept; the language applies at the next start) and "Model
// library" (LibraryPage: the library's roots, written to the library settings file).
#pragma once

#include <QDialog>

#include <filesystem>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTabWidget;

namespace lienzo::ui {

class LibraryPage;

/// The QSettings keys the studio reads (one place, so tests and code agree).
struct SettingsKeys {
  static QString galleryFolder() { return QStringLiteral("gallery/folder"); }
  static QString language() { return QStringLiteral("ui/language"); }  ///< "", "en", "es"
  static QString previews() { return QStringLiteral("generation/previews"); }
};

class SettingsDialog : public QDialog {
  Q_OBJECT

 public:
  /// `libraryFile`: the library settings (LibrarySettings::defaultFile() in the studio).
  explicit SettingsDialog(QWidget* parent = nullptr, std::filesystem::path libraryFile = {});

  /// Writes the dialog's values to QSettings.
  void save() const;

  LibraryPage* libraryPage() const { return m_library; }
  QTabWidget* pages() const { return m_pages; }

  QString galleryFolder() const;
  QString language() const;
  bool previews() const;

 private:
  QLineEdit* m_folder;
  QComboBox* m_language;
  QCheckBox* m_previews;
  QTabWidget* m_pages;
  LibraryPage* m_library;
};

}  // namespace lienzo::ui
