// The queue's journal (ui/queuejournal.h): a job written is read back whole (parameters through
// the A1111 text, pictures lossless), half-written or half-removed jobs never appear, a resumed
// job skips the pictures its gallery already has; the studio offers and resumes unfinished jobs.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "core/pipeline/params_infotext.h"
#include "eventloopprobe.h"
#include "fakebackend.h"
#include "ui/gallerystore.h"
#include "ui/generationcontroller.h"
#include "ui/imageconvert.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/pngmetadata.h"
#include "ui/queuejournal.h"
#include "ui/settingsdialog.h"
#include "ui/unfinishedjobs.h"

using namespace lienzo;
using namespace lienzo::ui;

namespace {

JobRequest editRequest() {
  JobRequest r;
  r.modelPath = QStringLiteral("/models/tiny.safetensors");
  r.modelName = QStringLiteral("tiny");
  r.galleryDir = QStringLiteral("/tmp/gallery");
  r.sourceName = QStringLiteral("holiday.png");
  GenerationParams& p = r.params;
  p.prompt = "una casa roja, (sunset:1.2) <lora:style:0.7>";
  p.negativePrompt = "blurry";
  p.seed = 1234567;
  p.steps = 17;
  p.cfgScale = 6.5;
  p.sampler = "DPM++ 2M";
  p.schedule = "Karras";
  p.width = 96;
  p.height = 64;
  p.batchSize = 3;
  p.device = "cuda:1";
  p.dtype = ComputeDType::BF16;
  p.previews = false;
  p.folders.loras = {"/loras/a", "/loras/b"};
  p.folders.embeddings = {"/embeddings"};
  p.adapters = {{"extra", 0.5, 0.25}};
  p.edit.initImage.width = 48;
  p.edit.initImage.height = 32;
  for (int i = 0; i < 48 * 32 * 3; ++i) p.edit.initImage.pixels.push_back(uint8_t(i * 7));
  p.edit.mask.width = 48;
  p.edit.mask.height = 32;
  for (int i = 0; i < 48 * 32; ++i) p.edit.mask.pixels.push_back(i % 5 ? 255 : 0);
  p.edit.strength = 0.55;
  p.edit.maskBlur = 6;
  p.edit.inpaintArea = InpaintArea::OnlyMasked;
  ControlUnit canny;
  canny.model = "control_canny";
  canny.preprocessor = "canny";
  canny.weight = 0.8;
  canny.image.width = 16;
  canny.image.height = 8;
  canny.image.pixels.assign(16 * 8 * 3, 200);
  ControlUnit inpaint;
  inpaint.model = "control_inpaint";
  inpaint.preprocessor = "inpaint";
  p.controls = {canny, inpaint};
  p.hires.scale = 1.5;
  p.hires.denoise = 0.4;
  return r;
}

std::string text(const GenerationParams& p) {
  return formatInfotext(toInfotext(p));
}

void savePicture(const QString& folder, const QString& name, const std::string& job) {
  QImage image(8, 8, QImage::Format_RGB888);
  image.fill(Qt::red);
  std::map<std::string, std::string> chunks{{"parameters", "x"}};
  if (!job.empty()) chunks[GalleryStore::kJobChunk] = job;
  ASSERT_TRUE(writeFileAtomically(QDir(folder).filePath(name), encodePng(image, chunks)));
}

}  // namespace

