// The studio with the real pipeline and the tiny SD1 fixture model: a generation updates the
// canvas at every step, lands in the gallery with the core's metadata, restores, and keeps the
// window responsive; an inpaint from the edit tab keeps every pixel outside the mask. Sizes come
// from the fixture's config, nothing is hard-coded from it.
#include <QAction>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include "eventloopprobe.h"
#include "support/fixtures.h"
#include "ui/canvas.h"
#include "ui/editsession.h"
#include "ui/forwardprocessview.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/galleryview.h"
#include "ui/generationbackend.h"
#include "ui/generationcontroller.h"
#include "ui/mainwindow.h"
#include "ui/maskdocument.h"
#include "ui/messagebar.h"
#include "ui/pngmetadata.h"
#include "ui/promptpanel.h"
#include "ui/settingsdialog.h"
#include "ui/timeline.h"

using namespace lienzo;
using namespace lienzo::ui;
using lienzo::testing::fixturePath;
using lienzo::testing::readJsonFixture;

namespace {

/// The smallest image side the fixture model takes: the VAE's downsampling times the U-Net's.
int smallestSide() {
  const auto config = readJsonFixture("sd1/tiny-sd1.config.json");
  const int vaeLevels = static_cast<int>(config["vae"]["ddconfig"]["ch_mult"].size());
  const int unetLevels = static_cast<int>(config["unet"]["channel_mult"].size());
  return (1 << (vaeLevels - 1)) * (1 << (unetLevels - 1));
}

bool waitForJob(GenerationController* controller, int timeoutMs) {
  QEventLoop loop;
  bool done = false;
  QObject::connect(controller, &GenerationController::jobFinished, &loop, [&] {
    done = true;
    loop.quit();
  });
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  loop.exec();
  return done;
}

QString screenshot(const char* name) {
  return QStringLiteral(LIENZO_SCREENSHOT_DIR "/") + QLatin1String(name);
}

}  // namespace

