// Widget tests of the studio with the backend double: controls <-> params, a generation that
// updates the canvas at every step and lands in the gallery with its metadata, cancel (Esc and
// finish-current-image), responsiveness, restore parameters, drag-and-drop, compare, forward
// process, translations. Screenshots go to LIENZO_SCREENSHOT_DIR.
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QTranslator>
#include <QUrl>

#include <gtest/gtest.h>

#include <memory>

#include "eventloopprobe.h"
#include "fakebackend.h"
#include "ui/canvas.h"
#include "ui/compareview.h"
#include "ui/forwardprocessview.h"
#include "ui/gallerymodel.h"
#include "ui/galleryview.h"
#include "ui/generationcontroller.h"
#include "ui/imageconvert.h"
#include "ui/languages.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/pngmetadata.h"
#include "ui/promptpanel.h"
#include "ui/settingsdialog.h"
#include "ui/timeline.h"

using namespace lienzo;
using namespace lienzo::ui;
using lienzo::ui::testing::EventLoopProbe;
using lienzo::ui::testing::expectResponsive;
using lienzo::ui::testing::FakeBackend;
using lienzo::ui::testing::runUntil;

namespace {

QString screenshotPath(const char* name) {
  return QStringLiteral(LIENZO_SCREENSHOT_DIR "/") + QLatin1String(name);
}

template <typename T>
T* child(QWidget* parent, const char* name) {
  T* w = parent->findChild<T*>(QLatin1String(name));
  if (!w) ADD_FAILURE() << "no child " << name;
  return w;
}

QAction* actionNamed(QWidget* parent, const QString& text) {
  for (QAction* a : parent->findChildren<QAction*>()) {
    if (a->text() == text) return a;
  }
  ADD_FAILURE() << "no action " << text.toStdString();
  return nullptr;
}

class StudioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QSettings().clear();
    QSettings().setValue(SettingsKeys::galleryFolder(), m_gallery.path());
    m_backend = std::make_shared<FakeBackend>();
    m_window = std::make_unique<MainWindow>(m_backend);
    m_modelPath = m_models.filePath(QStringLiteral("fake-model.safetensors"));
    QFile model(m_modelPath);
    ASSERT_TRUE(model.open(QIODevice::WriteOnly));
    model.close();
    panel()->addModelSource(m_modelPath);
    ASSERT_EQ(panel()->modelPath(), m_modelPath);
    m_window->resize(1280, 820);
    m_window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(m_window.get()));
  }
  void TearDown() override { m_window.reset(); }

  PromptPanel* panel() const { return m_window->promptPanel(); }
  GenerationController* controller() const { return m_window->controller(); }

  /// Sets the controls for a small, fast image.
  void setControls(const QString& prompt, int steps, qint64 seed, int size = 64) {
    GenerationParams p = panel()->params();
    p.prompt = prompt.toStdString();
    p.steps = steps;
    p.seed = seed;
    p.width = size;
    p.height = size;
    p.batchSize = 1;
    EXPECT_TRUE(panel()->setParams(p).isEmpty());
  }

  bool generateAndWait(int timeoutMs = 20000) {
    QSignalSpy finished(controller(), &GenerationController::jobFinished);
    if (m_window->generate() == 0) return false;
    return QTest::qWaitFor([&] { return !finished.isEmpty() && !controller()->isBusy(); },
                           timeoutMs);
  }

  QTemporaryDir m_gallery;
  QTemporaryDir m_models;
  QString m_modelPath;
  std::shared_ptr<FakeBackend> m_backend;
  std::unique_ptr<MainWindow> m_window;
};

}  // namespace

