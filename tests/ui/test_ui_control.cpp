// ControlNet slots in the studio (ui/controlslot.h, ui/controlpanel.h): a slot's every field and
// its picture go through a generation into the gallery entry (infotext + the picture saved beside
// it) and come back into the slots of a fresh window; an entry without units clears them; the
// preview is the core's preprocessed picture and follows the preprocessor; a model the library
// does not know is refused at Generate with a message naming it. With the fixtures: a
// canny-guided generation of the tiny SD1 model with the tiny ControlNet and TAESD previews,
// screenshots mid-run (LIENZO_SCREENSHOT_DIR).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QUrl>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "core/library/library_settings.h"
#include "core/pipeline/control_pictures.h"
#include "core/pipeline/params_infotext.h"
#include "eventloopprobe.h"
#include "fakebackend.h"
#include "support/fixtures.h"
#include "ui/canvas.h"
#include "ui/controlpanel.h"
#include "ui/controlslot.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/galleryview.h"
#include "ui/generationcontroller.h"
#include "ui/imageconvert.h"
#include "ui/languages.h"
#include "ui/libraryscanner.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/pngmetadata.h"
#include "ui/promptpanel.h"
#include "ui/settingsdialog.h"

using namespace lienzo;
using namespace lienzo::ui;
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

/// A photo-like scene with clear outlines (sky, sun, hills, a house, a tree); deterministic.
QImage houseScene(int width, int height) {
  QImage image(width, height, QImage::Format_RGB888);
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  QLinearGradient sky(0, 0, 0, height);
  sky.setColorAt(0, QColor(90, 140, 210));
  sky.setColorAt(1, QColor(240, 210, 170));
  p.fillRect(image.rect(), sky);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(255, 225, 120));
  p.drawEllipse(QPointF(width * 0.8, height * 0.2), width * 0.07, width * 0.07);
  QPainterPath hills;
  hills.moveTo(0, height * 0.65);
  hills.cubicTo(width * 0.3, height * 0.5, width * 0.6, height * 0.8, width, height * 0.6);
  hills.lineTo(width, height);
  hills.lineTo(0, height);
  p.setBrush(QColor(70, 130, 60));
  p.drawPath(hills);
  const QRectF wall(width * 0.3, height * 0.45, width * 0.3, height * 0.3);
  p.setBrush(QColor(200, 170, 130));
  p.drawRect(wall);
  QPainterPath roof;
  roof.moveTo(wall.left() - width * 0.03, wall.top());
  roof.lineTo(wall.center().x(), wall.top() - height * 0.17);
  roof.lineTo(wall.right() + width * 0.03, wall.top());
  roof.closeSubpath();
  p.setBrush(QColor(150, 50, 40));
  p.drawPath(roof);
  p.setBrush(QColor(60, 40, 30));
  p.drawRect(QRectF(wall.center().x() - width * 0.03, wall.bottom() - height * 0.14, width * 0.06,
                    height * 0.14));
  p.setBrush(QColor(120, 170, 220));
  p.drawRect(
      QRectF(wall.left() + width * 0.03, wall.top() + height * 0.05, width * 0.06, height * 0.06));
  p.drawRect(
      QRectF(wall.right() - width * 0.09, wall.top() + height * 0.05, width * 0.06, height * 0.06));
  p.setBrush(QColor(100, 70, 40));
  p.drawRect(QRectF(width * 0.12, height * 0.5, width * 0.03, height * 0.2));
  p.setBrush(QColor(40, 100, 50));
  p.drawEllipse(QPointF(width * 0.135, height * 0.45), width * 0.08, height * 0.1);
  return image;
}

void choose(QComboBox* combo, const QVariant& data) {
  const int i = combo->findData(data);
  ASSERT_GE(i, 0) << data.toString().toStdString();
  combo->setCurrentIndex(i);
}

bool waitForPreview(ControlSlot* slot) {
  return QTest::qWaitFor([slot] { return !slot->previewPending(); }, 10000);
}