TEST(PipelineStudio, TinyModelGenerationUpdatesCanvasEveryStepAndLandsInGallery) {
  const auto model = fixturePath("sd1/tiny-sd1.safetensors");
  const auto vocab = fixturePath("clip/bpe_simple_vocab_16e6.txt.gz");
  qputenv("LIENZO_CLIP_VOCAB", QByteArray::fromStdString(vocab.string()));
  const int side = smallestSide();

  QTemporaryDir gallery;
  QSettings().clear();
  QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
  MainWindow window(makeDefaultBackend());
  window.resize(1280, 820);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  PromptPanel* panel = window.promptPanel();
  panel->addModelSource(QString::fromStdString(model.string()));
  ASSERT_EQ(QFileInfo(panel->modelPath()).canonicalFilePath(),
            QFileInfo(QString::fromStdString(model.string())).canonicalFilePath());

  GenerationParams p = panel->params();
  p.prompt = "a red apple on a wooden table";
  p.negativePrompt = "blurry";
  p.steps = 6;
  p.sampler = "Euler a";  // one model call (and preview) per step; DDIM adds one
  p.seed = 42;
  p.width = side;
  p.height = side;
  p.batchSize = 1;
  ASSERT_TRUE(panel->setParams(p).isEmpty());
  const GenerationParams requested = panel->params();

  Canvas* canvas = window.canvas();
  int previews = 0;
  int shown = 0;
  QObject::connect(window.controller(), &GenerationController::stepPreview, canvas,
                   [&](quint64, int, int, int, double, const QImage& preview) {
                     ++previews;
                     shown += !preview.isNull() && canvas->image() == preview ? 1 : 0;
                   });
  // A screenshot mid-generation (this run is not the one watched for responsiveness below).
  bool grabbed = false;
  auto grab =
      QObject::connect(window.controller(), &GenerationController::stepPreview, &window,
                       [&](quint64, int, int step, int total, double, const QImage&) {
                         if (!grabbed && step == total / 2) {
                           grabbed = window.grab().save(screenshot("main_generating_tiny_sd1.png"));
                         }
                       });
  QSignalSpy finished(window.controller(), &GenerationController::jobFinished);
  const int updates = canvas->imageUpdates();
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 600000));
  QObject::disconnect(grab);
  EXPECT_TRUE(grabbed);
  ASSERT_EQ(finished.count(), 1);
  ASSERT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Completed)
      << finished[0][2].toString().toStdString();

  EXPECT_EQ(previews, requested.steps);
  EXPECT_EQ(shown, requested.steps) << "the canvas showed every step's preview";
  EXPECT_EQ(canvas->imageUpdates() - updates, requested.steps + 1);
  EXPECT_EQ(window.timeline()->count(), requested.steps + 1);
  EXPECT_EQ(canvas->image().size(), QSize(side, side));

  ASSERT_EQ(window.galleryModel()->rowCount(), 1);
  const QString path = window.galleryModel()->pathAt(0);
  EXPECT_EQ(QImage(path).size(), QSize(side, side));
  const auto info = readGenerationInfo(path);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, requested.prompt);
  EXPECT_EQ(info->negativePrompt, requested.negativePrompt);
  EXPECT_EQ(info->get("Steps").value_or(""), std::to_string(requested.steps));
  EXPECT_EQ(info->get("Seed").value_or(""), "42");
  EXPECT_EQ(info->get("Sampler").value_or(""), requested.sampler);
  EXPECT_EQ(info->get("Size").value_or(""), std::to_string(side) + "x" + std::to_string(side));
  EXPECT_EQ(info->get("Model").value_or(""), model.stem().string());
  EXPECT_TRUE(QRegularExpression(QStringLiteral("^[0-9a-f]{10}$"))
                  .match(QString::fromStdString(info->get("Model hash").value_or("")))
                  .hasMatch());
  EXPECT_EQ(GalleryStore::loadSteps(path).size(), requested.steps);

  // Restore parameters from the core-written metadata.
  GenerationParams other;
  other.prompt = "something else";
  panel->setParams(other);
  ASSERT_TRUE(window.restoreParametersFrom(path));
  const GenerationParams back = panel->params();
  EXPECT_EQ(back.prompt, requested.prompt);
  EXPECT_EQ(back.negativePrompt, requested.negativePrompt);
  EXPECT_EQ(back.seed, 42);
  EXPECT_EQ(back.steps, requested.steps);
  EXPECT_EQ(back.sampler, requested.sampler);
  EXPECT_EQ(back.width, side);
  EXPECT_EQ(window.messageBar()->level(), MessageBar::Level::Info)
      << window.messageBar()->text().toStdString();

  // Same seed, same image: the second run (model loaded) is watched for responsiveness.
  GenerationParams again = back;
  again.steps = 20;
  panel->setParams(again);
  lienzo::ui::testing::EventLoopProbe probe;
  QObject::connect(window.controller(), &GenerationController::jobStarted, &probe,
                   &lienzo::ui::testing::EventLoopProbe::start);
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 600000));
  probe.stop();
  lienzo::ui::testing::expectResponsive(probe);
  EXPECT_EQ(window.galleryModel()->rowCount(), 2);

  // The forward process of the first result through the model's own VAE and schedule.
  window.showForwardProcess(path);
  ForwardProcessView* forward = window.forwardProcessView();
  ASSERT_TRUE(forward->isVisible());
  forward->setTimestep(600);
  QTRY_COMPARE_WITH_TIMEOUT(forward->shownTimestep(), 600, 60000);
  EXPECT_EQ(forward->resultCanvas()->image().size(), QSize(side, side));
  EXPECT_EQ(window.messageBar()->level(), MessageBar::Level::Info)
      << window.messageBar()->text().toStdString();
  EXPECT_TRUE(window.grab().save(screenshot("forward_process_tiny_sd1.png")));
}

