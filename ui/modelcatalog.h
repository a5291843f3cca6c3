// The models the picker offers: the built-in model first, then every checkpoint the user added
// ("Add model…": a .safetensors file, or a folder scanned for them), remembered across runs, and
// the loadable checkpoints of the model library (setLibrary), grouped by family (group()).
//
// Contract: UI thread; persists the user's sources in QSettings ("models/sources"). Folders are
// rescanned on load, so new files dropped into them appear at the next start. The library's
// entries are copied in; the catalog keeps no pointer into it.
#pragma once

#include <QString>
#include <QStringList>

#include <vector>

#include "core/io/checkpoint_family.h"

namespace lienzo {
class ModelLibrary;
}

namespace lienzo::ui {

struct ModelEntry {
  QString name;  ///< shown in the picker
  QString path;  ///< checkpoint file or diffusers-style folder; empty when not installed
  bool builtin = false;
  ModelFamily family = ModelFamily::Unknown;  ///< from the library; Unknown when not scanned
};

/// The picker's groups, in the order they are shown.
enum class ModelGroup { Builtin, SD1, SD2, SDXL, SD3, Flux, Other };

class ModelCatalog {
 public:
  /// Reads the sources from QSettings and scans them.
  ModelCatalog();

  const std::vector<ModelEntry>& entries() const { return m_entries; }
  /// Index of the entry with `path`, or -1.
  int indexOf(const QString& path) const;

  /// Adds a .safetensors / .gguf file or a folder (scanned for such files and folders holding a
  /// model_index.json, two levels deep). Returns how many models were new; persists the source.
  int addSource(const QString& path);
  QStringList sources() const { return m_sources; }

  /// Where the built-in model is installed, or empty when it is not (lienzo::findBuiltinModel).
  static QString builtinModelPath();
  static QStringList scanFolder(const QString& folder);

  /// Adds the library's loadable checkpoints (replacing the previous library's) and gives the
  /// user's own entries the family the library found for them.
  void setLibrary(const ModelLibrary& library);
  static ModelGroup group(const ModelEntry& entry);
  static QString groupName(ModelGroup group);

 private:
  void rebuild();

  QStringList m_sources;
  std::vector<ModelEntry> m_entries;
  std::vector<ModelEntry> m_library;  ///< the library's checkpoints
};

}  // namespace lienzo::ui