TEST_F(StudioTest, ControlsMapToGenerationParams) {
  QWidget* p = panel();
  auto* prompt = child<QPlainTextEdit>(p, "prompt");
  prompt->clear();
  QTest::keyClicks(prompt, QStringLiteral("a lighthouse"));
  QTest::keyClick(prompt, Qt::Key_Return);
  QTest::keyClicks(prompt, QStringLiteral("at dusk"));
  auto* negative = child<QPlainTextEdit>(p, "negativePrompt");
  negative->clear();
  QTest::keyClicks(negative, QStringLiteral("fog"));
  auto* seed = child<QLineEdit>(p, "seed");
  seed->clear();
  QTest::keyClicks(seed, QStringLiteral("98765x"));  // the validator drops the letter
  child<QSpinBox>(p, "steps")->setValue(33);
  child<QDoubleSpinBox>(p, "cfgScale")->setValue(4.5);
  auto* sampler = child<QComboBox>(p, "sampler");
  sampler->setCurrentIndex(sampler->findText(QStringLiteral("DPM++ 2M")));
  auto* schedule = child<QComboBox>(p, "schedule");
  schedule->setCurrentIndex(schedule->findText(QStringLiteral("Karras")));
  auto* width = child<QSpinBox>(p, "width");
  width->setValue(517);  // rounded to a multiple of 8 when editing finishes
  emit width->editingFinished();
  child<QSpinBox>(p, "height")->setValue(768);
  child<QSpinBox>(p, "batchCount")->setValue(3);
  auto* precision = child<QComboBox>(p, "precision");
  precision->setCurrentIndex(precision->findData(QStringLiteral("bf16")));

  const GenerationParams params = panel()->params();
  EXPECT_EQ(params.prompt, "a lighthouse\nat dusk");
  EXPECT_EQ(params.negativePrompt, "fog");
  EXPECT_EQ(params.seed, 98765);
  EXPECT_EQ(params.steps, 33);
  EXPECT_DOUBLE_EQ(params.cfgScale, 4.5);
  EXPECT_EQ(params.sampler, "DPM++ 2M");
  EXPECT_EQ(params.schedule, "Karras");
  EXPECT_EQ(params.width, 520);
  EXPECT_EQ(params.height, 768);
  EXPECT_EQ(params.batchSize, 3);
  EXPECT_EQ(params.dtype, ComputeDType::BF16);
  EXPECT_EQ(params.device, "cpu");

  // The dice means "random" (−1); the size presets set both sides.
  QTest::mouseClick(child<QWidget>(p, "dice"), Qt::LeftButton);
  EXPECT_EQ(panel()->params().seed, -1);
  auto* presets = child<QComboBox>(p, "sizePreset");
  const int preset = presets->findData(QSize(768, 512));
  ASSERT_GE(preset, 0);
  emit presets->activated(preset);
  EXPECT_EQ(panel()->params().width, 768);
  EXPECT_EQ(panel()->params().height, 512);
}

TEST_F(StudioTest, SetParamsRoundTripsAndReportsWhatDoesNotFit) {
  GenerationParams p;
  p.prompt = "line one\nline two";
  p.negativePrompt = "bad";
  p.seed = 4000000000LL;  // above int32: seeds are 64-bit
  p.steps = 12;
  p.cfgScale = 6.5;
  p.sampler = "k_dpmpp_2m";  // an alias other tools write
  p.schedule = "Exponential";
  p.width = 320;
  p.height = 192;
  p.batchSize = 2;
  EXPECT_TRUE(panel()->setParams(p).isEmpty());
  const GenerationParams back = panel()->params();
  EXPECT_EQ(back.prompt, p.prompt);
  EXPECT_EQ(back.negativePrompt, p.negativePrompt);
  EXPECT_EQ(back.seed, p.seed);
  EXPECT_EQ(back.steps, p.steps);
  EXPECT_DOUBLE_EQ(back.cfgScale, p.cfgScale);
  EXPECT_EQ(back.sampler, "DPM++ 2M");
  EXPECT_EQ(back.schedule, p.schedule);
  EXPECT_EQ(back.width, p.width);
  EXPECT_EQ(back.height, p.height);
  EXPECT_EQ(back.batchSize, p.batchSize);

  p.sampler = "Heun++ Imaginary";
  const QStringList notes = panel()->setParams(p);
  ASSERT_EQ(notes.size(), 1);
  EXPECT_TRUE(notes[0].contains(QStringLiteral("Heun++ Imaginary")));
  EXPECT_EQ(panel()->params().sampler, "DPM++ 2M") << "kept the previous sampler";

  // A legacy A1111 name carries its schedule where none was chosen (sampler_names.h rules).
  p.sampler = "euler Karras";
  p.schedule = "Automatic";
  EXPECT_TRUE(panel()->setParams(p).isEmpty());
  EXPECT_EQ(panel()->params().sampler, "Euler");
  EXPECT_EQ(panel()->params().schedule, "Karras");
  p.schedule = "normal";  // an alias of "Uniform"
  EXPECT_TRUE(panel()->setParams(p).isEmpty());
  EXPECT_EQ(panel()->params().schedule, "Uniform");
  p.schedule = "Beta";  // known to A1111, not run by Lienzo
  const QStringList scheduleNotes = panel()->setParams(p);
  ASSERT_EQ(scheduleNotes.size(), 1);
  EXPECT_TRUE(scheduleNotes[0].contains(QStringLiteral("Beta")));
  EXPECT_EQ(panel()->params().schedule, "Uniform") << "kept the previous schedule";
}

