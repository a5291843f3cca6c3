#include "ui/modelcatalog.h"

#include "core/library/model_library.h"
#include "core/pipeline/pipeline.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSettings>

#include <algorithm>

namespace lienzo::ui {

/// Translation context for the catalog's entry names.
class ModelCatalogText {
  Q_DECLARE_TR_FUNCTIONS(ModelCatalog)
};

namespace {
const QString kSourcesKey = QStringLiteral("models/sources");

bool isDiffusersFolder(const QString& dir) {
  return QFileInfo::exists(QDir(dir).filePath(QStringLiteral("model_index.json")));
}
}  // namespace

ModelCatalog::ModelCatalog() {
  m_sources = QSettings().value(kSourcesKey).toStringList();
  rebuild();
}

int ModelCatalog::indexOf(const QString& path) const {
  for (size_t i = 0; i < m_entries.size(); ++i) {
    if (!path.isEmpty() && m_entries[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

int ModelCatalog::addSource(const QString& path) {
  const QString clean = QFileInfo(path).absoluteFilePath();
  const size_t before = m_entries.size();
  if (!m_sources.contains(clean)) {
    m_sources << clean;
    QSettings().setValue(kSourcesKey, m_sources);
  }
  rebuild();
  return static_cast<int>(m_entries.size() - before);
}

QString ModelCatalog::builtinModelPath() {
  const auto path = findBuiltinModel();
  return path.empty() ? QString() : QString::fromStdString(path.string());
}

QStringList ModelCatalog::scanFolder(const QString& folder) {
  QStringList out;
  if (isDiffusersFolder(folder)) return {QFileInfo(folder).absoluteFilePath()};
  const QDir root(folder);
  const QString rootPath = root.absolutePath();
  QDirIterator it(folder, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    const QFileInfo info = it.fileInfo();
    // Two levels deep is enough for model folders and keeps a scan of $HOME bounded.
    if (QDir(rootPath).relativeFilePath(path).count(QLatin1Char('/')) > 1) continue;
    const bool weights =
        info.suffix().compare(QStringLiteral("safetensors"), Qt::CaseInsensitive) == 0 ||
        info.suffix().compare(QStringLiteral("gguf"), Qt::CaseInsensitive) == 0;
    if (info.isFile() && weights) {
      // Parts of a diffusers folder are not models on their own.
      if (!isDiffusersFolder(info.dir().absolutePath()) &&
          !isDiffusersFolder(QFileInfo(info.dir().absolutePath()).dir().absolutePath())) {
        out << info.absoluteFilePath();
      }
    } else if (info.isDir() && isDiffusersFolder(path)) {
      out << info.absoluteFilePath();
    }
  }
  out.sort();
  return out;
}

void ModelCatalog::rebuild() {
  m_entries.clear();
  const QString builtin = builtinModelPath();
  m_entries.push_back({builtin.isEmpty() ? ModelCatalogText::tr("Built-in model (not installed)")
                                         : ModelCatalogText::tr("Built-in model"),
                       builtin, true});
  QStringList paths;
  for (const QString& source : m_sources) {
    const QFileInfo info(source);
    if (info.isDir()) {
      paths << scanFolder(source);
    } else if (info.isFile()) {
      paths << info.absoluteFilePath();
    }
  }
  paths.removeDuplicates();
  std::vector<ModelEntry> added;
  for (const QString& path : paths) {
    if (path == builtin) continue;
    const QFileInfo info(path);
    added.push_back({info.isDir() ? info.fileName() : info.completeBaseName(), path, false});
  }
  for (const ModelEntry& e : m_library) {
    const bool known = std::any_of(added.begin(), added.end(),
                                   [&](const ModelEntry& a) { return a.path == e.path; });
    if (known) {
      for (ModelEntry& a : added) {
        if (a.path == e.path) a.family = e.family;
      }
    } else if (e.path != builtin) {
      added.push_back(e);
    }
  }
  // By group, then by name: the picker shows one heading per group.
  std::stable_sort(added.begin(), added.end(), [](const ModelEntry& a, const ModelEntry& b) {
    const auto ga = group(a), gb = group(b);
    if (ga != gb) return ga < gb;
    return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
  });
  m_entries.front().family = ModelFamily::LienzoBuiltin;
  m_entries.insert(m_entries.end(), added.begin(), added.end());
}

void ModelCatalog::setLibrary(const ModelLibrary& library) {
  m_library.clear();
  for (const LibraryEntry* e : library.list(ModelCategory::Checkpoint)) {
    if (!e->loadable) continue;
    ModelEntry entry;
    entry.name = QString::fromStdString(e->name);
    entry.path = QString::fromStdString(e->path.string());
    entry.family = e->family.family;
    m_library.push_back(entry);
  }
  rebuild();
}

ModelGroup ModelCatalog::group(const ModelEntry& entry) {
  if (entry.builtin) return ModelGroup::Builtin;
  switch (entry.family) {
    case ModelFamily::SD1:
      return ModelGroup::SD1;
    case ModelFamily::SD2:
      return ModelGroup::SD2;
    case ModelFamily::SDXL:
    case ModelFamily::SDXLRefiner:
      return ModelGroup::SDXL;
    case ModelFamily::SD3:
      return ModelGroup::SD3;
    case ModelFamily::Flux:
      return ModelGroup::Flux;
    case ModelFamily::LienzoBuiltin:
      return ModelGroup::Builtin;
    default:
      return ModelGroup::Other;
  }
}

QString ModelCatalog::groupName(ModelGroup group) {
  switch (group) {
    case ModelGroup::Builtin:
      return ModelCatalogText::tr("Built-in");
    case ModelGroup::SD1:
      return QStringLiteral("SD 1.x");
    case ModelGroup::SD2:
      return QStringLiteral("SD 2.x");
    case ModelGroup::SDXL:
      return QStringLiteral("SDXL");
    case ModelGroup::SD3:
      return QStringLiteral("SD 3.x");
    case ModelGroup::Flux:
      return QStringLiteral("Flux.1");
    case ModelGroup::Other:
      break;
  }
  return ModelCatalogText::tr("Other");
}

}  // namespace lienzo::ui
