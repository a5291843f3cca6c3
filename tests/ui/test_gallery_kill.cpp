// "Nothing lost": a process saving a batch into the gallery is SIGKILLed mid-batch; every image it
// finished saving is intact (decodes, carries its parameters) and listed by GalleryModel, and no
// partial or temporary file is listed. Cancelling a job at any step leaves no half-written file.
//
// The saver is a forked child (GalleryStore::save is static and needs no event loop) that reports
// each finished save through a pipe; the parent kills it after a few saves, at varying offsets so
// the kill lands inside PNG encoding, inside a write, or between the image and its step strip.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "fakebackend.h"
#include "gallery_test_util.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/generationcontroller.h"
#include "ui/jobqueue.h"

using namespace lienzo;
using namespace lienzo::ui;
using namespace lienzo::ui::testing;

namespace {

/// Child: saves images seed, seed+1, ... into `folder` forever, writing each saved seed to `fd`.
[[noreturn]] void saveForever(const QString& folder, int64_t firstSeed, int fd) {
  QList<QImage> steps;
  for (int i = 0; i < 4; ++i) steps << noiseImage(32, 32, 7 + i);
  for (int64_t seed = firstSeed;; ++seed) {
    QString error;
    const QString path =
        GalleryStore::save(folder, noiseImage(256, 256, static_cast<uint32_t>(seed)),
                           paramsFor(seed), seed, steps, &error);
    const int64_t report = path.isEmpty() ? -1 : seed;
    if (::write(fd, &report, sizeof report) != sizeof report || report < 0) _exit(3);
  }
}

struct KillRound {
  std::set<int64_t> reported;  ///< seeds the child said it saved before it died
  int status = 0;
};

/// Forks a saver, lets it report `saves` images, waits `delayUs`, SIGKILLs it, drains the pipe.
KillRound killMidBatch(const QString& folder, int64_t firstSeed, int saves, int delayUs) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::close(fds[0]);
    saveForever(folder, firstSeed, fds[1]);
  }
  ::close(fds[1]);
  KillRound round;
  int64_t seed = 0;
  while (static_cast<int>(round.reported.size()) < saves &&
         ::read(fds[0], &seed, sizeof seed) == sizeof seed) {
    if (seed >= 0) round.reported.insert(seed);
  }
  ::usleep(static_cast<useconds_t>(delayUs));
  ::kill(pid, SIGKILL);
  while (::read(fds[0], &seed, sizeof seed) == sizeof seed)  // reports written before the kill
    if (seed >= 0) round.reported.insert(seed);
  ::close(fds[0]);
  ::waitpid(pid, &round.status, 0);
  return round;
}

}  // namespace