TEST_F(StudioTest, SettingsPersistAcrossRuns) {
  setControls(QStringLiteral("remember me"), 17, 555);
  panel()->saveSettings();
  MainWindow second(m_backend);
  const GenerationParams p = second.promptPanel()->params();
  EXPECT_EQ(p.prompt, "remember me");
  EXPECT_EQ(p.steps, 17);
  EXPECT_EQ(p.seed, 555);
  EXPECT_EQ(second.promptPanel()->modelPath(), m_modelPath) << "the added model is remembered";
}

TEST_F(StudioTest, GenerationUpdatesCanvasEveryStepAndLandsInGalleryWithMetadata) {
  setControls(QString(), 8, 1234);
  auto* prompt = child<QPlainTextEdit>(panel(), "prompt");
  prompt->setFocus();
  QTest::keyClicks(prompt, QStringLiteral("a red fox"));
  QTest::keyClick(prompt, Qt::Key_Return);
  QTest::keyClicks(prompt, QStringLiteral("in the snow, "));
  prompt->insertPlainText(QStringLiteral("ñandú"));  // QTest types ASCII only

  Canvas* canvas = m_window->canvas();
  int shownPreviews = 0;
  int previews = 0;
  QObject::connect(controller(), &GenerationController::stepPreview, canvas,
                   [&](quint64, int, int, int, double, const QImage& preview) {
                     ++previews;
                     shownPreviews += canvas->image() == preview ? 1 : 0;
                   });
  const int updatesBefore = canvas->imageUpdates();
  QSignalSpy finished(controller(), &GenerationController::jobFinished);
  QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);  // Generate (Ctrl+Enter)
  ASSERT_TRUE(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 10000));
  EXPECT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Completed);
  EXPECT_EQ(prompt->toPlainText(), QStringLiteral("a red fox\nin the snow, ñandú"))
      << "Ctrl+Enter generates instead of typing a newline";

  EXPECT_EQ(previews, 8);
  EXPECT_EQ(shownPreviews, 8) << "the canvas shows every step's preview";
  EXPECT_EQ(canvas->imageUpdates() - updatesBefore, 8 + 1) << "8 steps + the final image";
  EXPECT_EQ(canvas->image().size(), QSize(64, 64));
  EXPECT_EQ(m_window->timeline()->count(), 9);
  EXPECT_TRUE(m_window->statusText().contains(QStringLiteral("#1")));

  ASSERT_EQ(m_window->galleryModel()->rowCount(), 1);
  const QString path = m_window->galleryModel()->pathAt(0);
  EXPECT_EQ(QFileInfo(path).absolutePath(), QFileInfo(m_gallery.path()).absoluteFilePath());
  const auto info = readGenerationInfo(path);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a red fox\nin the snow, ñandú");
  EXPECT_EQ(info->get("Steps").value_or(""), "8");
  EXPECT_EQ(info->get("Seed").value_or(""), "1234");
  EXPECT_EQ(info->get("Size").value_or(""), "64x64");
  EXPECT_EQ(info->get("Sampler").value_or(""), panel()->params().sampler);
  EXPECT_EQ(info->get("Model").value_or(""), "fake-model");
  EXPECT_EQ(QImage(path).convertToFormat(QImage::Format_RGB888),
            toQImage(FakeBackend::finalImage(1234, 64, 64)));

  // Reuse last seed after a random-seed run.
  panel()->setParams([&] {
    GenerationParams p = panel()->params();
    p.seed = -1;
    return p;
  }());
  QTest::mouseClick(child<QWidget>(panel(), "reuseSeed"), Qt::LeftButton);
  EXPECT_EQ(panel()->params().seed, 1234);

  // Timeline: scrub back to the first step, then play to the end.
  Timeline* timeline = m_window->timeline();
  timeline->setCurrent(0);
  EXPECT_EQ(canvas->image(), timeline->frame(0));
  timeline->setFramesPerSecond(100);
  timeline->play();
  ASSERT_TRUE(QTest::qWaitFor([&] { return !timeline->isPlaying(); }, 3000));
  EXPECT_EQ(timeline->current(), timeline->count() - 1);
  EXPECT_EQ(canvas->image(), timeline->frame(timeline->count() - 1));
}