TEST(PipelineStudio, BadModelFileShowsTheCoreErrorInline) {
  QTemporaryDir dir;
  const QString bogus = dir.filePath(QStringLiteral("broken.safetensors"));
  QFile file(bogus);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("this is not a checkpoint");
  file.close();
  QSettings().clear();
  QSettings().setValue(SettingsKeys::galleryFolder(), dir.filePath(QStringLiteral("gallery")));
  MainWindow window(makeDefaultBackend());
  window.show();
  window.promptPanel()->addModelSource(bogus);
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 60000));
  EXPECT_TRUE(window.messageBar()->isVisible());
  EXPECT_EQ(window.messageBar()->level(), MessageBar::Level::Error);
  EXPECT_FALSE(window.messageBar()->text().isEmpty());
  std::cout << "[ message ] " << window.messageBar()->text().toStdString() << "\n";
  EXPECT_EQ(window.galleryModel()->rowCount(), 0);
}

TEST(PipelineStudio, TinyModelInpaintFromTheEditTabKeepsTheUnmaskedPixels) {
  const auto model = fixturePath("sd1/tiny-sd1.safetensors");
  const auto vocab = fixturePath("clip/bpe_simple_vocab_16e6.txt.gz");
  qputenv("LIENZO_CLIP_VOCAB", QByteArray::fromStdString(vocab.string()));
  const int side = smallestSide();
  // The edit runs at the picture's size, at least 64 px: a multiple of the model's smallest side.
  const int s = side * ((64 + side - 1) / side);

  QTemporaryDir gallery;
  QSettings().clear();
  QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
  MainWindow window(makeDefaultBackend());
  window.resize(1280, 820);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  PromptPanel* panel = window.promptPanel();
  panel->addModelSource(QString::fromStdString(model.string()));
  GenerationParams p = panel->params();
  p.prompt = "a green circle";
  p.steps = 4;
  p.sampler = "Euler a";
  p.seed = 3;
  p.batchSize = 1;
  ASSERT_TRUE(panel->setParams(p).isEmpty());

  QImage picture(s, s, QImage::Format_RGB888);
  for (int y = 0; y < s; ++y) {
    for (int x = 0; x < s; ++x) picture.setPixel(x, y, qRgb(x * 255 / s, y * 255 / s, 128));
  }
  EditSession* edit = window.editSession();
  edit->openPicture(picture, QStringLiteral("gradient.png"));
  MaskDocument::Brush brush;
  brush.radius = s / 6.0;
  brush.hardness = 1.0;
  edit->mask()->beginStroke(brush, QPointF(s * 0.3, s * 0.5));
  edit->mask()->strokeTo(QPointF(s * 0.3, s * 0.6));
  edit->mask()->endStroke();
  edit->findChild<QSpinBox*>(QStringLiteral("editMaskBlur"))->setValue(0);
  edit->findChild<QDoubleSpinBox*>(QStringLiteral("editStrength"))->setValue(0.8);
  const QImage mask = edit->mask()->mask().copy();

  QSignalSpy finished(window.controller(), &GenerationController::jobFinished);
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 600000));
  ASSERT_EQ(finished.count(), 1);
  ASSERT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Completed)
      << finished[0][2].toString().toStdString();
  ASSERT_EQ(window.galleryModel()->rowCount(), 1);
  const QString path = window.galleryModel()->pathAt(0);
  const QImage result = QImage(path).convertToFormat(QImage::Format_RGB888);
  ASSERT_EQ(result.size(), picture.size());
  int kept = 0, keptSame = 0, redrawn = 0;
  for (int y = 0; y < s; ++y) {
    for (int x = 0; x < s; ++x) {
      if (mask.constScanLine(y)[x] == 0) {
        ++kept;
        keptSame += result.pixel(x, y) == picture.pixel(x, y);
      } else {
        redrawn += result.pixel(x, y) != picture.pixel(x, y);
      }
    }
  }
  EXPECT_EQ(keptSame, kept) << "every pixel outside the mask is the source's";
  EXPECT_GT(redrawn, 0) << "the masked area was redrawn";
  EXPECT_EQ(GalleryStore::loadSource(path).picture.convertToFormat(QImage::Format_RGB888), picture);
  EXPECT_EQ(edit->picture(), picture) << "the edit tab's picture is untouched";
  ASSERT_TRUE(window.grab().save(screenshot("edit_tiny_sd1.png")));
}