TEST(QueueJournal, AJobIsReadBackWhole) {
  QTemporaryDir dir;
  QueueJournal journal(dir.path());
  const JobRequest original = editRequest();
  QString error;
  const QString id = journal.add(original, &error);
  ASSERT_FALSE(id.isEmpty()) << error.toStdString();

  const QList<QueueJournal::Entry> pending = QueueJournal(dir.path()).pending();
  ASSERT_EQ(pending.size(), 1);
  const QueueJournal::Entry& e = pending.front();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(e.problem.isEmpty()) << e.problem.toStdString();
  EXPECT_TRUE(e.created.isValid());
  const JobRequest& r = e.request;
  EXPECT_EQ(r.journalId, id);
  EXPECT_EQ(r.modelPath, original.modelPath);
  EXPECT_EQ(r.modelName, original.modelName);
  EXPECT_EQ(r.galleryDir, original.galleryDir);
  EXPECT_EQ(r.sourceName, original.sourceName);
  // Everything the A1111 text carries, and what it does not.
  EXPECT_EQ(text(r.params), text(original.params));
  EXPECT_EQ(r.params.prompt, original.params.prompt);
  EXPECT_EQ(r.params.batchSize, 3);
  EXPECT_EQ(r.params.device, "cuda:1");
  EXPECT_EQ(r.params.dtype, ComputeDType::BF16);
  EXPECT_FALSE(r.params.previews);
  EXPECT_TRUE(r.params.folders.loras.empty());  // the resumer's current folders apply
  ASSERT_EQ(r.params.adapters.size(), 1u);
  EXPECT_EQ(r.params.adapters[0].name, "extra");
  EXPECT_DOUBLE_EQ(r.params.adapters[0].unetStrength, 0.25);
  // The pictures, byte for byte.
  EXPECT_EQ(r.params.edit.initImage.width, 48);
  EXPECT_EQ(r.params.edit.initImage.pixels, original.params.edit.initImage.pixels);
  EXPECT_EQ(r.params.edit.mask.pixels, original.params.edit.mask.pixels);
  ASSERT_EQ(r.params.controls.size(), 2u);
  EXPECT_EQ(r.params.controls[0].model, "control_canny");
  EXPECT_EQ(r.params.controls[0].preprocessor, original.params.controls[0].preprocessor);
  EXPECT_EQ(r.params.controls[0].image.pixels, original.params.controls[0].image.pixels);
  EXPECT_TRUE(r.params.controls[1].image.empty());  // the unit uses the edit's picture

  EXPECT_TRUE(journal.remove(id));
  EXPECT_FALSE(journal.remove(id));
  EXPECT_TRUE(journal.pending().isEmpty());
}

TEST(QueueJournal, HalfWrittenJobsNeverAppearAndBrokenOnesSaySo) {
  QTemporaryDir dir;
  QueueJournal journal(dir.path());
  JobRequest txt2img;
  txt2img.params.prompt = "a";
  txt2img.params.seed = 1;
  const QString kept = journal.add(txt2img);
  ASSERT_FALSE(kept.isEmpty());
  // What a kill inside add() or remove() leaves.
  QDir root(dir.path());
  ASSERT_TRUE(root.mkpath(QStringLiteral(".tmp-1234/sub")));
  ASSERT_TRUE(root.mkpath(QStringLiteral(".gone-5678")));
  ASSERT_TRUE(root.mkpath(QStringLiteral("broken")));
  QFile bad(root.filePath(QStringLiteral("broken/job.json")));
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("{\"version\": 1, \"infotext\": ");
  bad.close();

  const auto pending = journal.pending();
  ASSERT_EQ(pending.size(), 2);
  int broken = 0;
  for (const auto& e : pending) {
    if (e.id == QLatin1String("broken")) {
      ++broken;
      EXPECT_FALSE(e.problem.isEmpty());
    } else {
      EXPECT_EQ(e.id, kept);
      EXPECT_EQ(e.request.params.prompt, "a");
      EXPECT_TRUE(e.request.params.edit.initImage.empty());
    }
  }
  EXPECT_EQ(broken, 1);
  EXPECT_FALSE(root.exists(QStringLiteral(".tmp-1234")));
  EXPECT_FALSE(root.exists(QStringLiteral(".gone-5678")));
}