TEST_F(StudioTest, EventLoopIsNeverBlockedLongerThan50msDuringAGeneration) {
  m_backend->stepDelayMs = 8;
  setControls(QStringLiteral("responsiveness"), 60, 7, 512);  // 64×64 previews, 512² PNG
  EventLoopProbe probe;
  QObject::connect(controller(), &GenerationController::jobStarted, &probe, &EventLoopProbe::start);
  ASSERT_NE(m_window->generate(), 0u);
  ASSERT_TRUE(runUntil(controller(), &GenerationController::jobFinished, 20000));
  probe.stop();
  EXPECT_EQ(m_window->timeline()->count(), 61);
  EXPECT_GT(probe.ticks(), 1) << "the probe ran during the generation";
  expectResponsive(probe);
}

TEST_F(StudioTest, EscapeStopsNowAndShiftEscapeFinishesTheCurrentImage) {
  m_backend->stepDelayMs = 20;
  setControls(QStringLiteral("long"), 150, 1);
  QSignalSpy steps(controller(), &GenerationController::stepPreview);
  QSignalSpy finished(controller(), &GenerationController::jobFinished);
  ASSERT_NE(m_window->generate(), 0u);
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 2; }, 5000));
  QTest::keyClick(child<QPlainTextEdit>(panel(), "prompt"), Qt::Key_Escape);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 2000));
  EXPECT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Cancelled);
  EXPECT_LT(steps.count(), 150);
  EXPECT_EQ(m_window->galleryModel()->rowCount(), 0);

  // Batch of 3: finish the current image, skip the rest.
  GenerationParams p = panel()->params();
  p.steps = 6;
  p.batchSize = 3;
  panel()->setParams(p);
  steps.clear();
  finished.clear();
  ASSERT_NE(m_window->generate(), 0u);
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 1; }, 5000));
  QTest::keyClick(m_window.get(), Qt::Key_Escape, Qt::ShiftModifier);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 5000));
  EXPECT_EQ(finished[0][1].value<JobStatus>(), JobStatus::Cancelled);
  EXPECT_EQ(steps.count(), 6);
  EXPECT_EQ(m_window->galleryModel()->rowCount(), 1);
}

TEST_F(StudioTest, QueuedJobsCanBeRemovedFromTheQueuePanel) {
  m_backend->stepDelayMs = 10;
  setControls(QStringLiteral("first"), 100, 1);
  const quint64 first = m_window->generate();
  setControls(QStringLiteral("second"), 5, 2);
  const quint64 second = m_window->generate();
  JobQueue* queue = controller()->queue();
  ASSERT_EQ(queue->job(second)->status, JobStatus::Queued);
  auto* list = child<QListView>(m_window.get(), "queueList");
  list->selectionModel()->select(queue->index(1), QItemSelectionModel::ClearAndSelect);
  QPushButton* remove = nullptr;
  for (QPushButton* b : m_window->findChildren<QPushButton*>()) {
    if (b->text() == QStringLiteral("Remove")) remove = b;
  }
  ASSERT_NE(remove, nullptr);
  EXPECT_TRUE(remove->isEnabled());
  QTest::mouseClick(remove, Qt::LeftButton);
  EXPECT_EQ(queue->job(second), nullptr);
  m_window->cancel(CancelMode::StopNow);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !controller()->isBusy(); }, 3000));
  EXPECT_EQ(queue->job(first)->status, JobStatus::Cancelled);
  EXPECT_EQ(m_backend->generateCalls.load(), 1);
}

