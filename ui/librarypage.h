// The "Model library" page of the settings: the roots the library scans (an A1111 install, a
// ComfyUI install, or a plain folder with the category of its files), added and removed in
// place. Files are never copied: only the list of roots is stored.
//
// Contract: UI thread. Reads LibrarySettings from `file` when built; when that file cannot be
// read the page says so and save() refuses to write over it (the user's roots are never dropped
// silently). save() writes atomically and returns false with a message on failure.
#pragma once

#include <QWidget>

#include <filesystem>

#include "core/library/library_settings.h"

class QComboBox;
class QLabel;
class QTreeWidget;

namespace lienzo::ui {

class LibraryPage : public QWidget {
  Q_OBJECT

 public:
  explicit LibraryPage(std::filesystem::path file, QWidget* parent = nullptr);

  const LibrarySettings& settings() const { return m_settings; }
  /// Adds a root (false when it is listed already). The buttons call it after a folder dialog.
  bool addRoot(const LibraryRoot& root);
  void removeSelected();
  /// True when the roots differ from the ones read at the start.
  bool changed() const { return m_settings.roots != m_original; }
  /// Writes the settings; false (and `error`) when it cannot.
  bool save(QString* error) const;

  static QString kindLabel(RootKind kind);
  static QString categoryLabel(std::optional<ModelCategory> category);

 signals:
  void rescanRequested();

 private:
  void addWithDialog(RootKind kind);
  void refresh();

  std::filesystem::path m_file;
  LibrarySettings m_settings;
  std::vector<LibraryRoot> m_original;
  bool m_loadFailed = false;
  QTreeWidget* m_roots;
  QComboBox* m_category;
  QLabel* m_status;
};

}  // namespace lienzo::ui