TEST(GalleryKill, ImagesSavedBeforeASigkillAreIntactAndListed) {
  QTemporaryDir tmp;
  const QString folder = tmp.filePath(QStringLiteral("gallery"));
  std::set<int64_t> reported;
  const int delaysUs[] = {0, 1500, 4000, 9000, 200};
  for (int r = 0; r < 5; ++r) {
    const KillRound round = killMidBatch(folder, 1000 * (r + 1), 2 + r % 3, delaysUs[r]);
    ASSERT_TRUE(WIFSIGNALED(round.status) && WTERMSIG(round.status) == SIGKILL)
        << "round " << r << ": the saver died on its own (status " << round.status << ")";
    reported.insert(round.reported.begin(), round.reported.end());

    // Every image reported saved is on disk, decodes and carries its own parameters.
    GalleryModel model(folder);
    std::set<int64_t> listed;
    for (int row = 0; row < model.rowCount(); ++row) {
      const QString path = model.pathAt(row);
      const int64_t seed = savedSeed(path);
      EXPECT_GE(seed, 0) << "round " << r
                         << ": listed file is partial or unreadable: " << path.toStdString();
      EXPECT_TRUE(path.endsWith(QStringLiteral("-%1.png").arg(seed))) << path.toStdString();
      EXPECT_EQ(QImage(path).size(), QSize(256, 256)) << path.toStdString();
      listed.insert(seed);
    }
    for (const int64_t seed : reported)
      EXPECT_EQ(listed.count(seed), 1u) << "round " << r << ": saved image " << seed << " lost";
    // At most the one image whose rename happened just before the kill, before its report.
    EXPECT_LE(listed.size(), reported.size() + static_cast<size_t>(r + 1));
    EXPECT_EQ(model.rowCount(), static_cast<int>(listed.size())) << "one row per image";
  }
  // Every PNG anywhere in the folder (step strips included) is complete. A killed write leaves
  // nothing on Linux (QSaveFile writes an unnamed O_TMPFILE inode and links it at commit); where
  // that is unavailable it leaves a "name.png.XXXXXX" temporary, which is never listed.
  for (const QString& name : allFiles(folder)) {
    if (!name.endsWith(QStringLiteral(".png"))) continue;
    EXPECT_FALSE(QImage(QDir(folder).filePath(name)).isNull()) << "partial " << name.toStdString();
    if (!name.startsWith(QStringLiteral(".lienzo/"))) {
      EXPECT_GE(savedSeed(QDir(folder).filePath(name)), 0) << name.toStdString();
    }
  }
  // The folder keeps working: the next save gets a fresh number and reads back.
  QString error;
  const QString next =
      GalleryStore::save(folder, noiseImage(256, 256, 9), paramsFor(9), 9, {}, &error);
  ASSERT_FALSE(next.isEmpty()) << error.toStdString();
  EXPECT_EQ(savedSeed(next), 9);
  EXPECT_EQ(GalleryModel(folder).rowOf(QFileInfo(next).absoluteFilePath()), 0);
}

namespace {

JobRequest cancelRequest(int steps, int batch, const QString& gallery) {
  return lienzo::ui::testing::fakeJobRequest("cancel me", steps, batch, gallery);
}

}  // namespace

TEST(GalleryKill, CancellingAtAnyStepLeavesOnlyCompleteFiles) {
  const int kSteps = 4;
  const int kBatch = 2;
  for (const CancelMode mode : {CancelMode::StopNow, CancelMode::FinishImage}) {
    for (int at = 0; at < kSteps * kBatch; ++at) {
      SCOPED_TRACE(std::string(mode == CancelMode::StopNow ? "StopNow" : "FinishImage") +
                   " at step " + std::to_string(at));
      QTemporaryDir gallery;
      auto backend = std::make_shared<FakeBackend>();
      backend->stepDelayMs = 5;
      auto controller = std::make_unique<GenerationController>(backend);
      QSignalSpy steps(controller.get(), &GenerationController::stepPreview);
      QSignalSpy images(controller.get(), &GenerationController::imageReady);
      QSignalSpy finished(controller.get(), &GenerationController::jobFinished);
      controller->enqueue(cancelRequest(kSteps, kBatch, gallery.path()));
      ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() > at || finished.count(); }, 5000));
      controller->cancel(mode);
      ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() == 1; }, 5000));
      controller.reset();
      // Whatever was saved is complete; nothing else is in the folder.
      const QStringList files = allFiles(gallery.path());
      int pngs = 0;
      for (const QString& name : files) {
        const QString path = QDir(gallery.path()).filePath(name);
        ASSERT_TRUE(name.endsWith(QStringLiteral(".png"))) << "stray file " << name.toStdString();
        EXPECT_FALSE(QImage(path).isNull()) << name.toStdString();
        if (!name.startsWith(QStringLiteral(".lienzo/"))) {
          ++pngs;
          EXPECT_TRUE(readGenerationInfo(path).has_value()) << name.toStdString();
        }
      }
      EXPECT_EQ(pngs, images.count()) << "every reported image and nothing else";
    }
  }
}