TEST_F(StudioTest, CoreErrorsAppearInlineAndTheWindowKeepsWorking) {
  setControls(QStringLiteral("this will [fail]"), 4, 1);
  ASSERT_TRUE(generateAndWait());
  MessageBar* bar = m_window->messageBar();
  EXPECT_TRUE(bar->isVisible());
  EXPECT_EQ(bar->level(), MessageBar::Level::Error);
  EXPECT_TRUE(bar->text().contains(QString::fromStdString(m_backend->failMessage)))
      << bar->text().toStdString();
  setControls(QStringLiteral("this works"), 4, 2);
  ASSERT_TRUE(generateAndWait());
  EXPECT_EQ(m_window->galleryModel()->rowCount(), 1);
}

TEST_F(StudioTest, RestoreParametersRoundTripsThroughTheGallery) {
  GenerationParams original = panel()->params();
  original.prompt = "a tower\nof glass";
  original.negativePrompt = "blurry, low quality";
  original.seed = 31337;
  original.steps = 7;
  original.cfgScale = 5.5;
  original.sampler = "DPM++ 2M";
  original.schedule = "Karras";
  original.width = 64;
  original.height = 128;
  original.batchSize = 1;
  ASSERT_TRUE(panel()->setParams(original).isEmpty());
  ASSERT_TRUE(generateAndWait());
  ASSERT_EQ(m_window->galleryModel()->rowCount(), 1);
  const QString path = m_window->galleryModel()->pathAt(0);

  GenerationParams other;
  other.prompt = "something else";
  panel()->setParams(other);
  ASSERT_TRUE(m_window->galleryView()->selectPath(path));
  QAction* restore = actionNamed(m_window->galleryView(), QStringLiteral("Restore parameters"));
  ASSERT_NE(restore, nullptr);
  ASSERT_TRUE(restore->isEnabled());
  restore->trigger();
  const GenerationParams back = panel()->params();
  EXPECT_EQ(back.prompt, original.prompt);
  EXPECT_EQ(back.negativePrompt, original.negativePrompt);
  EXPECT_EQ(back.seed, original.seed);
  EXPECT_EQ(back.steps, original.steps);
  EXPECT_DOUBLE_EQ(back.cfgScale, original.cfgScale);
  EXPECT_EQ(back.sampler, original.sampler);
  EXPECT_EQ(back.schedule, original.schedule);
  EXPECT_EQ(back.width, original.width);
  EXPECT_EQ(back.height, original.height);
  EXPECT_EQ(panel()->modelPath(), m_modelPath);
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Info)
      << m_window->messageBar()->text().toStdString();
}

TEST_F(StudioTest, GuidanceIsOfferedOnlyForModelsThatTakeIt) {
  // A Flux dev-like description: the guidance row appears with the model's default.
  ModelDescription flux;
  flux.family = "Flux";
  flux.defaultWidth = flux.defaultHeight = 1024;
  flux.defaultSteps = 28;
  flux.defaultCfg = 1.0;
  flux.defaultSampler = "Euler";
  flux.defaultGuidance = 3.5;
  panel()->applyModelDefaults(flux);
  auto* guidance = panel()->findChild<QDoubleSpinBox*>(QStringLiteral("guidance"));
  ASSERT_NE(guidance, nullptr);
  EXPECT_TRUE(guidance->isVisibleTo(panel()));
  ASSERT_TRUE(panel()->params().guidance.has_value());
  EXPECT_DOUBLE_EQ(*panel()->params().guidance, 3.5);
  EXPECT_DOUBLE_EQ(panel()->params().cfgScale, 1.0);
  guidance->setValue(2.0);
  EXPECT_DOUBLE_EQ(*panel()->params().guidance, 2.0);
  QApplication::processEvents();
  EXPECT_TRUE(m_window->grab().save(screenshotPath("studio-flux-guidance.png")));
  // A restored Flux picture brings its guidance back.
  GenerationParams restored = panel()->params();
  restored.guidance = 4.5;
  panel()->setParams(restored);
  EXPECT_DOUBLE_EQ(*panel()->params().guidance, 4.5);
  // An SD model: no guidance row and none sent.
  ModelDescription sd;
  panel()->applyModelDefaults(sd);
  EXPECT_FALSE(guidance->isVisibleTo(panel()));
  EXPECT_FALSE(panel()->params().guidance.has_value());
}