/// The fields a restore must bring back, compared one by one.
void expectSameUnit(const ControlUnit& a, const ControlUnit& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.preprocessor, b.preprocessor);
  EXPECT_DOUBLE_EQ(a.lowThreshold, b.lowThreshold);
  EXPECT_DOUBLE_EQ(a.highThreshold, b.highThreshold);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_DOUBLE_EQ(a.tileRate, b.tileRate);
  EXPECT_DOUBLE_EQ(a.weight, b.weight);
  EXPECT_DOUBLE_EQ(a.start, b.start);
  EXPECT_DOUBLE_EQ(a.end, b.end);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.resizeMode, b.resizeMode);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.image.width, b.image.width);
  EXPECT_EQ(a.image.height, b.image.height);
  EXPECT_TRUE(a.image.pixels == b.image.pixels) << "the control picture's bytes differ";
}

class ControlStudioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QSettings().clear();
    QSettings().setValue(SettingsKeys::galleryFolder(), m_gallery.path());
    m_backend = std::make_shared<FakeBackend>();
    m_modelPath = m_models.filePath(QStringLiteral("fake-model.safetensors"));
    QFile model(m_modelPath);
    ASSERT_TRUE(model.open(QIODevice::WriteOnly));
    model.close();
    m_window = openWindow();
  }
  void TearDown() override { m_window.reset(); }

  std::unique_ptr<MainWindow> openWindow() {
    auto window = std::make_unique<MainWindow>(m_backend);
    window->promptPanel()->addModelSource(m_modelPath);
    GenerationParams p = window->promptPanel()->params();
    p.prompt = "a house on a hill";
    p.steps = 4;
    p.seed = 11;
    p.width = 64;
    p.height = 64;
    p.batchSize = 1;
    window->promptPanel()->setParams(p);
    window->resize(1280, 860);
    window->show();
    EXPECT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    // The start-up library scan (empty here) would otherwise reset the ControlNet names later.
    if (window->libraryScanner()->isScanning())
      EXPECT_TRUE(runUntil(window->libraryScanner(), &LibraryScanner::scanFinished, 10000));
    window->controlPanel()->setModels({QStringLiteral("control_test_canny")});
    return window;
  }

  bool generateAndWait(MainWindow* window) {
    QSignalSpy finished(window->controller(), &GenerationController::jobFinished);
    if (window->generate() == 0) return false;
    return QTest::qWaitFor([&] { return !finished.isEmpty() && !window->controller()->isBusy(); },
                           20000);
  }

  QTemporaryDir m_gallery;
  QTemporaryDir m_models;
  QString m_modelPath;
  std::shared_ptr<FakeBackend> m_backend;
  std::unique_ptr<MainWindow> m_window;
};

