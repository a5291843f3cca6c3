#include "ui/gallerystore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QPainter>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <memory>

#include "ui/pngmetadata.h"

namespace lienzo::ui {

/// Translation context for the messages of the gallery store.
class GalleryStoreText {
  Q_DECLARE_TR_FUNCTIONS(GalleryStore)
};

namespace {

const QString kMetaDir = QStringLiteral(".lienzo");
const char* const kFramesKey = "lienzo_frames";
const char* const kSourceKey = "lienzo_source";

void setError(QString* error, const QString& message) {
  if (error) *error = message;
}

int nextCounter(const QDir& dir) {
  static const QRegularExpression re(QStringLiteral("^(\\d+)-"));
  int maxSeen = 0;
  const QStringList names = dir.entryList({QStringLiteral("*.png")}, QDir::Files);
  for (const QString& name : names) {
    const auto m = re.match(name);
    if (m.hasMatch()) maxSeen = std::max(maxSeen, m.captured(1).toInt());
  }
  return maxSeen + 1;
}

/// The folder's lock (.lienzo/save.lock), held while a picture's number is chosen and its files
/// are written, and while the favourites are read and written back; nullptr and `error` after 30
/// seconds of another process holding it. A lock left by a killed process is taken over at once
/// (QLockFile checks the owner's PID), or after 10 s when the kill came while the lock file was
/// being created and it names no owner (one save holds the lock for well under that).
std::unique_ptr<QLockFile> lockFolder(const QString& folder, QString* error) {
  auto lock =
      std::make_unique<QLockFile>(QDir(folder).filePath(kMetaDir + QStringLiteral("/save.lock")));
  lock->setStaleLockTime(10000);
  if (QDir(folder).mkpath(kMetaDir) && lock->tryLock(30000)) return lock;
  if (lock->error() == QLockFile::LockFailedError)
    setError(error, GalleryStoreText::tr("Another Lienzo has held the gallery folder %1 for 30 "
                                         "seconds; the picture was not saved.")
                        .arg(folder));
  else  // the folder (or its .lienzo) cannot be written: read-only, full, no permission
    setError(error, GalleryStoreText::tr("Cannot write in the gallery folder %1: %2")
                        .arg(folder, GalleryStoreText::tr("permission denied or no space")));
  return nullptr;
}

/// Removes the ControlNet pictures saved with the image at `imagePath`.
void removeControls(const QString& imagePath) {
  const QFileInfo info(imagePath);
  QDir controls(info.dir().filePath(kMetaDir + QStringLiteral("/controls")));
  const QString pattern = info.completeBaseName() + QStringLiteral("-*.png");
  for (const QString& name : controls.entryList({pattern}, QDir::Files)) controls.remove(name);
}

}  // namespace

GalleryStore::GalleryStore(const QString& folder) : m_folder(QDir::cleanPath(folder)) {
  reloadFavourites();
}

void GalleryStore::reloadFavourites() {
  m_favourites.clear();
  QFile file(favouritesPath());
  if (!file.open(QIODevice::ReadOnly)) return;
  const QJsonArray names = QJsonDocument::fromJson(file.readAll())
                               .object()
                               .value(QStringLiteral("favourites"))
                               .toArray();
  for (const auto& name : names) m_favourites.insert(name.toString());
}

QString GalleryStore::defaultFolder() {
  const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
  if (!pictures.isEmpty() && QDir(pictures).exists()) {
    return QDir(pictures).filePath(QStringLiteral("Lienzo"));
  }
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .filePath(QStringLiteral("gallery"));
}

QStringList GalleryStore::scan() const {
  QDir dir(m_folder);
  if (!dir.exists()) return {};
  QFileInfoList infos = dir.entryInfoList({QStringLiteral("*.png"), QStringLiteral("*.PNG")},
                                          QDir::Files | QDir::Readable);
  std::sort(infos.begin(), infos.end(), [](const QFileInfo& a, const QFileInfo& b) {
    const auto ta = a.lastModified();
    const auto tb = b.lastModified();
    return ta != tb ? ta > tb : a.fileName() > b.fileName();
  });
  QStringList out;
  for (const QFileInfo& info : infos) out << info.absoluteFilePath();
  return out;
}

bool GalleryStore::isFavourite(const QString& path) const {
  return m_favourites.contains(QFileInfo(path).fileName());
}

bool GalleryStore::setFavourite(const QString& path, bool favourite, QString* error) {
  const QString name = QFileInfo(path).fileName();
  // Another window may have changed the list: read it again and write it back under the folder's
  // lock, so that neither window's change is lost.
  const auto lock = lockFolder(m_folder, error);
  if (!lock) return false;
  reloadFavourites();
  if (favourite == m_favourites.contains(name)) return true;
  if (favourite) {
    m_favourites.insert(name);
  } else {
    m_favourites.remove(name);
  }
  if (writeFavourites(error)) return true;
  // Keep memory and disk in agreement.
  if (favourite) {
    m_favourites.remove(name);
  } else {
    m_favourites.insert(name);
  }
  return false;
}

bool GalleryStore::remove(const QString& path, RemoveMode mode, QString* error) {
  QFile file(path);
  const bool ok = mode == RemoveMode::Trash ? file.moveToTrash() : file.remove();
  if (!ok) {
    setError(error, mode == RemoveMode::Trash
                        ? GalleryStoreText::tr("Could not move %1 to the trash: %2")
                              .arg(QFileInfo(path).fileName(), file.errorString())
                        : GalleryStoreText::tr("Could not delete %1: %2")
                              .arg(QFileInfo(path).fileName(), file.errorString()));
    return false;
  }
  QFile::remove(stepsPath(path));
  QFile::remove(sourcePath(path));
  QFile::remove(maskPath(path));
  removeControls(path);
  if (m_favourites.contains(QFileInfo(path).fileName())) setFavourite(path, false);
  return true;
}

QString GalleryStore::save(const QString& folder, const QImage& image, const QString& infotext,
                           qint64 seed, const QList<QImage>& steps, QString* error) {
  return save(folder, image, infotext, seed, steps, EditSource{}, error);
}

QString GalleryStore::save(const QString& folder, const QImage& image, const QString& infotext,
                           qint64 seed, const QList<QImage>& steps, const EditSource& source,
                           QString* error, const QString& job) {
  QDir dir(folder);
  if (!dir.mkpath(kMetaDir)) {
    setError(error, GalleryStoreText::tr("Cannot create the gallery folder %1.").arg(folder));
    return {};
  }
  std::map<std::string, std::string> text{{"parameters", infotext.toStdString()}};
  if (!job.isEmpty()) text[kJobChunk] = job.toStdString();
  const QByteArray png = encodePng(image, text, error);
  if (png.isEmpty()) return {};
  // Another window (another process) may save into this folder too: the number is chosen and
  // every file of the picture written under the folder's lock, so two pictures never get one name.
  const auto lock = lockFolder(folder, error);
  if (!lock) return {};
  QString path;
  for (int counter = nextCounter(dir);; ++counter) {
    path =
        dir.filePath(QStringLiteral("%1-%2.png").arg(counter, 5, 10, QLatin1Char('0')).arg(seed));
    if (!QFileInfo::exists(path)) break;
  }
  if (!source.picture.isNull()) {
    // Source and mask first: a result on disk always has them.
    const QByteArray sourcePng =
        encodePng(source.picture, {{kSourceKey, source.name.toStdString()}}, error);
    if (sourcePng.isEmpty() || !dir.mkpath(kMetaDir + QStringLiteral("/sources")) ||
        !writeFileAtomically(sourcePath(path), sourcePng, error)) {
      if (error && error->isEmpty()) {
        *error = GalleryStoreText::tr("Cannot write the edit's source picture.");
      }
      return {};
    }
    if (!source.mask.isNull()) {
      const QByteArray maskPng = encodePng(source.mask, {}, error);
      if (maskPng.isEmpty() || !dir.mkpath(kMetaDir + QStringLiteral("/masks")) ||
          !writeFileAtomically(maskPath(path), maskPng, error)) {
        QFile::remove(sourcePath(path));
        if (error && error->isEmpty()) {
          *error = GalleryStoreText::tr("Cannot write the edit's mask.");
        }
        return {};
      }
    }
  }
  // ControlNet pictures: before the image as well (lossless, as the unit read them).
  for (int i = 0; i < source.controls.size(); ++i) {
    if (source.controls[i].isNull()) continue;
    const QByteArray controlPng = encodePng(source.controls[i], {}, error);
    if (controlPng.isEmpty() || !dir.mkpath(kMetaDir + QStringLiteral("/controls")) ||
        !writeFileAtomically(controlPath(path, i), controlPng, error)) {
      removeControls(path);
      QFile::remove(sourcePath(path));
      QFile::remove(maskPath(path));
      if (error && error->isEmpty()) {
        *error = GalleryStoreText::tr("Cannot write the picture of ControlNet %1.").arg(i);
      }
      return {};
    }
  }
  if (!writeFileAtomically(path, png, error)) return {};

  if (!steps.isEmpty() && !steps.front().isNull()) {
    // All frames share the first frame's size: one horizontal strip.
    const QSize frame = steps.front().size();
    QImage strip(frame.width() * static_cast<int>(steps.size()), frame.height(),
                 QImage::Format_RGB888);
    strip.fill(Qt::black);
    {
      QPainter painter(&strip);
      for (int i = 0; i < steps.size(); ++i) {
        painter.drawImage(QRect(QPoint(i * frame.width(), 0), frame), steps[i]);
      }
    }
    const QByteArray stripPng =
        encodePng(strip, {{kFramesKey, std::to_string(steps.size())}}, nullptr);
    if (!stripPng.isEmpty() && dir.mkpath(kMetaDir + QStringLiteral("/steps"))) {
      writeFileAtomically(stepsPath(path), stripPng, nullptr);
    }
  }
  return QFileInfo(path).absoluteFilePath();
}

QList<QImage> GalleryStore::loadSteps(const QString& imagePath) {
  const QString strip = stepsPath(imagePath);
  if (!QFileInfo::exists(strip)) return {};
  const auto chunks = readPngText(strip);
  if (!chunks) return {};
  const auto it = chunks->find(kFramesKey);
  const int frames = it == chunks->end() ? 0 : QString::fromStdString(it->second).toInt();
  const QImage image(strip);
  if (frames <= 0 || image.isNull() || image.width() % frames != 0) return {};
  const int w = image.width() / frames;
  QList<QImage> out;
  for (int i = 0; i < frames; ++i) out << image.copy(i * w, 0, w, image.height());
  return out;
}

GalleryStore::EditSource GalleryStore::loadSource(const QString& imagePath) {
  EditSource out;
  const QString source = sourcePath(imagePath);
  if (!QFileInfo::exists(source)) return out;
  out.picture = QImage(source);
  if (out.picture.isNull()) return out;
  out.name = sourceName(imagePath).value_or(QString());
  const QString mask = maskPath(imagePath);
  if (QFileInfo::exists(mask)) {
    out.mask = QImage(mask).convertToFormat(QImage::Format_Grayscale8);
    if (out.mask.size() != out.picture.size()) out.mask = QImage();
  }
  return out;
}

std::optional<QString> GalleryStore::sourceName(const QString& imagePath) {
  const QString source = sourcePath(imagePath);
  if (!QFileInfo::exists(source)) return std::nullopt;
  if (const auto chunks = readPngText(source)) {
    const auto it = chunks->find(kSourceKey);
    if (it != chunks->end()) return QString::fromStdString(it->second);
  }
  return QString();
}

QString GalleryStore::sourcePath(const QString& imagePath) {
  const QFileInfo info(imagePath);
  return info.dir().filePath(kMetaDir + QStringLiteral("/sources/") + info.fileName());
}

QString GalleryStore::maskPath(const QString& imagePath) {
  const QFileInfo info(imagePath);
  return info.dir().filePath(kMetaDir + QStringLiteral("/masks/") + info.fileName());
}

QImage GalleryStore::loadControlPicture(const QString& imagePath, int index) {
  const QString path = controlPath(imagePath, index);
  if (!QFileInfo::exists(path)) return {};
  const QImage picture(path);
  return picture.isNull() ? QImage() : picture.convertToFormat(QImage::Format_RGB888);
}

QString GalleryStore::controlPath(const QString& imagePath, int index) {
  const QFileInfo info(imagePath);
  return info.dir().filePath(kMetaDir + QStringLiteral("/controls/") + info.completeBaseName() +
                             QStringLiteral("-%1.png").arg(index));
}

QString GalleryStore::stepsPath(const QString& imagePath) {
  const QFileInfo info(imagePath);
  return info.dir().filePath(kMetaDir + QStringLiteral("/steps/") + info.fileName());
}

QString GalleryStore::favouritesPath() const {
  return QDir(m_folder).filePath(kMetaDir + QStringLiteral("/favourites.json"));
}

bool GalleryStore::writeFavourites(QString* error) const {
  if (!QDir(m_folder).mkpath(kMetaDir)) {
    setError(error, GalleryStoreText::tr("Cannot create the gallery folder %1.").arg(m_folder));
    return false;
  }
  QStringList names(m_favourites.begin(), m_favourites.end());
  names.sort();
  QJsonObject root;
  root.insert(QStringLiteral("favourites"), QJsonArray::fromStringList(names));
  return writeFileAtomically(favouritesPath(), QJsonDocument(root).toJson(), error);
}

}  // namespace lienzo::ui
