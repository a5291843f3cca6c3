// The Qt glue without widgets: job queue, controller + worker thread (with the backend double),
// gallery store and model, PNG metadata, progress, model catalog, prompt history.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

#include "core/io/infotext.h"
#include "fakebackend.h"
#include "ui/forwardprocesscontroller.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/generationcontroller.h"
#include "ui/imageconvert.h"
#include "ui/jobqueue.h"
#include "ui/modelcatalog.h"
#include "ui/pngmetadata.h"
#include "ui/progresstracker.h"
#include "ui/prompthistory.h"

using namespace lienzo;
using namespace lienzo::ui;
using lienzo::ui::testing::FakeBackend;

namespace {

JobRequest request(const std::string& prompt, int steps, int batch, const QString& gallery) {
  return lienzo::ui::testing::fakeJobRequest(prompt, steps, batch, gallery);
}

struct ControllerFixture {
  std::shared_ptr<FakeBackend> backend = std::make_shared<FakeBackend>();
  QTemporaryDir gallery;
  std::unique_ptr<GenerationController> controller =
      std::make_unique<GenerationController>(backend);
};

bool waitForStatus(JobQueue* queue, quint64 id, JobStatus status, int timeoutMs = 10000) {
  return QTest::qWaitFor(
      [&] {
        const Job* job = queue->job(id);
        return job && job->status == status;
      },
      timeoutMs);
}

QImage testImage(int w, int h, int seed) {
  return toQImage(FakeBackend::finalImage(seed, w, h));
}

}  // namespace

TEST(JobQueue, StatusLifecycleAndRemoval) {
  JobQueue queue;
  const quint64 a = queue.add(request("a", 5, 1, {}));
  const quint64 b = queue.add(request("b", 5, 1, {}));
  EXPECT_EQ(queue.rowCount(), 2);
  EXPECT_EQ(queue.nextQueued().value(), a);
  queue.setStatus(a, JobStatus::Running);
  EXPECT_FALSE(queue.remove(a)) << "a running job cannot be removed";
  EXPECT_EQ(queue.nextQueued().value(), b);
  EXPECT_TRUE(queue.remove(b));
  EXPECT_EQ(queue.job(b), nullptr);
  EXPECT_FALSE(queue.nextQueued().has_value());
  queue.setStatus(a, JobStatus::Completed);
  const quint64 c = queue.add(request("c", 5, 1, {}));
  EXPECT_GT(c, b) << "ids are never reused";
  EXPECT_EQ(queue.cancelQueued(QStringLiteral("stop")), 1);
  EXPECT_EQ(queue.job(c)->status, JobStatus::Cancelled);
  queue.clearFinished();
  EXPECT_EQ(queue.rowCount(), 0);
  EXPECT_FALSE(JobQueue::statusName(JobStatus::Failed).isEmpty());
}

TEST(GenerationController, RunsAJobReportingEveryStepAndSavingEveryImage) {
  ControllerFixture f;
  QSignalSpy steps(f.controller.get(), &GenerationController::stepPreview);
  QSignalSpy images(f.controller.get(), &GenerationController::imageReady);
  QSignalSpy finished(f.controller.get(), &GenerationController::jobFinished);
  const quint64 id = f.controller->enqueue(request("a lighthouse", 6, 2, f.gallery.path()));
  EXPECT_TRUE(f.controller->isBusy());
  ASSERT_TRUE(waitForStatus(f.controller->queue(), id, JobStatus::Completed));
  ASSERT_EQ(steps.count(), 12);
  for (int i = 0; i < steps.count(); ++i) {
    EXPECT_EQ(steps[i][1].toInt(), i / 6) << "image index";
    EXPECT_EQ(steps[i][2].toInt(), i % 6) << "step";
    EXPECT_FALSE(steps[i][5].value<QImage>().isNull()) << "a preview at every step";
  }
  ASSERT_EQ(images.count(), 2);
  for (int i = 0; i < 2; ++i) {
    const auto image = images[i][1].value<FinishedImage>();
    EXPECT_EQ(image.imageIndex, i);
    EXPECT_EQ(image.seed, 100 + i);
    ASSERT_TRUE(QFileInfo::exists(image.path)) << image.path.toStdString();
    const auto info = readGenerationInfo(image.path);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->prompt, "a lighthouse");
    EXPECT_EQ(info->get("Seed").value_or(""), std::to_string(100 + i));
    EXPECT_EQ(GalleryStore::loadSteps(image.path).size(), 6) << "the step strip is saved";
  }
  ASSERT_EQ(finished.count(), 1);
  EXPECT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Completed);
  EXPECT_FALSE(f.controller->isBusy());
}