TEST_F(ControlStudioTest, ASlotRoundTripsThroughTheGallery) {
  ControlPanel* controls = m_window->controlPanel();
  ControlSlot* slot = controls->addSlot();
  const QImage picture = houseScene(96, 72);
  slot->setPicture(picture);
  choose(child<QComboBox>(slot, "controlPreprocessor"), QStringLiteral("canny"));
  child<QDoubleSpinBox>(slot, "controlLow")->setValue(50);
  child<QDoubleSpinBox>(slot, "controlHigh")->setValue(150);
  child<QComboBox>(slot, "controlModel")->setEditText(QStringLiteral("control_test_canny"));
  child<QDoubleSpinBox>(slot, "controlWeight")->setValue(0.8);
  child<QDoubleSpinBox>(slot, "controlStart")->setValue(0.1);
  child<QDoubleSpinBox>(slot, "controlEnd")->setValue(0.85);
  choose(child<QComboBox>(slot, "controlMode"), static_cast<int>(ControlMode::Prompt));
  choose(child<QComboBox>(slot, "controlResize"), static_cast<int>(ResizeMode::Fill));
  const ControlUnit sent = slot->unit();
  EXPECT_EQ(sent.preprocessor, "canny");
  EXPECT_EQ(sent.image.width, 96);

  ASSERT_TRUE(generateAndWait(m_window.get()));
  // The request carried the slot.
  const GenerationParams got = m_backend->lastParams();
  ASSERT_EQ(got.controls.size(), 1u);
  expectSameUnit(got.controls[0], sent);

  // The gallery entry: the unit in the infotext, the picture beside it, byte for byte.
  ASSERT_EQ(m_window->galleryModel()->rowCount(), 1);
  const QString entry = m_window->galleryModel()->pathAt(0);
  const auto info = readGenerationInfo(entry);
  ASSERT_TRUE(info.has_value());
  const auto text = info->get("ControlNet 0");
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("Module: canny"), std::string::npos) << *text;
  EXPECT_NE(text->find("Model: control_test_canny"), std::string::npos) << *text;
  const QImage saved = GalleryStore::loadControlPicture(entry, 0);
  ASSERT_FALSE(saved.isNull());
  EXPECT_EQ(saved, picture.convertToFormat(QImage::Format_RGB888));

  // A fresh window restores every field and the picture's bytes.
  m_window.reset();
  m_window = openWindow();
  EXPECT_TRUE(m_window->controlPanel()->controlSlots().isEmpty());
  ASSERT_TRUE(m_window->restoreParametersFrom(entry));
  const QList<ControlSlot*> restored = m_window->controlPanel()->controlSlots();
  ASSERT_EQ(restored.size(), 1);
  EXPECT_TRUE(restored[0]->isChecked());
  EXPECT_TRUE(m_window->controlPanel()->isExpanded());
  expectSameUnit(restored[0]->unit(), sent);
  EXPECT_TRUE(child<QWidget>(restored[0], "controlLow")->isVisibleTo(restored[0]))
      << "canny shows its knobs";
  EXPECT_FALSE(child<QWidget>(restored[0], "controlTileRate")->isVisibleTo(restored[0]));

  // Generating again from the restored slot sends the same unit.
  ASSERT_TRUE(generateAndWait(m_window.get()));
  ASSERT_EQ(m_backend->lastParams().controls.size(), 1u);
  expectSameUnit(m_backend->lastParams().controls[0], sent);

  // An entry without ControlNets clears the slots.
  m_window->controlPanel()->removeSlot(restored[0]);
  ASSERT_TRUE(generateAndWait(m_window.get()));
  EXPECT_TRUE(m_backend->lastParams().controls.empty());
  const QString plain = m_window->galleryModel()->pathAt(0);
  EXPECT_FALSE(readGenerationInfo(plain)->get("ControlNet 0").has_value());
  EXPECT_TRUE(GalleryStore::loadControlPicture(plain, 0).isNull());
  ASSERT_TRUE(m_window->restoreParametersFrom(entry));
  ASSERT_EQ(m_window->controlPanel()->controlSlots().size(), 1);
  ASSERT_TRUE(m_window->restoreParametersFrom(plain));
  EXPECT_TRUE(m_window->controlPanel()->controlSlots().isEmpty());

  // A model the library does not know is named in the restore's message (the slot keeps it).
  m_window->controlPanel()->setModels({});
  ASSERT_TRUE(m_window->restoreParametersFrom(entry));
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Warning);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("control_test_canny")))
      << m_window->messageBar()->text().toStdString();
  EXPECT_EQ(m_window->controlPanel()->controlSlots().front()->unit().model, "control_test_canny");

  // Removing the entry removes its control picture.
  GalleryStore store(m_gallery.path());
  ASSERT_TRUE(store.remove(entry, GalleryStore::RemoveMode::Delete));
  EXPECT_FALSE(QFile::exists(GalleryStore::controlPath(entry, 0)));
}

TEST_F(ControlStudioTest, AMissingModelIsRefusedAtGenerateWithItsName) {
  ControlSlot* slot = m_window->controlPanel()->addSlot();
  slot->setPicture(houseScene(64, 64));
  child<QComboBox>(slot, "controlModel")->setEditText(QStringLiteral("no_such_controlnet"));
  EXPECT_EQ(m_window->generate(), 0u);
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Error);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("no_such_controlnet")))
      << m_window->messageBar()->text().toStdString();
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("ControlNet 1")));

  child<QComboBox>(slot, "controlModel")->setEditText(QString());
  EXPECT_EQ(m_window->generate(), 0u);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("no model")))
      << m_window->messageBar()->text().toStdString();

  // A known model without any picture (no edit picture either) is refused too.
  child<QComboBox>(slot, "controlModel")->setEditText(QStringLiteral("control_test_canny"));
  child<QPushButton>(slot, "controlClear")->click();
  EXPECT_EQ(m_window->generate(), 0u);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("no picture")));
  // Unchecked, the slot is not used and the request goes through.
  slot->setChecked(false);
  EXPECT_TRUE(generateAndWait(m_window.get()));
  EXPECT_TRUE(m_backend->lastParams().controls.empty());
  EXPECT_EQ(m_backend->generateCalls.load(), 1);
}

