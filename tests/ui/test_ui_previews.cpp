// Step previews in the studio with the real pipeline: the settings dialog's preview choice
// reaches the request, TAESD previews (taesd/taesd-random.safetensors with the tiny SD1 fixture
// model) are full-size pictures on the canvas, a fast decode is marked in the gallery PNG, and a
// missing TAESD falls back to linear previews with one message-bar notice. Sizes come from the
// fixture configs; a screenshot mid-run goes to LIENZO_SCREENSHOT_DIR.
#include <QCheckBox>
#include <QComboBox>
#include <QEventLoop>
#include <QImage>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "ui/canvas.h"
#include "ui/gallerymodel.h"
#include "ui/generationbackend.h"
#include "ui/generationcontroller.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/pngmetadata.h"
#include "ui/promptpanel.h"
#include "ui/settingsdialog.h"

using namespace lienzo;
using namespace lienzo::ui;
using lienzo::testing::fixturePath;
using lienzo::testing::readJsonFixture;

namespace {

/// Pixels per latent pixel of the tiny SD1 VAE, and the smallest side its U-Net takes.
int vaeFactor() {
  const auto config = readJsonFixture("sd1/tiny-sd1.config.json");
  return 1 << (static_cast<int>(config["vae"]["ddconfig"]["ch_mult"].size()) - 1);
}
int smallestSide() {
  const auto config = readJsonFixture("sd1/tiny-sd1.config.json");
  return vaeFactor() * (1 << (static_cast<int>(config["unet"]["channel_mult"].size()) - 1));
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

QString fixtureQString(const char* relative) {
  return QString::fromStdString(fixturePath(relative).string());
}

}  // namespace

TEST(PreviewSettings, DialogChoiceReachesTheRequest) {
  QSettings().clear();
  GenerationParams defaults;
  applyPreviewSettings(defaults);
  EXPECT_TRUE(defaults.previews);
  EXPECT_EQ(defaults.preview.method, PreviewMethod::Linear);  // the default is free
  EXPECT_FALSE(defaults.fastDecode);

  SettingsDialog dialog;
  auto* method = dialog.findChild<QComboBox*>(QStringLiteral("previewMethod"));
  auto* every = dialog.findChild<QSpinBox*>(QStringLiteral("previewVaeEvery"));
  auto* taesd = dialog.findChild<QLineEdit*>(QStringLiteral("taesdPath"));
  auto* fast = dialog.findChild<QCheckBox*>(QStringLiteral("fastDecode"));
  ASSERT_TRUE(method && every && taesd && fast);
  EXPECT_FALSE(every->isEnabled()) << "the interval only applies to full-VAE previews";
  method->setCurrentIndex(method->findData(QStringLiteral("vae")));
  EXPECT_TRUE(every->isEnabled());
  every->setValue(7);
  dialog.save();
  GenerationParams p;
  applyPreviewSettings(p);
  EXPECT_EQ(p.preview.method, PreviewMethod::FullVae);
  EXPECT_EQ(p.preview.vaeEvery, 7);

  method->setCurrentIndex(method->findData(QStringLiteral("taesd")));
  taesd->setText(QStringLiteral("/models/vae_approx"));
  fast->setChecked(true);
  dialog.save();
  applyPreviewSettings(p);
  EXPECT_EQ(p.preview.method, PreviewMethod::Taesd);
  EXPECT_EQ(p.preview.taesd, std::filesystem::path("/models/vae_approx"));
  EXPECT_TRUE(p.fastDecode);
  SettingsDialog reopened;  // shows what was saved
  EXPECT_EQ(reopened.previewMethod(), PreviewMethod::Taesd);
  EXPECT_TRUE(reopened.fastDecode());
}

TEST(PreviewStudio, TaesdPreviewsFastDecodeAndOneFallbackNotice) {
  const auto vocab = fixturePath("clip/bpe_simple_vocab_16e6.txt.gz");
  qputenv("LIENZO_CLIP_VOCAB", QByteArray::fromStdString(vocab.string()));
  const int side = 4 * smallestSide();  // big enough to see the picture in the screenshot
  QTemporaryDir gallery;
  QSettings().clear();
  QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
  QSettings().setValue(SettingsKeys::previewMethod(), QStringLiteral("taesd"));
  QSettings().setValue(SettingsKeys::taesdPath(), fixtureQString("taesd/taesd-random.safetensors"));
  // Every step: the tiny U-Net is far cheaper than TAESD, so the 5 % budget would skip most.
  QSettings().setValue(SettingsKeys::taesdBudget(), 0.0);

  MainWindow window(makeDefaultBackend());
  window.resize(1280, 820);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  PromptPanel* panel = window.promptPanel();
  panel->addModelSource(fixtureQString("sd1/tiny-sd1.safetensors"));
  GenerationParams p = panel->params();
  p.prompt = "a red apple on a wooden table";
  p.steps = 6;
  p.sampler = "Euler a";
  p.seed = 7;
  p.width = p.height = side;
  p.batchSize = 1;
  ASSERT_TRUE(panel->setParams(p).isEmpty());

  QList<QSize> sizes;
  bool grabbed = false;
  auto watch = QObject::connect(
      window.controller(), &GenerationController::stepPreview, &window,
      [&](quint64, int, int step, int total, double, const QImage& preview) {
        sizes << preview.size();
        if (!grabbed && step == total / 2)
          grabbed = window.grab().save(screenshot("main_generating_taesd_tiny_sd1.png"));
      });
  int fallbackNotices = 0;
  QObject::connect(window.controller(), &GenerationController::jobNotices, &window,
                   [&](quint64, const QStringList& notices) {
                     for (const QString& n : notices)
                       fallbackNotices += n.contains(QLatin1String("TAESD")) ? 1 : 0;
                   });
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 600000));
  QObject::disconnect(watch);
  EXPECT_TRUE(grabbed);
  ASSERT_EQ(sizes.size(), p.steps);
  for (const QSize& s : sizes) EXPECT_EQ(s, QSize(side, side)) << "TAESD previews are full size";
  EXPECT_EQ(fallbackNotices, 0);
  ASSERT_EQ(window.galleryModel()->rowCount(), 1);
  auto info = readGenerationInfo(window.galleryModel()->pathAt(0));
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->get("VAE Decoder").has_value()) << "the full VAE made this picture";

  // A fast decode: the picture by TAESD, marked in the metadata.
  QSettings().setValue(SettingsKeys::fastDecode(), true);
  ASSERT_NE(window.generate(), 0u);
  ASSERT_TRUE(waitForJob(window.controller(), 600000));
  ASSERT_EQ(window.galleryModel()->rowCount(), 2);
  info = readGenerationInfo(window.galleryModel()->pathAt(0));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("VAE Decoder").value_or(""), "TAESD");
  EXPECT_EQ(QImage(window.galleryModel()->pathAt(0)).size(), QSize(side, side));

  // TAESD missing: linear previews (latent size), and the notice once for two jobs.
  QTemporaryDir empty;
  QSettings().setValue(SettingsKeys::taesdPath(), empty.path());
  QSettings().setValue(SettingsKeys::fastDecode(), false);
  for (int job = 0; job < 2; ++job) {
    sizes.clear();
    watch = QObject::connect(
        window.controller(), &GenerationController::stepPreview, &window,
        [&](quint64, int, int, int, double, const QImage& preview) { sizes << preview.size(); });
    ASSERT_NE(window.generate(), 0u);
    ASSERT_TRUE(waitForJob(window.controller(), 600000));
    QObject::disconnect(watch);
    ASSERT_EQ(sizes.size(), p.steps);
    const int latent = side / vaeFactor();
    for (const QSize& s : sizes) EXPECT_EQ(s, QSize(latent, latent)) << "linear fallback";
    if (job == 0) {
      EXPECT_EQ(window.messageBar()->level(), MessageBar::Level::Warning);
      EXPECT_TRUE(window.messageBar()->text().contains(QLatin1String("TAESD")))
          << window.messageBar()->text().toStdString();
    }
  }
  EXPECT_EQ(fallbackNotices, 1) << "the fallback is said once";
}
