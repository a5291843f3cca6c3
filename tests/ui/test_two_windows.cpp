// Two windows, one gallery (docs/reliability.md): another process saves into the same folder and
// marks favourites while this one does too. Nothing is lost, nothing is saved under a name another
// picture has, every file is whole, and this process's GalleryModel shows the other's pictures as
// they appear, without a reload.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <set>

#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/pngmetadata.h"

using namespace lienzo::ui;

namespace {

QString child() {
  return QStringLiteral(LIENZO_STUDIO_CHILD);
}

void startChild(QProcess& process, const QStringList& args) {
  process.start(child(), args);
  ASSERT_TRUE(process.waitForStarted(10000));
  ASSERT_TRUE(process.waitForReadyRead(30000));
  ASSERT_TRUE(process.readAll().startsWith("ready"));
}

}  // namespace

TEST(TwoWindows, SavingIntoOneGalleryLosesAndOverwritesNothing) {
  constexpr int kEach = 40;
  QTemporaryDir gallery;
  GalleryModel model(gallery.path());  // this window's gallery panel
  QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
  QProcess other;
  startChild(other, {QStringLiteral("save"), gallery.path(), QString::number(kEach),
                     QStringLiteral("other")});
  // The same seed in both windows: only the number tells the pictures apart.
  QImage image(32, 32, QImage::Format_RGB888);
  for (int i = 0; i < kEach; ++i) {
    image.fill(QColor::fromHsv(i * 11 % 360, 100, 250));
    QString error;
    const QString path =
        GalleryStore::save(gallery.path(), image, QStringLiteral("this %1").arg(i), 7, {}, &error);
    ASSERT_FALSE(path.isEmpty()) << error.toStdString();
    model.addImage(path, image);  // what the studio does with its own results
  }
  ASSERT_TRUE(other.waitForFinished(120000));
  EXPECT_EQ(other.exitCode(), 0);

  std::set<QString> texts;
  const QStringList names = QDir(gallery.path()).entryList({QStringLiteral("*.png")}, QDir::Files);
  for (const QString& name : names) {
    const QString path = QDir(gallery.path()).filePath(name);
    EXPECT_FALSE(QImage(path).isNull()) << name.toStdString();
    const auto chunks = readPngText(path);
    ASSERT_TRUE(chunks) << name.toStdString();
    EXPECT_TRUE(texts.insert(QString::fromStdString(chunks->at("parameters"))).second)
        << "saved twice: " << chunks->at("parameters");
  }
  EXPECT_EQ(names.size(), 2 * kEach);
  for (int i = 0; i < kEach; ++i) {
    EXPECT_TRUE(texts.count(QStringLiteral("this %1").arg(i))) << i;
    EXPECT_TRUE(texts.count(QStringLiteral("other %1").arg(i))) << i;
  }
  // The other window's pictures appear in this one's gallery by themselves.
  for (int waited = 0; model.rowCount() < 2 * kEach && waited < 5000; waited += 50)
    QTest::qWait(50);
  EXPECT_EQ(model.rowCount(), 2 * kEach);
  std::set<QString> rows;
  for (int row = 0; row < model.rowCount(); ++row) rows.insert(model.pathAt(row));
  EXPECT_EQ(rows.size(), size_t(2 * kEach));
  EXPECT_GT(inserted.count(), kEach);  // rows inserted one by one: no reset
}

TEST(TwoWindows, FavouritesOfBothWindowsAreKept) {
  constexpr int kEach = 30;
  QTemporaryDir gallery;
  QStringList mine, theirs;
  for (int i = 0; i < kEach; ++i) {
    mine << QStringLiteral("%1-1.png").arg(i, 5, 10, QLatin1Char('0'));
    theirs << QStringLiteral("%1-2.png").arg(i, 5, 10, QLatin1Char('0'));
  }
  GalleryStore store(gallery.path());
  QProcess other;
  startChild(other, QStringList{QStringLiteral("favourite"), gallery.path()} + theirs);
  for (const QString& name : mine)
    ASSERT_TRUE(store.setFavourite(QDir(gallery.path()).filePath(name), true));
  ASSERT_TRUE(other.waitForFinished(60000));
  EXPECT_EQ(other.exitCode(), 0);

  QFile file(QDir(gallery.path()).filePath(QStringLiteral(".lienzo/favourites.json")));
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  std::set<QString> saved;
  for (const auto& v : QJsonDocument::fromJson(file.readAll())
                           .object()
                           .value(QStringLiteral("favourites"))
                           .toArray())
    saved.insert(v.toString());
  EXPECT_EQ(saved.size(), size_t(2 * kEach));
  for (const QString& name : mine + theirs) EXPECT_TRUE(saved.count(name)) << name.toStdString();
  GalleryStore fresh(gallery.path());
  EXPECT_TRUE(fresh.isFavourite(QDir(gallery.path()).filePath(theirs.front())));
}
