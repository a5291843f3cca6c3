// The studio's model library (issue 22): the LoRA / embedding browser over a temporary library
// of hand-made .safetensors files with preview pictures (cards, family badges and dimming,
// pickles not loadable, filter), inserting and slider-editing `<lora:…>` tags, name completion
// in the prompt box, restoring a picture whose LoRA was renamed (found by its hash), the core's
// notices in the message bar, and the settings' library page. Screenshots of the browser and of
// the library page go to LIENZO_SCREENSHOT_DIR.
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSlider>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <gtest/gtest.h>

#include <memory>

#include "core/library/library_settings.h"
#include "eventloopprobe.h"
#include "fakebackend.h"
#include "ui/generationcontroller.h"
#include "ui/librarypage.h"
#include "ui/libraryscanner.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/networkbrowser.h"
#include "ui/promptcompleter.h"
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

struct Tensor {
  const char* name;
  QList<int> shape;
};

/// A float32 .safetensors file with the given tensors (values from `seed`) and metadata; returns
/// the SHA-256 of its data section (A1111's LoRA hash), lower-case hex.
QString writeSafetensors(const QString& path, const QList<Tensor>& tensors, int seed,
                         const QJsonObject& metadata = {}) {
  QJsonObject header;
  if (!metadata.isEmpty()) header.insert(QStringLiteral("__metadata__"), metadata);
  QByteArray data;
  for (const Tensor& t : tensors) {
    qint64 count = 1;
    QJsonArray shape;
    for (int d : t.shape) {
      count *= d;
      shape.append(d);
    }
    const qint64 begin = data.size();
    for (qint64 i = 0; i < count; ++i) {
      const float v = static_cast<float>((i * 7 + seed * 13) % 17) / 17.0f;
      data.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    header.insert(QLatin1String(t.name),
                  QJsonObject{{QStringLiteral("dtype"), QStringLiteral("F32")},
                              {QStringLiteral("shape"), shape},
                              {QStringLiteral("data_offsets"), QJsonArray{begin, data.size()}}});
  }
  QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
  while (json.size() % 8 != 0) json.append(' ');
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) ADD_FAILURE() << "cannot write " << path.toStdString();
  const quint64 length = static_cast<quint64>(json.size());
  file.write(reinterpret_cast<const char*>(&length), 8);  // little-endian on the test hosts
  file.write(json);
  file.write(data);
  return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

/// A preview picture: a solid colour with a darker disc, `name.preview.png` beside the file.
void writePreview(const QString& modelPath, const QColor& color) {
  QImage image(256, 256, QImage::Format_RGB32);
  image.fill(color);
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(color.darker(170));
  p.setPen(Qt::NoPen);
  p.drawEllipse(QPoint(128, 150), 70, 70);
  p.end();
  const QString base = modelPath.left(modelPath.lastIndexOf(QLatin1Char('.')));
  ASSERT_TRUE(image.save(base + QStringLiteral(".preview.png")));
}

const QList<Tensor> kSd1Lora{
    {"lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight",
     {2, 768}},
    {"lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight",
     {320, 2}}};
const QList<Tensor> kSdxlLora{
    {"lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", {2, 768}},
    {"lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight", {768, 2}}};

QListWidgetItem* itemNamed(QListWidget* list, const QString& name) {
  for (int i = 0; i < list->count(); ++i) {
    if (list->item(i)->text() == name) return list->item(i);
  }
  ADD_FAILURE() << "no card " << name.toStdString();
  return nullptr;
}

void clickItem(QListWidget* list, QListWidgetItem* item) {
  list->scrollToItem(item);
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
}

class NetworksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QSettings().clear();
    QSettings().setValue(QStringLiteral("gallery/folder"), m_gallery.path());
    // The library: a LoRA folder (two LoRAs with previews, one without, a pickle) and an
    // embedding folder, configured through the library settings like a user would.
    QDir root(m_library.path());
    ASSERT_TRUE(root.mkpath(QStringLiteral("Lora/styles")));
    ASSERT_TRUE(root.mkpath(QStringLiteral("embeddings")));
    const QString loras = root.filePath(QStringLiteral("Lora"));
    m_detailHash = writeSafetensors(loras + QStringLiteral("/detail_sd1.safetensors"), kSd1Lora, 1);
    writePreview(loras + QStringLiteral("/detail_sd1.safetensors"), QColor(220, 120, 40));
    writeSafetensors(loras + QStringLiteral("/styles/watercolor_sd1.safetensors"), kSd1Lora, 2);
    writePreview(loras + QStringLiteral("/styles/watercolor_sd1.safetensors"),
                 QColor(60, 140, 210));
    writeSafetensors(loras + QStringLiteral("/pixelart_xl.safetensors"), kSdxlLora, 3);
    writePreview(loras + QStringLiteral("/pixelart_xl.safetensors"), QColor(120, 190, 90));
    writeSafetensors(loras + QStringLiteral("/noir_sd1.safetensors"), kSd1Lora, 4);
    QFile pickle(loras + QStringLiteral("/old_style.pt"));
    ASSERT_TRUE(pickle.open(QIODevice::WriteOnly));
    pickle.write("PK\x03\x04 not a real pickle");
    pickle.close();
    writeSafetensors(root.filePath(QStringLiteral("embeddings/easyneg.safetensors")),
                     {{"emb_params", {4, 768}}}, 5);

    // Two checkpoints (header keys only: the families the picker groups them by).
    ASSERT_TRUE(root.mkpath(QStringLiteral("Stable-diffusion")));
    writeSafetensors(root.filePath(QStringLiteral("Stable-diffusion/dreamy_sd15.safetensors")),
                     {{"cond_stage_model.transformer.text_model.final_layer_norm.weight", {8}}}, 6);
    writeSafetensors(
        root.filePath(QStringLiteral("Stable-diffusion/juggler_xl.safetensors")),
        {{"conditioner.embedders.0.transformer.text_model.final_layer_norm.weight", {8}},
         {"conditioner.embedders.1.model.ln_final.weight", {8}}},
        7);

    LibrarySettings settings;
    settings.addRoot({RootKind::Folder,
                      root.filePath(QStringLiteral("Stable-diffusion")).toStdString(),
                      ModelCategory::Checkpoint});
    settings.addRoot({RootKind::Folder, loras.toStdString(), ModelCategory::Lora});
    settings.addRoot({RootKind::Folder, root.filePath(QStringLiteral("embeddings")).toStdString(),
                      ModelCategory::Embedding});
    settings.save(LibrarySettings::defaultFile());

    m_backend = std::make_shared<FakeBackend>();
    m_window = std::make_unique<MainWindow>(m_backend);
    m_modelPath = m_models.filePath(QStringLiteral("fake-model.safetensors"));
    QFile model(m_modelPath);
    ASSERT_TRUE(model.open(QIODevice::WriteOnly));
    model.close();
    m_window->promptPanel()->addModelSource(m_modelPath);
    m_window->resize(1280, 820);
    m_window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(m_window.get()));
    // The start-up scan: quick listing, then the hashed one.
    if (m_window->libraryScanner()->isScanning()) {
      ASSERT_TRUE(runUntil(m_window->libraryScanner(), &LibraryScanner::scanFinished, 10000));
    }
    ASSERT_TRUE(m_window->libraryScanner()->snapshot()->hashed);
  }
  void TearDown() override {
    m_window.reset();
    std::filesystem::remove(LibrarySettings::defaultFile());
  }

  NetworkBrowser* browser() const { return m_window->networkBrowser(); }
  QPlainTextEdit* prompt() const { return m_window->promptPanel()->promptEdit(); }
  QListWidget* loraList() const {
    return browser()->findChild<QListWidget*>(QStringLiteral("loraList"));
  }
  QListWidget* embeddingList() const {
    return browser()->findChild<QListWidget*>(QStringLiteral("embeddingList"));
  }
  QSlider* slider(const char* name) const {
    return browser()->findChild<QSlider*>(QLatin1String(name));
  }

  QTemporaryDir m_gallery, m_models, m_library;
  QString m_modelPath, m_detailHash;
  std::shared_ptr<FakeBackend> m_backend;
  std::unique_ptr<MainWindow> m_window;
};