TEST_F(StudioTest, DroppingAComfyUiPngRestoresWhatItCarries) {
  const std::string graph = R"({"3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 12,
    "cfg": 6.5, "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1,
    "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0], "model": ["4", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dream.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 640, "height": 448, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a castle\non a hill"}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "fog"}}})";
  QTemporaryDir elsewhere;
  const QString file = elsewhere.filePath(QStringLiteral("ComfyUI_00001_.png"));
  ASSERT_TRUE(writeFileAtomically(
      file, encodePng(toQImage(FakeBackend::finalImage(1, 40, 28)), {{"prompt", graph}})));

  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(file)});
  QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(m_window.get(), &enter);
  EXPECT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(m_window.get(), &drop);

  const GenerationParams p = panel()->params();
  EXPECT_EQ(p.prompt, "a castle\non a hill");
  EXPECT_EQ(p.negativePrompt, "fog");
  EXPECT_EQ(p.seed, 5);
  EXPECT_EQ(p.steps, 12);
  EXPECT_DOUBLE_EQ(p.cfgScale, 6.5);
  EXPECT_EQ(p.sampler, "DPM++ 2M");
  EXPECT_EQ(p.schedule, "Karras");
  EXPECT_EQ(p.width, 640);
  EXPECT_EQ(p.height, 448);
  EXPECT_EQ(m_window->canvas()->image().size(), QSize(40, 28)) << "the dropped image is shown";
  // The model it names is not installed here: the restore says so and keeps the current one.
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Warning);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("dream")));
  EXPECT_EQ(panel()->modelPath(), m_modelPath);

  // A PNG without parameters says so instead of changing anything.
  const QString plain = elsewhere.filePath(QStringLiteral("plain.png"));
  ASSERT_TRUE(QImage(8, 8, QImage::Format_RGB888).save(plain));
  EXPECT_FALSE(m_window->restoreParametersFrom(plain));
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Error);
  EXPECT_EQ(panel()->params().prompt, "a castle\non a hill");
}

TEST_F(StudioTest, ClosingDuringAGenerationCancelsCleanly) {
  m_backend->stepDelayMs = 20;
  setControls(QStringLiteral("interrupted"), 150, 3);
  QSignalSpy steps(controller(), &GenerationController::stepPreview);
  const quint64 id = m_window->generate();
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 2; }, 5000));
  QElapsedTimer clock;
  clock.start();
  EXPECT_TRUE(m_window->close());
  EXPECT_LT(clock.elapsed(), 1000);
  EXPECT_FALSE(controller()->isBusy());
  EXPECT_EQ(controller()->queue()->job(id)->status, JobStatus::Cancelled);
  EXPECT_EQ(controller()->enqueue(JobRequest{}), 0u) << "nothing runs after shutdown";
}

