#include "ui/modelcatalog.h"

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
    if (info.isFile() &&
        info.suffix().compare(QStringLiteral("safetensors"), Qt::CaseInsensitive) == 0) {
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
  std::sort(added.begin(), added.end(), [](const ModelEntry& a, const ModelEntry& b) {
    return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
  });
  m_entries.insert(m_entries.end(), added.begin(), added.end());
}

}  // namespace lienzo::ui