TEST_F(NetworksTest, BrowserListsTheLibraryWithPreviewsFamiliesAndPickles) {
  QListWidget* loras = loraList();
  ASSERT_NE(loras, nullptr);
  ASSERT_EQ(loras->count(), 5);  // four .safetensors and the pickle, listed as not loadable
  ASSERT_EQ(embeddingList()->count(), 1);
  EXPECT_EQ(embeddingList()->item(0)->text(), QStringLiteral("easyneg"));

  // The preview picture is the card (its colour at the centre); no preview: a placeholder.
  const auto centre = [&](const QString& name) {
    const QImage icon = itemNamed(loras, name)
                            ->icon()
                            .pixmap(QSize(96, 96))
                            .toImage()
                            .convertToFormat(QImage::Format_RGB32);
    return QColor(icon.pixel(icon.width() / 2, 12));
  };
  EXPECT_EQ(centre(QStringLiteral("detail_sd1")), QColor(220, 120, 40));
  EXPECT_EQ(centre(QStringLiteral("pixelart_xl")), QColor(120, 190, 90));
  EXPECT_NE(centre(QStringLiteral("noir_sd1")), QColor(220, 120, 40));

  QListWidgetItem* pickle = itemNamed(loras, QStringLiteral("old_style"));
  ASSERT_NE(pickle, nullptr);
  EXPECT_TRUE(pickle->toolTip().contains(QStringLiteral("Not loadable")));
  prompt()->setPlainText(QStringLiteral("a cat"));
  clickItem(loras, pickle);
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("a cat"));  // a pickle does nothing

  // Another family than the model's: dimmed, and the tooltip says why.
  browser()->setModelFamily(ModelFamily::SD1);
  QListWidgetItem* xl = itemNamed(loras, QStringLiteral("pixelart_xl"));
  EXPECT_EQ(xl->data(Qt::AccessibleDescriptionRole).toString(), QStringLiteral("dimmed"));
  EXPECT_TRUE(xl->toolTip().contains(QStringLiteral("Made for SDXL")))
      << xl->toolTip().toStdString();
  EXPECT_TRUE(itemNamed(loras, QStringLiteral("detail_sd1"))
                  ->data(Qt::AccessibleDescriptionRole)
                  .toString()
                  .isEmpty());

  auto* filter = browser()->findChild<QLineEdit*>(QStringLiteral("networkFilter"));
  QTest::keyClicks(filter, QStringLiteral("SD1"));
  EXPECT_EQ(NetworkBrowser::visibleCount(loras), 3);
  filter->clear();
  EXPECT_EQ(NetworkBrowser::visibleCount(loras), 5);
}

