#include "ui/libraryscanner.h"

#include <QImageReader>

#include <algorithm>
#include <exception>
#include <set>

namespace lienzo::ui {

namespace {

/// A thumbnail of `path` no larger than kThumbnailSize (null when unreadable).
QImage readThumbnail(const QString& path) {
  QImageReader reader(path);
  const QSize size = reader.size();
  const int side = LibrarySnapshot::kThumbnailSize;
  if (size.isValid() && (size.width() > side || size.height() > side)) {
    reader.setScaledSize(size.scaled(side, side, Qt::KeepAspectRatio));
  }
  QImage image = reader.read();
  if (!image.isNull() && (image.width() > side || image.height() > side)) {
    image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  }
  return image;
}

void addFolder(std::vector<std::filesystem::path>& out, const std::filesystem::path& folder) {
  if (std::find(out.begin(), out.end(), folder) == out.end()) out.push_back(folder);
}

/// The core searches folders recursively: a file under a listed folder needs no folder of its own.
void addParentOf(std::vector<std::filesystem::path>& out, const std::filesystem::path& file) {
  const std::string path = file.string();
  for (const auto& folder : out) {
    const std::string prefix = folder.string() + "/";
    if (path.compare(0, prefix.size(), prefix) == 0) return;
  }
  out.push_back(file.parent_path());
}

}  // namespace

LibraryFolders networkFolders(const LibrarySnapshot& snapshot) {
  LibraryFolders out;
  for (const LibraryFolder& folder : snapshot.folders) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder.path, ec)) continue;  // a missing root
    if (folder.category == ModelCategory::Lora) addFolder(out.loras, folder.path);
    if (folder.category == ModelCategory::Embedding) addFolder(out.embeddings, folder.path);
    if (folder.category == ModelCategory::VaeApprox) addFolder(out.vaeApprox, folder.path);
    if (folder.category == ModelCategory::ControlNet) addFolder(out.controlnets, folder.path);
  }
  // Per-file folders (plain roots without a category): the folders their LoRAs lie in.
  for (const LibraryEntry* e : snapshot.library->list(ModelCategory::Lora)) {
    addParentOf(out.loras, e->path);
  }
  for (const LibraryEntry* e : snapshot.library->list(ModelCategory::Embedding)) {
    addParentOf(out.embeddings, e->path);
  }
  for (const LibraryEntry* e : snapshot.library->list(ModelCategory::VaeApprox)) {
    addParentOf(out.vaeApprox, e->path);
  }
  for (const LibraryEntry* e : snapshot.library->list(ModelCategory::ControlNet)) {
    addParentOf(out.controlnets, e->path);
  }
  return out;
}

LibraryScanner::LibraryScanner(QObject* parent) : QObject(parent) {
  m_thread.setObjectName(QStringLiteral("lienzo-library"));
  m_context = new QObject;
  m_context->moveToThread(&m_thread);
  m_thread.start();
}

LibraryScanner::~LibraryScanner() {
  shutdown();
}

void LibraryScanner::shutdown() {
  if (m_shutDown) return;
  m_shutDown = true;
  if (m_cancel) m_cancel->store(true);
  m_thread.quit();
  m_thread.wait();
  delete m_context;  // its thread has stopped
  m_context = nullptr;
}

void LibraryScanner::rescan(std::vector<LibraryRoot> roots) {
  if (m_shutDown) return;
  if (m_cancel) m_cancel->store(true);
  m_cancel = std::make_shared<std::atomic<bool>>(false);
  const quint64 generation = ++m_generation;
  m_scanning = true;
  emit scanStarted();
  QMetaObject::invokeMethod(
      m_context,
      [this, generation, roots = std::move(roots), cancel = m_cancel] {
        // Worker thread. Results go back as queued calls with `this` as context: dropped if the
        // scanner is gone (it waits for this thread before it goes, so `this` is valid here).
        QStringList warnings;
        std::unique_ptr<HashCache> cache;
        try {
          cache = std::make_unique<HashCache>(HashCache::defaultFile());
          if (auto warning = cache->load()) warnings << QString::fromStdString(*warning);
        } catch (const std::exception& e) {
          cache = std::make_unique<HashCache>(std::filesystem::path());
          warnings << QString::fromStdString(e.what());
        }
        auto run = [&](bool hash) {
          auto snapshot = std::make_shared<LibrarySnapshot>();
          ScanReport report;
          ScanOptions options;
          options.hash = hash;
          options.cancel = cancel.get();
          int last = -1;
          if (hash) {
            options.progress = [&](const LibraryEntry& entry, std::size_t index,
                                   std::size_t total) {
              // Throttled: a library of thousands of files would flood the UI thread.
              const int done = static_cast<int>(index) + 1;
              if (done - last < 16 && done != static_cast<int>(total)) return;
              last = done;
              QMetaObject::invokeMethod(
                  this,
                  [this, generation, done, total = static_cast<int>(total),
                   name = QString::fromStdString(entry.path.filename().string())] {
                    if (generation == m_generation) emit progress(done, total, name);
                  },
                  Qt::QueuedConnection);
            };
          }
          auto library =
              std::make_shared<ModelLibrary>(ModelLibrary::scan(roots, *cache, report, options));
          for (const LibraryEntry& e : library->entries()) {
            if (e.preview.empty()) continue;
            const QString path = QString::fromStdString(e.preview.string());
            if (snapshot->thumbnails.contains(path)) continue;
            const QImage thumb = readThumbnail(path);
            if (!thumb.isNull()) snapshot->thumbnails.insert(path, thumb);
          }
          snapshot->library = std::move(library);
          snapshot->folders = report.folders;
          snapshot->hashed = hash;
          return std::make_pair(std::shared_ptr<const LibrarySnapshot>(std::move(snapshot)),
                                report);
        };
        auto quick = run(false);
        if (!cancel->load()) {
          QMetaObject::invokeMethod(
              this, [this, generation, s = quick.first] { publish(generation, s); },
              Qt::QueuedConnection);
        }
        auto full = cancel->load() ? quick : run(true);
        const ScanReport& report = full.second;
        for (const auto& missing : report.missingFolders) {
          warnings << tr("The library folder %1 does not exist.")
                          .arg(QString::fromStdString(missing.string()));
        }
        for (const std::string& w : report.warnings) warnings << QString::fromStdString(w);
        if (!cache->file().empty()) {
          try {
            cache->save();
          } catch (const std::exception& e) {
            warnings << QString::fromStdString(e.what());
          }
        }
        const bool cancelled = cancel->load() || report.cancelled;
        QMetaObject::invokeMethod(
            this,
            [this, generation, s = full.first, warnings, cancelled] {
              if (!cancelled) publish(generation, s);
              finish(generation, warnings, cancelled);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void LibraryScanner::publish(quint64 generation, std::shared_ptr<const LibrarySnapshot> snapshot) {
  if (generation != m_generation || m_shutDown) return;
  m_snapshot = std::move(snapshot);
  emit libraryChanged();
}

void LibraryScanner::finish(quint64 generation, const QStringList& warnings, bool cancelled) {
  if (generation != m_generation || m_shutDown) return;
  m_scanning = false;
  emit scanFinished(warnings, cancelled);
}

}  // namespace lienzo::ui