TEST(GenerationController, RunsQueuedJobsOneAtATimeInOrder) {
  ControllerFixture f;
  QSignalSpy started(f.controller.get(), &GenerationController::jobStarted);
  const quint64 a = f.controller->enqueue(request("one", 3, 1, {}));
  const quint64 b = f.controller->enqueue(request("two", 3, 1, {}));
  const quint64 c = f.controller->enqueue(request("three", 3, 1, {}));
  EXPECT_EQ(f.controller->queue()->job(b)->status, JobStatus::Queued);
  ASSERT_TRUE(waitForStatus(f.controller->queue(), c, JobStatus::Completed));
  ASSERT_EQ(started.count(), 3);
  EXPECT_EQ(started[0][0].toULongLong(), a);
  EXPECT_EQ(started[1][0].toULongLong(), b);
  EXPECT_EQ(started[2][0].toULongLong(), c);
}

TEST(GenerationController, StopNowCancelsTheRunningAndTheQueuedJobs) {
  ControllerFixture f;
  f.backend->stepDelayMs = 20;
  QSignalSpy steps(f.controller.get(), &GenerationController::stepPreview);
  QSignalSpy images(f.controller.get(), &GenerationController::imageReady);
  const quint64 a = f.controller->enqueue(request("long", 200, 1, f.gallery.path()));
  const quint64 b = f.controller->enqueue(request("next", 5, 1, f.gallery.path()));
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 2; }, 5000));
  QElapsedTimer clock;
  clock.start();
  f.controller->cancel(CancelMode::StopNow);
  ASSERT_TRUE(waitForStatus(f.controller->queue(), a, JobStatus::Cancelled));
  EXPECT_LT(clock.elapsed(), 1000) << "stop now takes effect within a step";
  EXPECT_EQ(f.controller->queue()->job(b)->status, JobStatus::Cancelled);
  EXPECT_LT(steps.count(), 200);
  EXPECT_EQ(images.count(), 0);
  EXPECT_TRUE(QDir(f.gallery.path()).entryList({QStringLiteral("*.png")}, QDir::Files).isEmpty());
  EXPECT_EQ(f.backend->generateCalls.load(), 1) << "the queued job never ran";
}

TEST(GenerationController, FinishImageCompletesOnlyTheCurrentImage) {
  ControllerFixture f;
  f.backend->stepDelayMs = 10;
  QSignalSpy steps(f.controller.get(), &GenerationController::stepPreview);
  QSignalSpy images(f.controller.get(), &GenerationController::imageReady);
  const quint64 id = f.controller->enqueue(request("batch", 10, 3, f.gallery.path()));
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 1; }, 5000));
  f.controller->cancel(CancelMode::FinishImage);
  ASSERT_TRUE(waitForStatus(f.controller->queue(), id, JobStatus::Cancelled));
  EXPECT_EQ(steps.count(), 10) << "the current image ran to its last step";
  ASSERT_EQ(images.count(), 1);
  EXPECT_TRUE(QFileInfo::exists(images[0][1].value<FinishedImage>().path));
}

TEST(GenerationController, RemovedQueuedJobNeverRuns) {
  ControllerFixture f;
  f.backend->stepDelayMs = 10;
  const quint64 a = f.controller->enqueue(request("first", 10, 1, {}));
  const quint64 b = f.controller->enqueue(request("removed", 10, 1, {}));
  EXPECT_FALSE(f.controller->removeQueued(a)) << "running";
  EXPECT_TRUE(f.controller->removeQueued(b));
  ASSERT_TRUE(waitForStatus(f.controller->queue(), a, JobStatus::Completed));
  QTest::qWait(50);
  EXPECT_EQ(f.backend->generateCalls.load(), 1);
  EXPECT_FALSE(f.controller->isBusy());
}

TEST(GenerationController, CoreFailureEndsTheJobWithTheCoreMessage) {
  ControllerFixture f;
  QSignalSpy finished(f.controller.get(), &GenerationController::jobFinished);
  const quint64 bad = f.controller->enqueue(request("please [fail]", 4, 1, {}));
  const quint64 good = f.controller->enqueue(request("fine", 4, 1, {}));
  ASSERT_TRUE(waitForStatus(f.controller->queue(), good, JobStatus::Completed));
  const Job* job = f.controller->queue()->job(bad);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->status, JobStatus::Failed);
  EXPECT_EQ(job->message.toStdString(), f.backend->failMessage);
  EXPECT_EQ(finished[0][2].toString().toStdString(), f.backend->failMessage);
}