TEST_F(NetworksTest, ClickInsertsATagAndTheSlidersEditItInPlace) {
  prompt()->setPlainText(QStringLiteral("a cat, (masterpiece:1.2)"));
  QSlider* text = slider("textStrength");
  QSlider* unet = slider("unetStrength");
  ASSERT_TRUE(text && unet);
  EXPECT_FALSE(text->isEnabled());  // no LoRA chosen yet

  clickItem(loraList(), itemNamed(loraList(), QStringLiteral("detail_sd1")));
  EXPECT_EQ(prompt()->toPlainText(),
            QStringLiteral("a cat, (masterpiece:1.2), <lora:detail_sd1:1>"));
  ASSERT_TRUE(text->isEnabled());
  EXPECT_EQ(text->value(), 20);  // 1.0 in steps of 0.05

  text->setValue(10);  // 0.5 on the text encoder: two numbers
  EXPECT_EQ(prompt()->toPlainText(),
            QStringLiteral("a cat, (masterpiece:1.2), <lora:detail_sd1:0.5:1>"));
  unet->setValue(10);  // equal again: one number
  EXPECT_EQ(prompt()->toPlainText(),
            QStringLiteral("a cat, (masterpiece:1.2), <lora:detail_sd1:0.5>"));
  unet->setValue(-7);
  EXPECT_EQ(prompt()->toPlainText(),
            QStringLiteral("a cat, (masterpiece:1.2), <lora:detail_sd1:0.5:-0.35>"));

  // Typing in the prompt moves the sliders; the tag is edited where it is.
  prompt()->setPlainText(QStringLiteral("<lora:detail_sd1:1.5> a dog"));
  EXPECT_EQ(text->value(), 30);
  EXPECT_EQ(unet->value(), 30);
  browser()->setStrengths(0.8, 0.8);
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("<lora:detail_sd1:0.8> a dog"));

  // A second click on a LoRA already in the prompt only selects it.
  clickItem(loraList(), itemNamed(loraList(), QStringLiteral("detail_sd1")));
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("<lora:detail_sd1:0.8> a dog"));

  // An embedding's name goes in at the cursor.
  QTextCursor cursor = prompt()->textCursor();
  cursor.movePosition(QTextCursor::End);
  prompt()->setTextCursor(cursor);
  browser()->activateEmbedding(QStringLiteral("easyneg"));
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("<lora:detail_sd1:0.8> a dog, easyneg"));
  // …and is undone in one step.
  prompt()->undo();
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("<lora:detail_sd1:0.8> a dog"));
}

