#include "ui/queuejournal.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <set>

#include "core/pipeline/params_infotext.h"
#include "ui/gallerystore.h"
#include "ui/imageconvert.h"
#include "ui/pngmetadata.h"

namespace lienzo::ui {
namespace {

/// A message for the user, in the "QueueJournal" translation context.
QString text(const char* source) {
  return QCoreApplication::translate("QueueJournal", source);
}

constexpr int kVersion = 1;
const QString kJobFile = QStringLiteral("job.json");
const QString kInitFile = QStringLiteral("init.png");
const QString kMaskFile = QStringLiteral("mask.png");
QString controlFile(int i) {
  return QStringLiteral("control%1.png").arg(i);
}

/// The request as job.json (the pictures go beside it).
QJsonObject toJson(const JobRequest& r, const QDateTime& created) {
  const GenerationParams& p = r.params;
  QJsonObject o;
  o[QStringLiteral("version")] = kVersion;
  o[QStringLiteral("created")] = created.toString(Qt::ISODateWithMs);
  o[QStringLiteral("infotext")] = QString::fromStdString(formatInfotext(toInfotext(p)));
  o[QStringLiteral("batch")] = p.batchSize;
  o[QStringLiteral("device")] = QString::fromStdString(p.device);
  o[QStringLiteral("dtype")] = static_cast<int>(p.dtype);
  o[QStringLiteral("previews")] = p.previews;
  QJsonArray adapters;
  for (const AdapterUse& a : p.adapters)
    adapters.append(QJsonObject{{QStringLiteral("name"), QString::fromStdString(a.name)},
                                {QStringLiteral("te"), a.textStrength},
                                {QStringLiteral("unet"), a.unetStrength}});
  o[QStringLiteral("adapters")] = adapters;
  o[QStringLiteral("model")] = r.modelPath;
  o[QStringLiteral("modelName")] = r.modelName;
  o[QStringLiteral("gallery")] = r.galleryDir;
  o[QStringLiteral("sourceName")] = r.sourceName;
  return o;
}

/// job.json + pictures → request; empty optional and `problem` when they do not make one.
std::optional<JobRequest> fromJson(const QJsonObject& o, const QDir& dir, QString* problem) {
  if (o[QStringLiteral("version")].toInt() != kVersion) {
    *problem = text("unknown journal version %1").arg(o[QStringLiteral("version")].toInt());
    return std::nullopt;
  }
  if (!o[QStringLiteral("infotext")].isString()) {
    *problem = text("it has no parameters");
    return std::nullopt;
  }
  const Infotext info = parseInfotext(o[QStringLiteral("infotext")].toString().toStdString());
  GenerationParams base;
  base.batchSize = o[QStringLiteral("batch")].toInt(1);
  base.device = o[QStringLiteral("device")].toString(QStringLiteral("cpu")).toStdString();
  base.dtype = static_cast<ComputeDType>(
      o[QStringLiteral("dtype")].toInt(static_cast<int>(ComputeDType::Auto)));
  base.previews = o[QStringLiteral("previews")].toBool(true);
  for (const QJsonValue& v : o[QStringLiteral("adapters")].toArray()) {
    const QJsonObject a = v.toObject();
    base.adapters.push_back({a[QStringLiteral("name")].toString().toStdString(),
                             a[QStringLiteral("te")].toDouble(1.0),
                             a[QStringLiteral("unet")].toDouble(1.0)});
  }
  // ControlNet pictures: applyInfotext keeps the base's picture of each unit it restores.
  for (int i = 0; dir.exists(controlFile(i)); ++i) {
    const QImage picture(dir.filePath(controlFile(i)));
    if (picture.isNull()) {
      *problem = text("its ControlNet picture %1 cannot be read").arg(i);
      return std::nullopt;
    }
    base.controls.emplace_back();
    base.controls.back().image = toRgbImage(picture);
  }
  JobRequest r;
  r.params = applyInfotext(info, base).params;
  r.params.batchSize = base.batchSize;  // A1111 text has no batch size
  r.modelPath = o[QStringLiteral("model")].toString();
  r.modelName = o[QStringLiteral("modelName")].toString();
  r.galleryDir = o[QStringLiteral("gallery")].toString();
  r.sourceName = o[QStringLiteral("sourceName")].toString();
  if (dir.exists(kInitFile)) {
    const QImage init(dir.filePath(kInitFile));
    if (init.isNull()) {
      *problem = text("its picture cannot be read");
      return std::nullopt;
    }
    r.params.edit.initImage = toRgbImage(init);
  }
  if (dir.exists(kMaskFile)) {
    const QImage mask(dir.filePath(kMaskFile));
    if (mask.isNull()) {
      *problem = text("its mask cannot be read");
      return std::nullopt;
    }
    r.params.edit.mask = toGrayImage(mask);
  }
  return r;
}

bool writePng(const QString& path, const QImage& image, QString* error) {
  const QByteArray png = encodePng(image, {}, error);
  return !png.isEmpty() && writeFileAtomically(path, png, error);
}

}  // namespace

QueueJournal::QueueJournal(const QString& folder) : m_folder(QDir::cleanPath(folder)) {}

QString QueueJournal::defaultFolder() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .filePath(QStringLiteral("queue"));
}