TEST(GenerationController, ShutdownDuringAGenerationStopsWithinAStep) {
  ControllerFixture f;
  f.backend->stepDelayMs = 5;
  QSignalSpy steps(f.controller.get(), &GenerationController::stepPreview);
  f.controller->enqueue(request("endless", 100000, 1, f.gallery.path()));
  f.controller->enqueue(request("never", 5, 1, f.gallery.path()));
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 3; }, 5000));
  QElapsedTimer clock;
  clock.start();
  f.controller.reset();  // destructor: cancel -> quit -> wait
  EXPECT_LT(clock.elapsed(), 1000);
  EXPECT_EQ(f.backend->generateCalls.load(), 1);
}

TEST(GalleryStore, SavesAtomicallyWithMultiLineUnicodeParametersAndSteps) {
  QTemporaryDir dir;
  Infotext info;
  info.prompt = "a café in Tōkyō,\nat night — 東京";
  info.negativePrompt = "blurry";
  info.set("Steps", "3");
  info.set("Seed", "77");
  info.set("Size", "64x48");
  const QString text = QString::fromStdString(formatInfotext(info));
  QList<QImage> steps;
  for (int i = 0; i < 3; ++i) steps << testImage(8, 6, i);
  QString error;
  const QString path = GalleryStore::save(dir.path() + QStringLiteral("/sub"),
                                          testImage(64, 48, 77), text, 77, steps, &error);
  ASSERT_FALSE(path.isEmpty()) << error.toStdString();
  EXPECT_TRUE(QFileInfo(path).fileName().endsWith(QStringLiteral("-77.png")));
  EXPECT_EQ(QImage(path).size(), QSize(64, 48));
  const auto back = readGenerationInfo(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->prompt, info.prompt) << "multi-line, non-Latin-1 prompt survives";
  EXPECT_EQ(back->negativePrompt, "blurry");
  EXPECT_EQ(back->get("Size").value_or(""), "64x48");
  const QList<QImage> frames = GalleryStore::loadSteps(path);
  ASSERT_EQ(frames.size(), 3);
  EXPECT_EQ(frames[2].convertToFormat(QImage::Format_RGB888), steps[2]);
  // Only the image itself is listed; no temporary files are left behind.
  const QStringList names = QDir(dir.path() + QStringLiteral("/sub")).entryList(QDir::Files);
  EXPECT_EQ(names, QStringList{QFileInfo(path).fileName()});
  // A second save gets the next number.
  const QString second = GalleryStore::save(dir.path() + QStringLiteral("/sub"),
                                            testImage(64, 48, 78), text, 78, {}, &error);
  EXPECT_TRUE(QFileInfo(second).fileName().startsWith(QStringLiteral("00002-")));
  EXPECT_TRUE(GalleryStore::loadSteps(second).isEmpty());
}

TEST(GalleryStore, SaveIntoAnUnwritableFolderFailsWithAMessage) {
  QTemporaryDir dir;
  const QString blocked = dir.filePath(QStringLiteral("file"));
  QFile file(blocked);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.close();
  QString error;
  const QString path =
      GalleryStore::save(blocked, testImage(16, 16, 1), QStringLiteral("x"), 1, {}, &error);
  EXPECT_TRUE(path.isEmpty());
  EXPECT_FALSE(error.isEmpty());
}

TEST(GalleryStore, FavouritesPersistAndRemovalDeletesImageAndSteps) {
  QTemporaryDir dir;
  const QString a = GalleryStore::save(dir.path(), testImage(16, 16, 1), QStringLiteral("a"), 1,
                                       {testImage(2, 2, 1)});
  const QString b =
      GalleryStore::save(dir.path(), testImage(16, 16, 2), QStringLiteral("b"), 2, {});
  {
    GalleryStore store(dir.path());
    EXPECT_TRUE(store.setFavourite(b, true));
    EXPECT_TRUE(store.isFavourite(b));
    EXPECT_FALSE(store.isFavourite(a));
  }
  GalleryStore store(dir.path());
  EXPECT_TRUE(store.isFavourite(b)) << "favourites survive a restart";
  ASSERT_TRUE(QFileInfo::exists(GalleryStore::stepsPath(a)));
  QString error;
  ASSERT_TRUE(store.remove(a, GalleryStore::RemoveMode::Delete, &error)) << error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(a));
  EXPECT_FALSE(QFileInfo::exists(GalleryStore::stepsPath(a)));
  EXPECT_EQ(store.scan(), QStringList{b});
}