TEST_F(StudioTest, CanvasZoomsPansAndKeepsSmallImagesCrisp) {
  Canvas canvas;
  canvas.resize(400, 400);
  QImage checker(2, 2, QImage::Format_RGB888);
  checker.setPixelColor(0, 0, Qt::white);
  checker.setPixelColor(1, 0, Qt::black);
  checker.setPixelColor(0, 1, Qt::black);
  checker.setPixelColor(1, 1, Qt::white);
  canvas.setImage(checker);
  EXPECT_DOUBLE_EQ(canvas.effectiveScale(), 200.0) << "fit";
  const QImage shot = canvas.grab().toImage();
  // Nearest-neighbour: a hard edge between the image pixels, no blending next to it.
  EXPECT_EQ(shot.pixelColor(197, 100), QColor(Qt::white));
  EXPECT_EQ(shot.pixelColor(203, 100), QColor(Qt::black));
  canvas.zoomActualSize();
  EXPECT_DOUBLE_EQ(canvas.effectiveScale(), 1.0);
  QSignalSpy changed(&canvas, &Canvas::viewChanged);
  QWheelEvent wheel(QPointF(200, 200), QPointF(200, 200), QPoint(), QPoint(0, 120), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QCoreApplication::sendEvent(&canvas, &wheel);
  EXPECT_DOUBLE_EQ(canvas.effectiveScale(), 1.25);
  EXPECT_EQ(changed.count(), 1);
  const QPointF before = canvas.view().center;
  QTest::mousePress(&canvas, Qt::LeftButton, {}, QPoint(200, 200));
  QTest::mouseMove(&canvas, QPoint(150, 200));
  QTest::mouseRelease(&canvas, Qt::LeftButton, {}, QPoint(150, 200));
  EXPECT_NEAR(canvas.view().center.x() - before.x(), 50 / 1.25, 1e-9) << "dragging pans";
  canvas.zoomToFit();
  EXPECT_DOUBLE_EQ(canvas.effectiveScale(), 200.0);
}

TEST_F(StudioTest, CompareViewSynchronisesAndHighlightsDifferences) {
  setControls(QStringLiteral("a blue boat"), 5, 10, 128);
  ASSERT_TRUE(generateAndWait());
  GenerationParams p = panel()->params();
  p.seed = 11;
  p.cfgScale = 9.0;
  panel()->setParams(p);
  ASSERT_TRUE(generateAndWait());
  setControls(QStringLiteral("a green field"), 6, 12, 128);
  ASSERT_TRUE(generateAndWait());
  ASSERT_EQ(m_window->galleryModel()->rowCount(), 3);
  // Main window idle, with a finished image and a gallery (CI artifact).
  ASSERT_TRUE(m_window->grab().save(screenshotPath("main_idle.png")));

  const QString newer = m_window->galleryModel()->pathAt(1);  // seed 11, CFG 9
  const QString older = m_window->galleryModel()->pathAt(2);  // seed 10, CFG 7
  m_window->galleryView()->selectPath(older);
  auto* list = child<QListView>(m_window->galleryView(), "galleryList");
  list->selectionModel()->select(list->model()->index(1, 0), QItemSelectionModel::Select);
  ASSERT_EQ(m_window->galleryView()->selectedPaths().size(), 2);
  QAction* compare = actionNamed(m_window->galleryView(), QStringLiteral("Compare"));
  ASSERT_TRUE(compare && compare->isEnabled());
  compare->trigger();
  CompareView* view = m_window->compareView();
  EXPECT_EQ(m_window->tabs()->currentWidget(), view);
  const QStringList differing = view->differingKeys();
  EXPECT_TRUE(differing.contains(QStringLiteral("Seed")));
  EXPECT_TRUE(differing.contains(QStringLiteral("CFG scale")));
  EXPECT_FALSE(differing.contains(QStringLiteral("Steps")));
  EXPECT_FALSE(differing.contains(QStringLiteral("Prompt")));
  (void)newer;
  auto* table = child<QTableWidget>(view, "compareTable");
  auto* only = child<QCheckBox>(view, "onlyDifferences");
  only->setChecked(true);
  int visible = 0;
  for (int row = 0; row < table->rowCount(); ++row) visible += table->isRowHidden(row) ? 0 : 1;
  EXPECT_EQ(visible, differing.size()) << "only the differing parameters are listed";
  only->setChecked(false);

  QTest::qWait(50);
  view->leftCanvas()->zoomBy(2.0, QPointF(40, 40));
  EXPECT_FALSE(view->rightCanvas()->view().fit);
  EXPECT_DOUBLE_EQ(view->rightCanvas()->view().scale, view->leftCanvas()->view().scale);
  EXPECT_EQ(view->rightCanvas()->view().center, view->leftCanvas()->view().center);
  view->leftCanvas()->zoomToFit();
  ASSERT_TRUE(m_window->grab().save(screenshotPath("compare.png")));
  view->setMode(CompareView::Mode::Wipe);
  view->setWipe(0.35);
  QTest::qWait(20);
  ASSERT_TRUE(m_window->grab().save(screenshotPath("compare_wipe.png")));
}

TEST_F(StudioTest, ForwardProcessViewShowsNoisedImagesAlongTheSchedule) {
  setControls(QStringLiteral("a yellow kite"), 4, 21, 128);
  ASSERT_TRUE(generateAndWait());
  ASSERT_TRUE(m_window->galleryView()->selectPath(m_window->galleryModel()->pathAt(0)));
  QAction* forward = actionNamed(m_window->galleryView(), QStringLiteral("Forward process"));
  ASSERT_TRUE(forward && forward->isEnabled());
  forward->trigger();
  ForwardProcessView* view = m_window->forwardProcessView();
  EXPECT_EQ(m_window->tabs()->currentWidget(), view);
  auto* slider = child<QSlider>(view, "timestep");
  ASSERT_TRUE(QTest::qWaitFor([&] { return slider->maximum() == 999; }, 5000));
  view->setTimestep(600);
  ASSERT_TRUE(QTest::qWaitFor([&] { return view->shownTimestep() == 600; }, 5000));
  EXPECT_EQ(view->resultCanvas()->image().size(), QSize(128, 128));
  ASSERT_TRUE(m_window->grab().save(screenshotPath("forward_process.png")));
}

TEST_F(StudioTest, MidGenerationScreenshot) {
  setControls(QStringLiteral("warm-up"), 3, 1, 512);
  ASSERT_TRUE(generateAndWait());
  m_backend->stepDelayMs = 40;
  setControls(QStringLiteral("a lighthouse on a cliff at dusk, oil painting"), 30, 99, 512);
  QSignalSpy steps(controller(), &GenerationController::stepPreview);
  ASSERT_NE(m_window->generate(), 0u);
  ASSERT_TRUE(QTest::qWaitFor([&] { return steps.count() >= 14; }, 10000));
  EXPECT_TRUE(m_window->statusText().contains(QStringLiteral("it/s")))
      << m_window->statusText().toStdString();
  EXPECT_TRUE(m_window->statusText().contains(QStringLiteral("ETA")));
  ASSERT_TRUE(m_window->grab().save(screenshotPath("main_generating.png")));
  m_window->cancel(CancelMode::StopNow);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !controller()->isBusy(); }, 3000));
}

