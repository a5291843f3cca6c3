#include "ui/gallerymodel.h"

#include <QFileInfo>
#include <QImageReader>
#include <QPainter>
#include <QPixmap>
#include <QSet>

#include <algorithm>

namespace lienzo::ui {

GalleryModel::GalleryModel(const QString& folder, QObject* parent)
    : QAbstractListModel(parent), m_store(std::make_unique<GalleryStore>(folder)) {
  m_pool.setMaxThreadCount(1);
  m_placeholder.image = QImage(kThumbnailSize, kThumbnailSize, QImage::Format_RGB888);
  m_placeholder.image.fill(QColor(60, 60, 60));
  m_placeholder.icon = QIcon(QPixmap::fromImage(m_placeholder.image));
  m_refreshTimer.setSingleShot(true);
  m_refreshTimer.setInterval(250);
  connect(&m_refreshTimer, &QTimer::timeout, this, &GalleryModel::refresh);
  connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_refreshTimer,
          qOverload<>(&QTimer::start));
  reload();
}

GalleryModel::~GalleryModel() {
  m_pool.clear();
  m_pool.waitForDone();
}

QString GalleryModel::folder() const {
  return m_store->folder();
}

void GalleryModel::setFolder(const QString& folder) {
  m_store = std::make_unique<GalleryStore>(folder);
  reload();
}

void GalleryModel::reload() {
  beginResetModel();
  m_paths = m_store->scan();
  m_thumbnails.clear();
  endResetModel();
  watchFolder();
}

void GalleryModel::watchFolder() {
  if (!m_watcher.directories().isEmpty()) m_watcher.removePaths(m_watcher.directories());
  // A folder that does not exist yet is watched once the first save has made it (refresh()).
  if (QFileInfo::exists(m_store->folder())) m_watcher.addPath(m_store->folder());
}

void GalleryModel::refresh() {
  const QStringList now = m_store->scan();
  const QSet<QString> present(now.begin(), now.end());
  for (int row = static_cast<int>(m_paths.size()) - 1; row >= 0; --row) {
    if (present.contains(m_paths[row])) continue;
    beginRemoveRows({}, row, row);
    m_thumbnails.remove(m_paths[row]);
    m_paths.removeAt(row);
    endRemoveRows();
  }
  const QSet<QString> listed(m_paths.begin(), m_paths.end());
  // Both lists are newest first: each new path goes where the scan puts it.
  for (int i = 0; i < now.size(); ++i) {
    if (listed.contains(now[i])) continue;
    const int row = std::min(i, static_cast<int>(m_paths.size()));
    beginInsertRows({}, row, row);
    m_paths.insert(row, now[i]);
    endInsertRows();
  }
  // Another window may have changed the favourites: repaint only the rows whose mark changed.
  QList<bool> marked;
  for (const QString& path : m_paths) marked << m_store->isFavourite(path);
  m_store->reloadFavourites();
  for (int row = 0; row < m_paths.size(); ++row)
    if (m_store->isFavourite(m_paths[row]) != marked[row]) emit dataChanged(index(row), index(row));
  if (m_watcher.directories().isEmpty()) watchFolder();
}

QString GalleryModel::pathAt(int row) const {
  return row >= 0 && row < m_paths.size() ? m_paths[row] : QString();
}

int GalleryModel::rowOf(const QString& path) const {
  return static_cast<int>(m_paths.indexOf(QFileInfo(path).absoluteFilePath()));
}

void GalleryModel::addImage(const QString& path, const QImage& image) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  if (QFileInfo(abs).absolutePath() != QFileInfo(m_store->folder()).absoluteFilePath()) return;
  if (m_paths.contains(abs)) return;
  beginInsertRows({}, 0, 0);
  m_paths.prepend(abs);
  if (!image.isNull()) m_thumbnails.insert(abs, Thumbnail::from(makeThumbnail(image)));
  endInsertRows();
}

bool GalleryModel::setFavourite(int row, bool favourite, QString* error) {
  const QString path = pathAt(row);
  if (path.isEmpty() || !m_store->setFavourite(path, favourite, error)) return false;
  emit dataChanged(index(row), index(row));
  return true;
}

bool GalleryModel::removeImage(int row, GalleryStore::RemoveMode mode, QString* error) {
  const QString path = pathAt(row);
  if (path.isEmpty() || !m_store->remove(path, mode, error)) return false;
  beginRemoveRows({}, row, row);
  m_paths.removeAt(row);
  m_thumbnails.remove(path);
  endRemoveRows();
  return true;
}

int GalleryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_paths.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_paths.size()) return {};
  const QString& path = m_paths[index.row()];
  switch (role) {
    case Qt::DisplayRole: {
      const QString name = QFileInfo(path).completeBaseName();
      return m_store->isFavourite(path) ? QString(QChar(0x2605)) + QLatin1Char(' ') + name : name;
    }
    case Qt::ToolTipRole:
      return path;
    case Qt::DecorationRole:
    case ThumbnailRole: {
      // Views scale a QIcon to their icon size (a QImage would be drawn at its own size).
      const auto it = m_thumbnails.constFind(path);
      if (it == m_thumbnails.constEnd()) requestThumbnail(path);
      const bool ready = it != m_thumbnails.constEnd() && !it->image.isNull();
      if (role == ThumbnailRole) return ready ? it->image : m_placeholder.image;
      return ready ? it->icon : m_placeholder.icon;
    }
    case PathRole:
      return path;
    case FavouriteRole:
      return m_store->isFavourite(path);
    default:
      return {};
  }
}

void GalleryModel::requestThumbnail(const QString& path) const {
  m_thumbnails.insert(path, Thumbnail{});
  auto* self = const_cast<GalleryModel*>(this);
  m_pool.start([self, path] {
    QImageReader reader(path);
    const QImage thumbnail = makeThumbnail(reader.read());
    // Queued back to the UI thread; dropped if the model is gone (the destructor waits for us).
    QMetaObject::invokeMethod(
        self, [self, path, thumbnail] { self->thumbnailLoaded(path, thumbnail); },
        Qt::QueuedConnection);
  });
}

void GalleryModel::thumbnailLoaded(const QString& path, const QImage& thumbnail) {
  const int row = static_cast<int>(m_paths.indexOf(path));
  if (row < 0) return;
  m_thumbnails.insert(path, Thumbnail::from(thumbnail));
  emit dataChanged(index(row), index(row), {Qt::DecorationRole, ThumbnailRole});
}

QImage GalleryModel::makeThumbnail(const QImage& image) {
  if (image.isNull()) return {};
  const Qt::TransformationMode mode =
      image.width() < kThumbnailSize ? Qt::FastTransformation : Qt::SmoothTransformation;
  return image.scaled(kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, mode);
}

}  // namespace lienzo::ui
