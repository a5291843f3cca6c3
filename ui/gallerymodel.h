// A list model over a gallery folder (GalleryStore): one row per image, newest first, with
// thumbnails loaded off the UI thread.
//
// Contract
// - UI thread only. Thumbnails are decoded on a private thread pool and arrive later as
//   dataChanged(DecorationRole); until then a row shows a placeholder. The destructor waits for
//   the decodes in flight.
// - The listing survives restarts because it is the folder: reload() rescans it.
// - The folder is watched: pictures another window (another process) saves or removes there
//   appear or go within about a quarter of a second (refresh(): rows inserted and removed, no
//   reset, so selections stay), and its favourites are read again.
#pragma once

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QHash>
#include <QIcon>
#include <QImage>
#include <QPixmap>
#include <QThreadPool>
#include <QTimer>

#include <memory>

#include "ui/gallerystore.h"

namespace lienzo::ui {

class GalleryModel : public QAbstractListModel {
  Q_OBJECT

 public:
  /// DecorationRole is a QIcon (views scale it); ThumbnailRole the QImage.
  enum Role { PathRole = Qt::UserRole + 1, FavouriteRole, ThumbnailRole };
  static constexpr int kThumbnailSize = 160;

  explicit GalleryModel(const QString& folder, QObject* parent = nullptr);
  ~GalleryModel() override;

  QString folder() const;
  /// Switches to another folder and rescans.
  void setFolder(const QString& folder);
  void reload();
  /// Brings the rows in line with the folder (inserting and removing rows, keeping the rest).
  void refresh();

  GalleryStore& store() { return *m_store; }
  QString pathAt(int row) const;
  int rowOf(const QString& path) const;

  /// Adds a newly saved image at the top; `image` (optional) seeds its thumbnail.
  void addImage(const QString& path, const QImage& image = {});
  bool setFavourite(int row, bool favourite, QString* error = nullptr);
  bool removeImage(int row, GalleryStore::RemoveMode mode, QString* error = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 private:
  void watchFolder();
  void requestThumbnail(const QString& path) const;
  void thumbnailLoaded(const QString& path, const QImage& thumbnail);
  static QImage makeThumbnail(const QImage& image);

  struct Thumbnail {
    QImage image;  ///< null: requested, not loaded yet (or unreadable)
    QIcon icon;
    static Thumbnail from(const QImage& image) {
      return {image, image.isNull() ? QIcon() : QIcon(QPixmap::fromImage(image))};
    }
  };

  std::unique_ptr<GalleryStore> m_store;
  QStringList m_paths;
  mutable QHash<QString, Thumbnail> m_thumbnails;
  Thumbnail m_placeholder;
  mutable QThreadPool m_pool;
  QFileSystemWatcher m_watcher;
  QTimer m_refreshTimer;  ///< coalesces the watcher's bursts (a save is several file events)
};

}  // namespace lienzo::ui
