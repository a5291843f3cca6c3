// Bad-input rows of docs/reliability.md for the gallery: a read-only gallery folder and a full
// disk during GalleryStore::save. Each must fail with a clear message, leave no partial or
// temporary file, and leave the older images byte-for-byte intact.
//
// Both run in a forked child: the full disk is RLIMIT_FSIZE (SIGXFSZ ignored, so write() fails
// with EFBIG as on ENOSPC), and the read-only folder drops to user "nobody" first when the tests
// run as root (root ignores permission bits).
#include <QFile>
#include <QTemporaryDir>

#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <map>

#include "gallery_test_util.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"

using namespace lienzo;
using namespace lienzo::ui;
using namespace lienzo::ui::testing;

namespace {

struct ChildSave {
  bool exited = false;
  QString path;   ///< what save() returned
  QString error;  ///< the message it set
};

/// Runs `setup` then GalleryStore::save(folder, image, ...) in a forked child; reports back.
ChildSave saveInChild(const QString& folder, const QImage& image, int64_t seed,
                      const QList<QImage>& steps, const std::function<bool()>& setup) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (!setup()) _exit(4);
    QString error;
    const QString path = GalleryStore::save(folder, image, paramsFor(seed), seed, steps, &error);
    const QByteArray out = path.toUtf8() + '\n' + error.toUtf8();
    // The pipe is not subject to RLIMIT_FSIZE.
    if (::write(fds[1], out.constData(), static_cast<size_t>(out.size())) != out.size()) _exit(5);
    _exit(0);
  }
  ::close(fds[1]);
  QByteArray bytes;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) bytes.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ChildSave result;
  result.exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const int nl = bytes.indexOf('\n');
  if (nl >= 0) {
    result.path = QString::fromUtf8(bytes.left(nl));
    result.error = QString::fromUtf8(bytes.mid(nl + 1));
  }
  return result;
}

/// A gallery with two saved images; returns name -> bytes of every file in it.
std::map<QString, QByteArray> seedGallery(const QString& folder) {
  QList<QImage> steps{noiseImage(16, 16, 1), noiseImage(16, 16, 2)};
  for (int64_t seed : {11, 12}) {
    QString error;
    if (GalleryStore::save(folder, noiseImage(64, 64, static_cast<uint32_t>(seed)), paramsFor(seed),
                           seed, steps, &error)
            .isEmpty())
      ADD_FAILURE() << error.toStdString();
  }
  std::map<QString, QByteArray> files;
  for (const QString& name : allFiles(folder)) files[name] = fileBytes(QDir(folder).filePath(name));
  return files;
}

void expectUnchanged(const QString& folder, const std::map<QString, QByteArray>& before) {
  std::map<QString, QByteArray> after;
  for (const QString& name : allFiles(folder)) after[name] = fileBytes(QDir(folder).filePath(name));
  EXPECT_EQ(after.size(), before.size()) << "no partial or temporary file was left";
  for (const auto& [name, bytes] : after) {
    const auto it = before.find(name);
    if (it == before.end()) {
      ADD_FAILURE() << "new file left behind: " << name.toStdString();
      continue;
    }
    EXPECT_TRUE(it->second == bytes) << "older file changed: " << name.toStdString();
  }
  GalleryModel model(folder);
  EXPECT_EQ(model.rowCount(), 2);
  for (int row = 0; row < model.rowCount(); ++row) EXPECT_GE(savedSeed(model.pathAt(row)), 11);
}

}  // namespace

TEST(GalleryDisk, FullDiskDuringSaveFailsCleanlyAndKeepsOlderImages) {
  QTemporaryDir tmp;
  const QString folder = tmp.filePath(QStringLiteral("gallery"));
  const auto before = seedGallery(folder);
  ASSERT_EQ(before.size(), 4u) << "two images, two step strips";
  // The new image encodes to ~192 KiB; the "disk" takes 16 KiB per file.
  const ChildSave full = saveInChild(folder, noiseImage(256, 256, 99), 99, {}, [] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{16 * 1024, 16 * 1024};
    return ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  });
  ASSERT_TRUE(full.exited);
  EXPECT_TRUE(full.path.isEmpty()) << "save reported success: " << full.path.toStdString();
  EXPECT_TRUE(full.error.contains(QStringLiteral("Cannot write"))) << full.error.toStdString();
  expectUnchanged(folder, before);
}

TEST(GalleryDisk, FullDiskWhileWritingTheStepStripKeepsTheImageAndNoPartialStrip) {
  QTemporaryDir tmp;
  const QString folder = tmp.filePath(QStringLiteral("gallery"));
  seedGallery(folder);
  // The image (64x64, ~12 KiB) fits under the limit, its 16-frame strip (~200 KiB) does not.
  QList<QImage> steps;
  for (int i = 0; i < 16; ++i) steps << noiseImage(64, 64, 50 + i);
  const ChildSave result = saveInChild(folder, noiseImage(64, 64, 77), 77, steps, [] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{48 * 1024, 48 * 1024};
    return ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  });
  ASSERT_TRUE(result.exited);
  ASSERT_FALSE(result.path.isEmpty()) << "the strip is optional: " << result.error.toStdString();
  EXPECT_EQ(savedSeed(result.path), 77);
  EXPECT_TRUE(GalleryStore::loadSteps(result.path).isEmpty()) << "no partial strip";
  for (const QString& name : allFiles(folder))
    EXPECT_FALSE(QImage(QDir(folder).filePath(name)).isNull()) << name.toStdString();
  EXPECT_EQ(allFiles(folder).size(), 5) << "2 old images + 2 strips + the new image";
}

TEST(GalleryDisk, ReadOnlyFolderFailsCleanlyAndKeepsOlderImages) {
  QTemporaryDir tmp;
  const QString folder = tmp.filePath(QStringLiteral("gallery"));
  const auto before = seedGallery(folder);
  // Let "nobody" reach the folder, but not write to it or to .lienzo/.
  ASSERT_EQ(::chmod(QFile::encodeName(tmp.path()).constData(), 0755), 0);
  for (const QString& dir :
       {folder, folder + QStringLiteral("/.lienzo"), folder + QStringLiteral("/.lienzo/steps")})
    ASSERT_EQ(::chmod(QFile::encodeName(dir).constData(), 0555), 0);
  const ChildSave ro = saveInChild(folder, noiseImage(64, 64, 5), 5, {noiseImage(8, 8, 1)}, [] {
    if (::geteuid() != 0) return true;
    const gid_t nogroup = 65534;
    return ::setgroups(0, nullptr) == 0 && ::setgid(nogroup) == 0 && ::setuid(65534) == 0;
  });
  for (const QString& dir :
       {folder + QStringLiteral("/.lienzo/steps"), folder + QStringLiteral("/.lienzo"), folder})
    ::chmod(QFile::encodeName(dir).constData(), 0755);
  ASSERT_TRUE(ro.exited);
  EXPECT_TRUE(ro.path.isEmpty()) << "save into a read-only folder succeeded";
  EXPECT_TRUE(ro.error.contains(QStringLiteral("Cannot write"))) << ro.error.toStdString();
  expectUnchanged(folder, before);
}