TEST_F(NetworksTest, ThePromptBoxCompletesLoraAndEmbeddingNames) {
  EXPECT_EQ(PromptCompleter::contextBefore(QStringLiteral("a <lora:det")).kind,
            PromptCompleter::Kind::Lora);
  EXPECT_EQ(PromptCompleter::contextBefore(QStringLiteral("a <lora:det")).prefix,
            QStringLiteral("det"));
  EXPECT_EQ(PromptCompleter::contextBefore(QStringLiteral("<lora:x:0.5> ea")).prefix,
            QStringLiteral("ea"));
  EXPECT_EQ(PromptCompleter::contextBefore(QStringLiteral("a (b:1")).kind,
            PromptCompleter::Kind::None);

  PromptCompleter* completer = m_window->promptCompleter();
  prompt()->clear();
  prompt()->setFocus();
  QTest::keyClicks(prompt(), QStringLiteral("a <lora:"));
  EXPECT_EQ(completer->offered(),
            QStringList({QStringLiteral("detail_sd1"), QStringLiteral("noir_sd1"),
                         QStringLiteral("pixelart_xl"), QStringLiteral("watercolor_sd1")}));
  QTest::keyClicks(prompt(), QStringLiteral("wat"));
  EXPECT_EQ(completer->offered(), QStringList{QStringLiteral("watercolor_sd1")});
  QTest::keyClick(prompt(), Qt::Key_Return);
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("a <lora:watercolor_sd1:1>"));
  EXPECT_TRUE(completer->offered().isEmpty());

  QTest::keyClicks(prompt(), QStringLiteral(", ea"));
  EXPECT_EQ(completer->offered(), QStringList{QStringLiteral("easyneg")});
  QTest::keyClick(prompt(), Qt::Key_Tab);
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("a <lora:watercolor_sd1:1>, easyneg"));

  // Text set by code opens no popup.
  prompt()->setPlainText(QStringLiteral("<lora:"));
  EXPECT_TRUE(completer->offered().isEmpty());
}