TEST(QueueJournal, ResumingSkipsThePicturesAlreadySaved) {
  QTemporaryDir dir, gallery;
  QueueJournal journal(dir.path());
  JobRequest request;
  request.params.prompt = "a";
  request.params.seed = 100;
  request.params.batchSize = 4;
  request.galleryDir = gallery.path();
  const QString id = journal.add(request);
  ASSERT_FALSE(id.isEmpty());
  const auto entry = [&] { return journal.pending().front(); };

  auto left = QueueJournal::remainder(entry());
  ASSERT_TRUE(left);
  EXPECT_EQ(left->params.seed, 100);
  EXPECT_EQ(left->params.batchSize, 4);
  EXPECT_EQ(left->imageIndexOffset, 0);
  EXPECT_EQ(left->journalId, id);

  savePicture(gallery.path(), QStringLiteral("00001-100.png"),
              (id + QStringLiteral(":0")).toStdString());
  savePicture(gallery.path(), QStringLiteral("00002-101.png"),
              (id + QStringLiteral(":1")).toStdString());
  savePicture(gallery.path(), QStringLiteral("00003-7.png"), "another-job:2");
  savePicture(gallery.path(), QStringLiteral("00004-8.png"), "");
  left = QueueJournal::remainder(entry());
  ASSERT_TRUE(left);
  EXPECT_EQ(left->params.seed, 102);
  EXPECT_EQ(left->params.batchSize, 2);
  EXPECT_EQ(left->imageIndexOffset, 2);

  savePicture(gallery.path(), QStringLiteral("00005-102.png"),
              (id + QStringLiteral(":2")).toStdString());
  savePicture(gallery.path(), QStringLiteral("00006-103.png"),
              (id + QStringLiteral(":3")).toStdString());
  EXPECT_FALSE(QueueJournal::remainder(entry()));
}

// The studio offers what an earlier session left: the warning, Generate ▸ Resume unfinished jobs
// (which makes what is left and forgets the job), nothing offered for this session's own jobs.
TEST(UnfinishedJobsInTheStudio, AreOfferedAndResumed) {
  QTemporaryDir journalDir, gallery;
  QSettings().setValue(SettingsKeys::queueJournal(), journalDir.path());
  QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
  const QString id = QueueJournal(journalDir.path())
                         .add(ui::testing::fakeJobRequest("left over", 3, 2, gallery.path()));
  ASSERT_FALSE(id.isEmpty());
  {
    MainWindow window(std::make_shared<ui::testing::FakeBackend>());
    UnfinishedJobs* unfinished = window.unfinishedJobs();
    EXPECT_EQ(unfinished->count(), 1);
    EXPECT_TRUE(unfinished->resumeAction()->isEnabled());
    EXPECT_EQ(window.messageBar()->level(), MessageBar::Level::Warning);
    EXPECT_TRUE(window.messageBar()->text().contains(QStringLiteral("did not finish")))
        << window.messageBar()->text().toStdString();

    unfinished->resumeAction()->trigger();
    ASSERT_TRUE(
        ui::testing::runUntil(window.controller(), &GenerationController::jobFinished, 20000));
    EXPECT_EQ(unfinished->count(), 0);
    EXPECT_FALSE(unfinished->resumeAction()->isEnabled());
    EXPECT_TRUE(QueueJournal(journalDir.path()).pending().isEmpty());
    int mine = 0;
    for (const QString& name : QDir(gallery.path()).entryList({QStringLiteral("*.png")})) {
      const auto chunks = readPngText(QDir(gallery.path()).filePath(name));
      ASSERT_TRUE(chunks);
      mine += chunks->count(GalleryStore::kJobChunk) &&
              QString::fromStdString(chunks->at(GalleryStore::kJobChunk)).startsWith(id);
    }
    EXPECT_EQ(mine, 2);
  }
  // This window's job ended: the next window offers nothing.
  MainWindow next(std::make_shared<ui::testing::FakeBackend>());
  EXPECT_EQ(next.unfinishedJobs()->count(), 0);
}