TEST_F(ControlStudioTest, PicturesComeFromADropTheGalleryAndTheCanvas) {
  ControlSlot* slot = m_window->controlPanel()->addSlot();
  auto* gallery = child<QPushButton>(slot, "controlFromGallery");
  auto* canvas = child<QPushButton>(slot, "controlUseCanvas");
  // Nothing to take yet: a message, the slot stays empty.
  canvas->click();
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Error);
  EXPECT_TRUE(slot->picture().isNull());

  // A dropped file (the window's own drop would restore parameters instead).
  QTemporaryDir dir;
  const QString file = dir.filePath(QStringLiteral("sketch.png"));
  const QImage sketch = houseScene(40, 30);
  ASSERT_TRUE(sketch.save(file));
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(file)});
  QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(slot, &enter);
  EXPECT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(slot, &drop);
  EXPECT_EQ(slot->picture(), sketch);
  // A file that is no picture: a message, the picture stays.
  const QString text = dir.filePath(QStringLiteral("notes.png"));
  QFile notes(text);
  ASSERT_TRUE(notes.open(QIODevice::WriteOnly));
  notes.write("not a picture");
  notes.close();
  QMimeData bad;
  bad.setUrls({QUrl::fromLocalFile(text)});
  QDragEnterEvent badEnter(QPoint(10, 10), Qt::CopyAction, &bad, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(slot, &badEnter);
  QDropEvent badDrop(QPointF(10, 10), Qt::CopyAction, &bad, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(slot, &badDrop);
  EXPECT_TRUE(m_window->messageBar()->text().contains(QStringLiteral("notes.png")))
      << m_window->messageBar()->text().toStdString();
  EXPECT_EQ(slot->picture(), sketch);

  // After a generation: the canvas shows the result, the gallery has it selected or not.
  slot->setChecked(false);
  ASSERT_TRUE(generateAndWait(m_window.get()));
  canvas->click();
  ASSERT_FALSE(m_window->canvas()->image().isNull());
  EXPECT_EQ(slot->picture(), m_window->canvas()->image().convertToFormat(QImage::Format_RGB888));
  child<QPushButton>(slot, "controlClear")->click();
  EXPECT_TRUE(slot->picture().isNull());
  const QString entry = m_window->galleryModel()->pathAt(0);
  ASSERT_TRUE(m_window->galleryView()->selectPath(entry));
  gallery->click();
  EXPECT_EQ(slot->picture(), QImage(entry).convertToFormat(QImage::Format_RGB888));
}

TEST(ControlSlotPreview, FollowsThePreprocessor) {
  const QSize size(80, 56);
  ControlPictureSources sources;
  sources.generationSize = [size] { return size; };
  ControlSlot slot(sources);
  slot.show();
  const QImage picture = houseScene(120, 90);
  slot.setPicture(picture);
  ASSERT_TRUE(waitForPreview(&slot));
  ControlUnit unit = slot.unit();
  EXPECT_EQ(unit.preprocessor, "none");
  const QImage fitted = toQImage(controlPicture(unit, {}, size.width(), size.height()));
  EXPECT_EQ(slot.preview(), fitted);

  QSignalSpy updated(&slot, &ControlSlot::previewUpdated);
  choose(child<QComboBox>(&slot, "controlPreprocessor"), QStringLiteral("canny"));
  EXPECT_TRUE(slot.previewPending()) << "debounced, never on the spot";
  ASSERT_TRUE(waitForPreview(&slot));
  EXPECT_EQ(updated.count(), 1);
  unit = slot.unit();
  const QImage edges = toQImage(controlPicture(unit, {}, size.width(), size.height()));
  EXPECT_EQ(slot.preview(), edges);
  EXPECT_NE(slot.preview(), fitted);
  int white = 0;
  for (int y = 0; y < edges.height(); ++y)
    for (int x = 0; x < edges.width(); ++x) {
      const QRgb c = edges.pixel(x, y);
      ASSERT_TRUE(qRed(c) == qGreen(c) && qGreen(c) == qBlue(c) &&
                  (qRed(c) == 0 || qRed(c) == 255));
      white += qRed(c) == 255;
    }
  EXPECT_GT(white, 0) << "the house has edges";

  // A burst of knob changes makes one more preview, with the last values.
  auto* high = child<QDoubleSpinBox>(&slot, "controlHigh");
  for (int v = 210; v <= 300; v += 30) high->setValue(v);
  ASSERT_TRUE(waitForPreview(&slot));
  EXPECT_EQ(updated.count(), 2);
  EXPECT_EQ(slot.preview(), toQImage(controlPicture(slot.unit(), {}, size.width(), size.height())));

  choose(child<QComboBox>(&slot, "controlPreprocessor"), QStringLiteral("invert"));
  EXPECT_FALSE(child<QWidget>(&slot, "controlLow")->isVisibleTo(&slot)) << "canny's knobs go away";
  ASSERT_TRUE(waitForPreview(&slot));
  QImage inverted = fitted;
  inverted.invertPixels();
  EXPECT_EQ(slot.preview(), inverted);

  choose(child<QComboBox>(&slot, "controlPreprocessor"), QStringLiteral("threshold"));
  EXPECT_TRUE(child<QWidget>(&slot, "controlThreshold")->isVisibleTo(&slot));
  choose(child<QComboBox>(&slot, "controlPreprocessor"), QStringLiteral("tile_resample"));
  EXPECT_TRUE(child<QWidget>(&slot, "controlTileRate")->isVisibleTo(&slot));
  EXPECT_FALSE(child<QWidget>(&slot, "controlThreshold")->isVisibleTo(&slot));

  // Cleared: no preview.
  child<QPushButton>(&slot, "controlClear")->click();
  ASSERT_TRUE(waitForPreview(&slot));
  EXPECT_TRUE(slot.preview().isNull());
}

TEST(ControlTranslations, TheSlotIsInSpanish) {
  ASSERT_TRUE(installTranslators(*QCoreApplication::instance(), QStringLiteral("es")));
  {
    QTemporaryDir gallery;
    QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
    MainWindow window(std::make_shared<FakeBackend>());
    window.resize(1440, 960);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ControlSlot* slot = window.controlPanel()->addSlot();
    EXPECT_EQ(child<QPushButton>(window.controlPanel(), "controlAdd")->text(),
              QStringLiteral("Añadir ControlNet"));
    auto* pre = child<QComboBox>(slot, "controlPreprocessor");
    EXPECT_EQ(pre->itemText(pre->findData(QStringLiteral("canny"))),
              QStringLiteral("Bordes Canny"));
    EXPECT_EQ(child<QComboBox>(slot, "controlMode")->currentText(), QStringLiteral("Equilibrado"));
    slot->setPicture(houseScene(96, 96));
    child<QComboBox>(slot, "controlModel")->setEditText(QStringLiteral("control_v11p_sd15_canny"));
    choose(pre, QStringLiteral("canny"));
    ASSERT_TRUE(waitForPreview(slot));
    ASSERT_TRUE(window.controlPanel()->grab().save(screenshotPath("control_slot_es.png")));
    // An open slot still fits a 768-pixel-high screen: the slots scroll rather than grow it.
    QCoreApplication::processEvents();
    EXPECT_LE(window.minimumSizeHint().height(), 768);
  }
  for (QTranslator* t : QCoreApplication::instance()->findChildren<QTranslator*>()) {
    QCoreApplication::removeTranslator(t);
    delete t;
  }
}

// ---- the real pipeline: tiny SD1 + tiny ControlNet + TAESD, screenshots ---------------------

int smallestSide() {
  const auto config = lienzo::testing::readJsonFixture("sd1/tiny-sd1.config.json");
  const int vae = 1 << (static_cast<int>(config["vae"]["ddconfig"]["ch_mult"].size()) - 1);
  return vae * (1 << (static_cast<int>(config["unet"]["channel_mult"].size()) - 1));
}

QString fixtureQString(const char* relative) {
  return QString::fromStdString(lienzo::testing::fixturePath(relative).string());
}

TEST(ControlStudioPipeline, CannyGuidedGenerationWithTaesdPreviews) {
  const auto vocab = lienzo::testing::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz");
  qputenv("LIENZO_CLIP_VOCAB", QByteArray::fromStdString(vocab.string()));
  // Three times the smallest side: TAESD at every step is the cost on a loaded CPU.
  const int side = 3 * smallestSide();
  QTemporaryDir gallery, library;
  // The library's ControlNet folder holds a copy of the fixture ControlNet (only that file).
  const QString controlnets = library.filePath(QStringLiteral("ControlNet"));
  ASSERT_TRUE(QDir().mkpath(controlnets));
  ASSERT_TRUE(QFile::copy(fixtureQString("controlnet/tiny-controlnet-sd1.safetensors"),
                          controlnets + QStringLiteral("/tiny-controlnet-sd1.safetensors")));
  LibrarySettings settings;
  settings.addRoot({RootKind::Folder, controlnets.toStdString(), ModelCategory::ControlNet});
  settings.save(LibrarySettings::defaultFile());
  QSettings().clear();
  QSettings().setValue(SettingsKeys::galleryFolder(), gallery.path());
  QSettings().setValue(SettingsKeys::previewMethod(), QStringLiteral("taesd"));
  QSettings().setValue(SettingsKeys::taesdPath(), fixtureQString("taesd/taesd-random.safetensors"));
  QSettings().setValue(SettingsKeys::taesdBudget(), 0.0);  // every step

  {
    MainWindow window(makeDefaultBackend());
    window.resize(1440, 960);  // the prompts, one open slot and the settings without scrolling
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    window.findChild<QSplitter*>(QStringLiteral("mainSplitter"))->setSizes({340, 800, 300});
    if (window.libraryScanner()->isScanning())
      ASSERT_TRUE(runUntil(window.libraryScanner(), &LibraryScanner::scanFinished, 20000));
    PromptPanel* panel = window.promptPanel();
    panel->addModelSource(fixtureQString("sd1/tiny-sd1.safetensors"));
    GenerationParams p = panel->params();
    p.prompt = "a house on a hill, morning light";
    p.steps = 6;
    p.sampler = "Euler a";
    p.seed = 7;
    p.width = p.height = side;
    p.batchSize = 1;
    ASSERT_TRUE(panel->setParams(p).isEmpty());

    ControlSlot* slot = window.controlPanel()->addSlot();
    auto* model = child<QComboBox>(slot, "controlModel");
    ASSERT_GE(model->findText(QStringLiteral("tiny-controlnet-sd1")), 0)
        << "the library lists the ControlNet";
    model->setEditText(QStringLiteral("tiny-controlnet-sd1"));
    slot->setPicture(houseScene(3 * side / 2, side));  // wider: "Crop and resize" crops it
    choose(child<QComboBox>(slot, "controlPreprocessor"), QStringLiteral("canny"));
    ASSERT_TRUE(waitForPreview(slot));
    ASSERT_FALSE(slot->preview().isNull()) << slot->previewError().toStdString();
    EXPECT_EQ(slot->preview().size(), QSize(side, side));

    bool grabbed = false;
    QObject::connect(window.controller(), &GenerationController::stepPreview, &window,
                     [&](quint64, int, int step, int total, double, const QImage& preview) {
                       if (grabbed || step != total / 2 || preview.isNull()) return;
                       QCoreApplication::processEvents();
                       grabbed = window.grab().save(screenshotPath("control_generating_taesd.png"));
                       window.controlPanel()->grab().save(screenshotPath("control_slot.png"));
                     });
    QSignalSpy finished(window.controller(), &GenerationController::jobFinished);
    ASSERT_NE(window.generate(), 0u) << window.messageBar()->text().toStdString();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 600000));
    EXPECT_EQ(finished.front().at(1).value<JobStatus>(), JobStatus::Completed)
        << finished.front().at(2).toString().toStdString();
    EXPECT_TRUE(grabbed);
    ASSERT_EQ(window.galleryModel()->rowCount(), 1);
    const QString entry = window.galleryModel()->pathAt(0);
    const auto info = readGenerationInfo(entry);
    ASSERT_TRUE(info && info->get("ControlNet 0"));
    EXPECT_NE(info->get("ControlNet 0")->find("Model: tiny-controlnet-sd1"), std::string::npos);
    EXPECT_FALSE(GalleryStore::loadControlPicture(entry, 0).isNull());
  }
  std::filesystem::remove(LibrarySettings::defaultFile());
}

}  // namespace