TEST(GalleryModel, ListsTheFolderNewestFirstAndLoadsThumbnails) {
  QTemporaryDir dir;
  const QString a =
      GalleryStore::save(dir.path(), testImage(64, 64, 1), QStringLiteral("a"), 1, {});
  QTest::qWait(20);
  const QString b =
      GalleryStore::save(dir.path(), testImage(64, 64, 2), QStringLiteral("b"), 2, {});
  {
    QFile older(a);
    ASSERT_TRUE(older.open(QIODevice::ReadWrite));
    ASSERT_TRUE(older.setFileTime(QDateTime::currentDateTime().addSecs(-60),
                                  QFileDevice::FileModificationTime));
  }
  GalleryModel model(dir.path());
  ASSERT_EQ(model.rowCount(), 2);
  EXPECT_EQ(model.pathAt(0), QFileInfo(b).absoluteFilePath());
  QSignalSpy changed(&model, &GalleryModel::dataChanged);
  const QImage placeholder = model.index(1).data(GalleryModel::ThumbnailRole).value<QImage>();
  ASSERT_TRUE(QTest::qWaitFor([&] { return changed.count() >= 1; }, 5000));
  const QImage thumb = model.index(1).data(GalleryModel::ThumbnailRole).value<QImage>();
  EXPECT_NE(thumb, placeholder);
  EXPECT_EQ(thumb.size(), QSize(GalleryModel::kThumbnailSize, GalleryModel::kThumbnailSize));
  EXPECT_FALSE(model.index(1).data(Qt::DecorationRole).value<QIcon>().isNull());
  // A new image appears at the top; favourites and removal go through the store.
  const QString c =
      GalleryStore::save(dir.path(), testImage(64, 64, 3), QStringLiteral("c"), 3, {});
  model.addImage(c, testImage(64, 64, 3));
  EXPECT_EQ(model.rowOf(c), 0);
  EXPECT_TRUE(model.setFavourite(0, true));
  EXPECT_TRUE(model.index(0).data(GalleryModel::FavouriteRole).toBool());
  EXPECT_TRUE(model.removeImage(model.rowOf(a), GalleryStore::RemoveMode::Delete));
  EXPECT_EQ(model.rowCount(), 2);
  GalleryModel reopened(dir.path());
  EXPECT_EQ(reopened.rowCount(), 2);
  EXPECT_TRUE(reopened.index(reopened.rowOf(c)).data(GalleryModel::FavouriteRole).toBool());
}

TEST(PngMetadata, ReadsComfyUiAndRejectsNonPng) {
  QTemporaryDir dir;
  const std::string graph = R"({"3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 12,
    "cfg": 6.5, "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1,
    "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0], "model": ["4", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dream.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 640, "height": 448, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a castle\non a hill"}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "fog"}}})";
  const QByteArray png = encodePng(testImage(16, 16, 9), {{"prompt", graph}});
  ASSERT_FALSE(png.isEmpty());
  const QString path = dir.filePath(QStringLiteral("comfy.png"));
  ASSERT_TRUE(writeFileAtomically(path, png));
  const auto info = readGenerationInfo(path);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a castle\non a hill");
  EXPECT_EQ(info->negativePrompt, "fog");
  EXPECT_EQ(info->get("Steps").value_or(""), "12");
  EXPECT_EQ(info->get("Size").value_or(""), "640x448");

  const QString text = dir.filePath(QStringLiteral("not.png"));
  ASSERT_TRUE(writeFileAtomically(text, QByteArrayLiteral("hello")));
  QString error;
  EXPECT_FALSE(readGenerationInfo(text, &error).has_value());
  EXPECT_FALSE(error.isEmpty());
}

TEST(ImageConvert, RoundTripsOddWidthsWithoutRowPadding) {
  const RgbImage source = FakeBackend::finalImage(3, 13, 7);  // 39-byte rows: QImage pads them
  const QImage q = toQImage(source);
  ASSERT_EQ(q.size(), QSize(13, 7));
  EXPECT_EQ(q.pixelColor(12, 6),
            QColor(source.pixels[(6 * 13 + 12) * 3], source.pixels[(6 * 13 + 12) * 3 + 1],
                   source.pixels[(6 * 13 + 12) * 3 + 2]));
  const RgbImage back = toRgbImage(q);
  EXPECT_EQ(back.pixels, source.pixels);
  RgbImage broken = source;
  broken.pixels.pop_back();
  EXPECT_TRUE(toQImage(broken).isNull());
}

