// The gallery folder on disk: finished images as PNG files carrying the A1111 "parameters" text,
// the per-step previews of each image, and the favourites list.
//
// Layout of a gallery folder
//   00042-1234567890.png               the image (A1111 numbering: counter-seed)
//   .lienzo/steps/00042-1234567890.png every step's preview side by side (text chunk
//                                      "lienzo_frames" = frame count)
//   .lienzo/favourites.json            {"favourites": ["00042-1234567890.png", ...]}
//   .lienzo/sources/00042-1234567890.png  an edit's source picture (text chunk "lienzo_source" =
//                                      where it came from, for the "from" link)
//   .lienzo/masks/00042-1234567890.png    an edit's mask (8-bit grey, 255 = repaint)
//   .lienzo/controls/00042-1234567890-1.png  the picture of ControlNet unit 1 (lossless, before
//                                      preprocessing), for each unit that has its own
// An edit's source and mask and the ControlNet pictures are written before the image, so a result
// never exists without them; removing an image removes them.
// Every file is written atomically (temporary file + rename), so a crash never leaves a torn PNG.
//
// Threads and processes: save() and loadSteps() are static and reentrant (the generation worker
// saves while the UI reads); any number of writers may share a folder, in this process or in
// other Lienzo windows: a lock file (.lienzo/save.lock) serialises choosing a picture's number and
// writing its files. An instance (listing,
// favourites, removal) belongs to the UI thread.
#pragma once

#include <QImage>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace lienzo::ui {

class GalleryStore {
 public:
  enum class RemoveMode { Trash, Delete };
  /// The text chunk of a picture made by a journaled job: "<journal id>:<image index>".
  static constexpr const char* kJobChunk = "lienzo_job";

  /// Reads the favourites of `folder` (which need not exist yet).
  explicit GalleryStore(const QString& folder);

  /// <Pictures>/Lienzo, or <app data>/gallery when the system has no pictures folder.
  static QString defaultFolder();

  QString folder() const { return m_folder; }
  /// PNG files directly in the folder, newest first (modification time, then name).
  QStringList scan() const;

  bool isFavourite(const QString& path) const;
  /// Reads the favourites again (another window may have changed them).
  void reloadFavourites();
  /// Persists the change; false and `error` when the list cannot be written.
  bool setFavourite(const QString& path, bool favourite, QString* error = nullptr);

  /// Moves the image (and its step previews) to the trash or deletes it. False and `error` when
  /// that fails (e.g. no trash on this system with RemoveMode::Trash).
  bool remove(const QString& path, RemoveMode mode, QString* error = nullptr);

  /// Saves `image` with `infotext` as the "parameters" chunk, plus `steps` (may be empty) as the
  /// step strip. Creates the folder when needed. Returns the image path, or an empty string and
  /// `error`. A failure to write the step strip does not fail the save.
  static QString save(const QString& folder, const QImage& image, const QString& infotext,
                      qint64 seed, const QList<QImage>& steps, QString* error = nullptr);

  /// What an edit was made from, and the pictures its ControlNets read; saved with its result.
  struct EditSource {
    QImage picture;  ///< null: not an edit
    QImage mask;     ///< may be null (img2img, outpaint without a mask)
    QString name;    ///< where the picture came from (file name or gallery name)
    /// ControlNet unit i's own picture, in unit order (null: the unit has none); any request.
    QList<QImage> controls;
  };
  /// save() for an edit or a ControlNet request: the source, mask and control pictures are
  /// written (atomically) before the image; a failure to write them fails the save.
  /// `job` (may be empty): "<journal id>:<image index>", written as the "lienzo_job" text chunk
  /// so that a resumed queue knows the picture is made (QueueJournal).
  static QString save(const QString& folder, const QImage& image, const QString& infotext,
                      qint64 seed, const QList<QImage>& steps, const EditSource& source,
                      QString* error = nullptr, const QString& job = {});
  /// The source saved with the image at `imagePath` (picture null when it is not an edit).
  static EditSource loadSource(const QString& imagePath);
  /// Only where the source came from, without decoding it (cheap enough for a selection change);
  /// nullopt when the image has no stored source.
  static std::optional<QString> sourceName(const QString& imagePath);
  static QString sourcePath(const QString& imagePath);
  static QString maskPath(const QString& imagePath);
  /// The picture of ControlNet unit `index` saved with the image (null when there is none).
  static QImage loadControlPicture(const QString& imagePath, int index);
  static QString controlPath(const QString& imagePath, int index);

  /// The step previews saved with the image at `imagePath` (empty when there are none).
  static QList<QImage> loadSteps(const QString& imagePath);
  static QString stepsPath(const QString& imagePath);

 private:
  QString favouritesPath() const;
  bool writeFavourites(QString* error) const;

  QString m_folder;
  QSet<QString> m_favourites;  ///< file names
};

}  // namespace lienzo::ui