TEST_F(NetworksTest, RestoringAPictureFindsARenamedLoraByItsHash) {
  QImage picture(64, 64, QImage::Format_RGB32);
  picture.fill(Qt::gray);
  picture.setText(QStringLiteral("parameters"),
                  QStringLiteral("a cat <lora:old_detail:0.8>, <lora:gone:1>\n"
                                 "Steps: 4, Sampler: Euler, CFG scale: 7, Seed: 12, Size: 64x64, "
                                 "Lora hashes: \"old_detail: %1, gone: 0123456789ab\"")
                      .arg(m_detailHash.left(12)));
  const QString path = m_gallery.filePath(QStringLiteral("renamed.png"));
  ASSERT_TRUE(picture.save(path));

  ASSERT_TRUE(m_window->restoreParametersFrom(path));
  EXPECT_EQ(prompt()->toPlainText(), QStringLiteral("a cat <lora:detail_sd1:0.8>, <lora:gone:1>"));
  const QString message = m_window->messageBar()->text();
  EXPECT_TRUE(message.contains(QStringLiteral("“old_detail” is “detail_sd1”")))
      << message.toStdString();
  EXPECT_TRUE(message.contains(QStringLiteral("“gone” (hash 0123456789ab) is not in your library")))
      << message.toStdString();
}

TEST_F(NetworksTest, TheCoreNoticesOfAJobReachTheMessageBar) {
  GenerationParams p = m_window->promptPanel()->params();
  p.prompt = "a cat <lora:watercolor_sd1:0.7> <lora:missing_one:1>";
  p.steps = 2;
  p.width = p.height = 64;
  m_window->promptPanel()->setParams(p);
  const quint64 id = m_window->generate();
  ASSERT_NE(id, 0u);
  ASSERT_TRUE(runUntil(m_window->controller(), &GenerationController::jobFinished, 10000));
  const QString message = m_window->messageBar()->text();
  // The library's LoRA folders went with the job (watercolor_sd1 lies in a subfolder of one):
  // only the missing LoRA is reported, for this job.
  EXPECT_TRUE(message.contains(QStringLiteral("missing_one"))) << message.toStdString();
  EXPECT_TRUE(message.contains(QStringLiteral("#%1").arg(id))) << message.toStdString();
  EXPECT_FALSE(message.contains(QStringLiteral("watercolor_sd1"))) << message.toStdString();
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Warning);
}

TEST_F(NetworksTest, ThePickerGroupsCheckpointsByFamilyAndTheBrowserFollowsTheModel) {
  auto* picker = m_window->promptPanel()->findChild<QComboBox*>(QStringLiteral("model"));
  ASSERT_NE(picker, nullptr);
  QStringList texts;
  for (int i = 0; i < picker->count(); ++i) texts << picker->itemText(i).trimmed();
  EXPECT_EQ(texts, QStringList({QStringLiteral("Built-in"), picker->itemText(1).trimmed(),
                                QStringLiteral("SD 1.x"), QStringLiteral("dreamy_sd15"),
                                QStringLiteral("SDXL"), QStringLiteral("juggler_xl"),
                                QStringLiteral("Other"), QStringLiteral("fake-model")}))
      << texts.join(QLatin1Char('|')).toStdString();
  auto* model = qobject_cast<QStandardItemModel*>(picker->model());
  ASSERT_NE(model, nullptr);
  EXPECT_FALSE(model->item(2)->flags() & Qt::ItemIsSelectable);  // a heading
  EXPECT_TRUE(model->item(3)->flags() & Qt::ItemIsSelectable);

  const QString sd15 =
      m_library.filePath(QStringLiteral("Stable-diffusion/dreamy_sd15.safetensors"));
  ASSERT_TRUE(m_window->promptPanel()->selectModel(sd15));
  EXPECT_EQ(m_window->promptPanel()->modelPath(), sd15);
  EXPECT_EQ(m_window->promptPanel()->modelFamily(), ModelFamily::SD1);
  // The browser dims what does not fit the chosen model.
  EXPECT_EQ(itemNamed(loraList(), QStringLiteral("pixelart_xl"))
                ->data(Qt::AccessibleDescriptionRole)
                .toString(),
            QStringLiteral("dimmed"));
  ASSERT_TRUE(m_window->promptPanel()->selectModel(QStringLiteral("juggler_xl")));
  EXPECT_EQ(itemNamed(loraList(), QStringLiteral("detail_sd1"))
                ->data(Qt::AccessibleDescriptionRole)
                .toString(),
            QStringLiteral("dimmed"));
  EXPECT_TRUE(itemNamed(loraList(), QStringLiteral("pixelart_xl"))
                  ->data(Qt::AccessibleDescriptionRole)
                  .toString()
                  .isEmpty());
}

