// Preferences, in two pages: "General" (gallery folder, interface language, per-step previews
// and how they are made — linear, TAESD, the full VAE every N steps — a TAESD file or folder and
// the TAESD fast decode; QSettings, written by save() on accept; the language applies at the next
// start) and "Model library" (LibraryPage: the library's roots, written to the library settings
// file).
#pragma once

#include <QDialog>

#include <filesystem>

#include "core/pipeline/pipeline.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class QTabWidget;

namespace lienzo::ui {

class LibraryPage;

/// The QSettings keys the studio reads (one place, so tests and code agree).
struct SettingsKeys {
  static QString galleryFolder() { return QStringLiteral("gallery/folder"); }
  /// The queue's journal folder (QueueJournal; default QueueJournal::defaultFolder()).
  static QString queueJournal() { return QStringLiteral("queue/journal"); }
  static QString language() { return QStringLiteral("ui/language"); }  ///< "", "en", "es"
  static QString previews() { return QStringLiteral("generation/previews"); }
  /// "linear" (default), "taesd", "vae"
  static QString previewMethod() { return QStringLiteral("generation/previewMethod"); }
  static QString previewVaeEvery() { return QStringLiteral("generation/previewVaeEvery"); }
  static QString taesdPath() { return QStringLiteral("generation/taesdPath"); }  ///< "" = library
  static QString fastDecode() { return QStringLiteral("generation/fastDecode"); }
  /// Share of sampling time TAESD previews may take (PreviewParams::taesdBudget, 0.05; 0 = every
  /// step). Not in the dialog: for tests and people who edit the settings file.
  static QString taesdBudget() { return QStringLiteral("generation/taesdBudget"); }
};

/// The preview settings of QSettings applied to `params` (previews, preview, fastDecode).
void applyPreviewSettings(GenerationParams& params);

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
  PreviewMethod previewMethod() const;
  int previewVaeEvery() const;
  QString taesdPath() const;
  bool fastDecode() const;

 private:
  QLineEdit* m_folder;
  QComboBox* m_language;
  QCheckBox* m_previews;
  QComboBox* m_previewMethod;
  QSpinBox* m_vaeEvery;
  QLineEdit* m_taesd;
  QCheckBox* m_fastDecode;
  QTabWidget* m_pages;
  LibraryPage* m_library;
};

}  // namespace lienzo::ui