TEST(ProgressTracker, SpeedAndEtaFromStepTimes) {
  ProgressTracker tracker;
  tracker.start(2, 10);
  EXPECT_EQ(tracker.stepsTotal(), 20);
  EXPECT_LT(tracker.etaSeconds(), 0) << "unknown before two steps";
  tracker.step(0, 0, 3000);  // model load before the first step does not count
  for (int s = 1; s < 5; ++s) tracker.step(0, s, 3000 + s * 250);
  EXPECT_NEAR(tracker.iterationsPerSecond(), 4.0, 1e-9);
  EXPECT_EQ(tracker.stepsDone(), 5);
  EXPECT_NEAR(tracker.etaSeconds(), 15 / 4.0, 1e-9);
  tracker.step(1, 9, 8000);
  EXPECT_EQ(tracker.stepsDone(), 20);
  EXPECT_NEAR(tracker.etaSeconds(), 0.0, 1e-9);
}

TEST(ModelCatalog, BuiltinFirstThenAddedModelsRememberedAcrossRuns) {
  QTemporaryDir dir;
  auto touch = [](const QString& path) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    f.open(QIODevice::WriteOnly);
  };
  touch(dir.filePath(QStringLiteral("zeta.safetensors")));
  touch(dir.filePath(QStringLiteral("sub/Alpha.safetensors")));
  touch(dir.filePath(QStringLiteral("pipe/model_index.json")));
  touch(dir.filePath(QStringLiteral("pipe/unet/diffusion_pytorch_model.safetensors")));
  touch(dir.filePath(QStringLiteral("notes.txt")));
  const QString single = dir.filePath(QStringLiteral("elsewhere/single.safetensors"));
  touch(single);
  {
    ModelCatalog catalog;
    EXPECT_TRUE(catalog.entries().front().builtin);
    EXPECT_EQ(catalog.addSource(dir.filePath(QStringLiteral("sub/.."))), 4);
    EXPECT_EQ(catalog.addSource(single), 0) << "already found through the folder";
  }
  ModelCatalog reopened;
  QStringList names;
  for (const ModelEntry& e : reopened.entries()) names << e.name;
  ASSERT_EQ(names.size(), 5);
  EXPECT_TRUE(reopened.entries().front().builtin);
  EXPECT_EQ(names.mid(1), (QStringList{QStringLiteral("Alpha"), QStringLiteral("pipe"),
                                       QStringLiteral("single"), QStringLiteral("zeta")}));
  EXPECT_GE(reopened.indexOf(single), 1);
}

TEST(PromptHistory, NewestFirstWithoutDuplicatesAndPersistent) {
  {
    PromptHistory history(QStringLiteral("test/history"));
    history.clear();
    history.add(QStringLiteral("a cat"));
    history.add(QStringLiteral("a dog"));
    history.add(QStringLiteral("a cat"));
    history.add(QStringLiteral("   "));
    for (int i = 0; i < PromptHistory::kMaxEntries + 5; ++i) history.add(QString::number(i));
  }
  PromptHistory history(QStringLiteral("test/history"));
  EXPECT_EQ(history.entries().size(), PromptHistory::kMaxEntries);
  EXPECT_EQ(history.entries().front(), QString::number(PromptHistory::kMaxEntries + 4));
}

TEST(ForwardProcessController, ScheduleAndCoalescedFrames) {
  auto backend = std::make_shared<FakeBackend>();
  ForwardProcessController controller(backend);
  QSignalSpy schedule(&controller, &ForwardProcessController::scheduleReady);
  QSignalSpy frames(&controller, &ForwardProcessController::frameReady);
  controller.requestSchedule(QStringLiteral("m"), {});
  ASSERT_TRUE(schedule.wait(5000));
  const auto alphas = schedule[0][0].value<QVector<double>>();
  ASSERT_EQ(alphas.size(), 1000);
  EXPECT_GT(alphas.front(), alphas.back());
  ForwardProcessRequest r;
  r.modelPath = QStringLiteral("m");
  r.source = testImage(32, 32, 4);
  for (int t = 0; t < 20; ++t) {
    r.t = t * 50;
    controller.requestFrame(r);
  }
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return !frames.isEmpty() && frames.last()[0].toInt() == 950 && !controller.isBusy(); },
      5000));
  EXPECT_LT(frames.count(), 20) << "requests made while busy replace each other";
  EXPECT_EQ(frames.last()[1].value<QImage>().size(), QSize(32, 32));
}