TEST_F(NetworksTest, ARescanReportsMissingFoldersInTheMessageBar) {
  LibrarySettings settings = LibrarySettings::load(LibrarySettings::defaultFile());
  settings.addRoot({RootKind::Folder, "/nowhere/loras", ModelCategory::Lora});
  settings.save(LibrarySettings::defaultFile());
  m_window->rescanLibrary();
  ASSERT_TRUE(m_window->libraryScanner()->isScanning());
  ASSERT_TRUE(runUntil(m_window->libraryScanner(), &LibraryScanner::scanFinished, 10000));
  const QString message = m_window->messageBar()->text();
  EXPECT_TRUE(message.contains(QStringLiteral("/nowhere/loras"))) << message.toStdString();
  EXPECT_EQ(m_window->messageBar()->level(), MessageBar::Level::Warning);
  EXPECT_EQ(loraList()->count(), 5);  // the rest of the library is still there
}

TEST_F(NetworksTest, BrowserScreenshot) {
  ASSERT_TRUE(m_window->promptPanel()->selectModel(QStringLiteral("dreamy_sd15")));
  m_window->sideTabs()->setCurrentWidget(browser());
  prompt()->setPlainText(
      QStringLiteral("a lighthouse on a cliff at dusk, oil painting, (dramatic sky:1.2)"));
  browser()->activateLora(QStringLiteral("watercolor_sd1"));
  browser()->setStrengths(0.75, 0.6);
  QTest::qWait(50);
  ASSERT_TRUE(m_window->grab().save(screenshotPath("studio-networks.png")));
}

TEST_F(NetworksTest, TheSettingsLibraryPageAddsAndRemovesRoots) {
  QTemporaryDir config;
  const std::filesystem::path file =
      (config.path() + QStringLiteral("/library.json")).toStdString();
  SettingsDialog dialog(nullptr, file);
  LibraryPage* page = dialog.libraryPage();
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(
      page->addRoot({RootKind::Folder, m_library.filePath(QStringLiteral("Lora")).toStdString(),
                     ModelCategory::Lora}));
  EXPECT_TRUE(page->addRoot({RootKind::A1111, "/nowhere/stable-diffusion-webui", std::nullopt}));
  EXPECT_FALSE(page->addRoot({RootKind::A1111, "/nowhere/stable-diffusion-webui", std::nullopt}));
  auto* roots = page->findChild<QTreeWidget*>(QStringLiteral("libraryRoots"));
  ASSERT_EQ(roots->topLevelItemCount(), 2);
  EXPECT_EQ(roots->topLevelItem(1)->foreground(2).color(), QColor(Qt::red));  // missing folder
  EXPECT_TRUE(page->changed());

  dialog.pages()->setCurrentWidget(page);
  dialog.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&dialog));
  ASSERT_TRUE(dialog.grab().save(screenshotPath("studio-library-settings.png")));

  QString error;
  ASSERT_TRUE(page->save(&error)) << error.toStdString();
  LibrarySettings saved = LibrarySettings::load(file);
  ASSERT_EQ(saved.roots.size(), 2u);
  EXPECT_EQ(saved.roots[0].category, ModelCategory::Lora);
  EXPECT_EQ(saved.roots[1].kind, RootKind::A1111);

  roots->setCurrentItem(roots->topLevelItem(0));
  page->removeSelected();
  ASSERT_TRUE(page->save(&error));
  saved = LibrarySettings::load(file);
  ASSERT_EQ(saved.roots.size(), 1u);
  EXPECT_EQ(saved.roots[0].kind, RootKind::A1111);
}

}  // namespace