QString QueueJournal::add(const JobRequest& request, QString* error) {
  const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
  QDir root(m_folder);
  const QString temp = QStringLiteral(".tmp-") + id;
  const auto fail = [&](const QString& why) {
    if (error) *error = text("Cannot keep the job in %1: %2").arg(m_folder, why);
    QDir(root.filePath(temp)).removeRecursively();
    return QString();
  };
  if (!root.mkpath(temp)) return fail(text("the folder cannot be created"));
  const QDir dir(root.filePath(temp));
  const QByteArray json = QJsonDocument(toJson(request, QDateTime::currentDateTimeUtc())).toJson();
  QString why;
  if (!writeFileAtomically(dir.filePath(kJobFile), json, &why)) return fail(why);
  const EditParams& edit = request.params.edit;
  if (!edit.initImage.empty() && !writePng(dir.filePath(kInitFile), toQImage(edit.initImage), &why))
    return fail(why);
  if (!edit.mask.empty() && !writePng(dir.filePath(kMaskFile), toQImage(edit.mask), &why))
    return fail(why);
  const std::vector<ControlUnit>& controls = request.params.controls;
  for (size_t i = 0; i < controls.size(); ++i)
    if (!controls[i].image.empty() &&
        !writePng(dir.filePath(controlFile(int(i))), toQImage(controls[i].image), &why))
      return fail(why);
  // The job appears whole or not at all.
  if (!root.rename(temp, id)) return fail(text("the job folder cannot be renamed"));
  return id;
}

bool QueueJournal::remove(const QString& id) {
  QDir root(m_folder);
  if (id.isEmpty() || !root.exists(id)) return false;
  const QString gone = QStringLiteral(".gone-") + id;
  if (!root.rename(id, gone)) return false;  // listed no more from here on
  QDir(root.filePath(gone)).removeRecursively();
  return true;
}

QList<QueueJournal::Entry> QueueJournal::pending() const {
  QList<Entry> out;
  const QDir root(m_folder);
  // Leftovers of a kill inside add() or remove() are never jobs.
  for (const QString& name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
    if (name.startsWith(QLatin1String(".tmp-")) || name.startsWith(QLatin1String(".gone-")))
      QDir(root.filePath(name)).removeRecursively();
  }
  for (const QString& name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    Entry entry;
    entry.id = name;
    const QDir dir(root.filePath(name));
    QFile file(dir.filePath(kJobFile));
    QJsonParseError parseError;
    const QJsonDocument doc = file.open(QIODevice::ReadOnly)
                                  ? QJsonDocument::fromJson(file.readAll(), &parseError)
                                  : QJsonDocument();
    if (!doc.isObject()) {
      entry.problem = text("its job.json cannot be read");
    } else {
      entry.created = QDateTime::fromString(doc.object()[QStringLiteral("created")].toString(),
                                            Qt::ISODateWithMs);
      if (auto request = fromJson(doc.object(), dir, &entry.problem)) {
        entry.request = std::move(*request);
        entry.request.journalId = name;
      }
    }
    out.append(std::move(entry));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Entry& a, const Entry& b) { return a.created < b.created; });
  return out;
}

std::optional<JobRequest> QueueJournal::remainder(const Entry& entry) {
  JobRequest request = entry.request;
  request.journalId = entry.id;
  std::set<int> saved;
  if (!request.galleryDir.isEmpty()) {
    const QString prefix = entry.id + QLatin1Char(':');
    // Only pictures written since the job was journaled can be its own (a second of slack for
    // file systems with coarse times).
    const QDateTime since = entry.created.addSecs(-1);
    QDirIterator it(request.galleryDir, {QStringLiteral("*.png")}, QDir::Files);
    while (it.hasNext()) {
      const QString path = it.next();
      if (entry.created.isValid() && it.fileInfo().lastModified() < since) continue;
      const auto chunks = readPngText(path);
      if (!chunks) continue;
      const auto found = chunks->find(GalleryStore::kJobChunk);
      if (found == chunks->end()) continue;
      const QString value = QString::fromStdString(found->second);
      if (!value.startsWith(prefix)) continue;
      bool ok = false;
      const int index = value.mid(prefix.size()).toInt(&ok);
      if (ok && index >= 0) saved.insert(index);
    }
  }
  // Pictures of a batch are made and saved in order: the first one missing is where to go on.
  int done = 0;
  while (saved.count(done)) ++done;
  if (done >= request.params.batchSize) return std::nullopt;
  request.params.seed += done;
  request.params.batchSize -= done;
  request.imageIndexOffset = done;
  return request;
}

}  // namespace lienzo::ui