TEST(Translations, SpanishIsCompleteAndChosenByLanguage) {
  EXPECT_EQ(resolveLanguage(QStringLiteral("es_MX")), QStringLiteral("es"));
  EXPECT_EQ(resolveLanguage(QStringLiteral("fr")), QStringLiteral("en"));
  EXPECT_TRUE(QFile::exists(QStringLiteral(":/i18n/lienzo_es.qm")));
  ASSERT_TRUE(installTranslators(*QCoreApplication::instance(), QStringLiteral("es")));
  {
    QTemporaryDir gallery;
    QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
    MainWindow window(std::make_shared<FakeBackend>());
    window.resize(1280, 820);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    auto* generate = window.findChild<QPushButton*>(QStringLiteral("generate"));
    ASSERT_NE(generate, nullptr);
    EXPECT_EQ(generate->text(), QStringLiteral("Generar"));
    EXPECT_EQ(window.tabs()->tabText(1), QStringLiteral("Editar"));
    EXPECT_EQ(window.tabs()->tabText(2), QStringLiteral("Comparar"));
    ASSERT_TRUE(window.grab().save(screenshotPath("main_idle_es.png")));
  }
  for (QTranslator* t : QCoreApplication::instance()->findChildren<QTranslator*>()) {
    QCoreApplication::removeTranslator(t);
    delete t;
  }
}
