// The models the picker offers: the built-in model first, then every checkpoint the user added
// ("Add model…": a .safetensors file, or a folder scanned for them), remembered across runs.
//
// Contract: UI thread; persists the user's sources in QSettings ("models/sources"). Folders are
// rescanned on load, so new files dropped into them appear at the next start.
#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace lienzo::ui {

struct ModelEntry {
  QString name;  ///< shown in the picker
  QString path;  ///< checkpoint file or diffusers-style folder; empty when not installed
  bool builtin = false;
};

class ModelCatalog {
 public:
  /// Reads the sources from QSettings and scans them.
  ModelCatalog();

  const std::vector<ModelEntry>& entries() const { return m_entries; }
  /// Index of the entry with `path`, or -1.
  int indexOf(const QString& path) const;

  /// Adds a .safetensors file or a folder (scanned for .safetensors files and folders holding a
  /// model_index.json, two levels deep). Returns how many models were new; persists the source.
  int addSource(const QString& path);
  QStringList sources() const { return m_sources; }

  /// Where the built-in model is installed, or empty when it is not (lienzo::findBuiltinModel).
  static QString builtinModelPath();
  static QStringList scanFolder(const QString& folder);

 private:
  void rebuild();

  QStringList m_sources;
  std::vector<ModelEntry> m_entries;
};

}  // namespace lienzo::ui
