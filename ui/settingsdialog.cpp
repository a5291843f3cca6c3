#include "ui/settingsdialog.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/gallerystore.h"
#include "ui/librarypage.h"

namespace lienzo::ui {
namespace {

/// The QSettings spelling of each preview method (SettingsKeys::previewMethod()).
QString methodKey(PreviewMethod method) {
  switch (method) {
    case PreviewMethod::Taesd:
      return QStringLiteral("taesd");
    case PreviewMethod::FullVae:
      return QStringLiteral("vae");
    case PreviewMethod::Linear:
      break;
  }
  return QStringLiteral("linear");
}

PreviewMethod methodOf(const QString& key) {
  if (key == QLatin1String("taesd")) return PreviewMethod::Taesd;
  if (key == QLatin1String("vae")) return PreviewMethod::FullVae;
  return PreviewMethod::Linear;
}

}  // namespace

void applyPreviewSettings(GenerationParams& params) {
  const QSettings s;
  params.previews = s.value(SettingsKeys::previews(), true).toBool();
  params.preview.method = methodOf(s.value(SettingsKeys::previewMethod()).toString());
  params.preview.vaeEvery =
      std::clamp(s.value(SettingsKeys::previewVaeEvery(), 5).toInt(), 1, 1000);
  params.preview.taesd = s.value(SettingsKeys::taesdPath()).toString().toStdString();
  params.fastDecode = s.value(SettingsKeys::fastDecode(), false).toBool();
  params.preview.taesdBudget =
      std::clamp(s.value(SettingsKeys::taesdBudget(), 0.05).toDouble(), 0.0, 1.0);
}

SettingsDialog::SettingsDialog(QWidget* parent, std::filesystem::path libraryFile)
    : QDialog(parent),
      m_folder(new QLineEdit(this)),
      m_language(new QComboBox(this)),
      m_previews(new QCheckBox(tr("Show a preview at every step"), this)),
      m_previewMethod(new QComboBox(this)),
      m_vaeEvery(new QSpinBox(this)),
      m_taesd(new QLineEdit(this)),
      m_fastDecode(new QCheckBox(tr("Fast decode: make the final picture with TAESD"), this)),
      m_pages(new QTabWidget(this)),
      m_library(new LibraryPage(std::move(libraryFile), this)) {
  setWindowTitle(tr("Settings"));
  const QSettings s;
  m_folder->setObjectName(QStringLiteral("galleryFolder"));
  m_folder->setText(
      s.value(SettingsKeys::galleryFolder(), GalleryStore::defaultFolder()).toString());
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Gallery folder"), m_folder->text());
    if (!dir.isEmpty()) m_folder->setText(dir);
  });
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(m_folder, 1);
  folderRow->addWidget(browse);

  m_language->setObjectName(QStringLiteral("language"));
  m_language->addItem(tr("System default"), QString());
  m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));  // endonyms: not translated
  m_language->addItem(QStringLiteral("Español"), QStringLiteral("es"));
  const int lang = m_language->findData(s.value(SettingsKeys::language()).toString());
  m_language->setCurrentIndex(lang >= 0 ? lang : 0);
  m_previews->setChecked(s.value(SettingsKeys::previews(), true).toBool());
  m_previewMethod->setObjectName(QStringLiteral("previewMethod"));
  m_previewMethod->addItem(tr("Linear (fast, blurry)"), methodKey(PreviewMethod::Linear));
  m_previewMethod->addItem(tr("TAESD (the real picture, at most 5 % slower)"),
                           methodKey(PreviewMethod::Taesd));
  m_previewMethod->addItem(tr("Full VAE every N steps (slow)"), methodKey(PreviewMethod::FullVae));
  const int method = m_previewMethod->findData(s.value(SettingsKeys::previewMethod()).toString());
  m_previewMethod->setCurrentIndex(method >= 0 ? method : 0);
  m_vaeEvery->setObjectName(QStringLiteral("previewVaeEvery"));
  m_vaeEvery->setRange(1, 1000);
  m_vaeEvery->setValue(s.value(SettingsKeys::previewVaeEvery(), 5).toInt());
  m_vaeEvery->setPrefix(tr("every "));
  m_vaeEvery->setSuffix(tr(" steps"));
  m_taesd->setObjectName(QStringLiteral("taesdPath"));
  m_taesd->setPlaceholderText(tr("The model library's VAE-approx folders"));
  m_taesd->setText(s.value(SettingsKeys::taesdPath()).toString());
  m_fastDecode->setObjectName(QStringLiteral("fastDecode"));
  m_fastDecode->setChecked(s.value(SettingsKeys::fastDecode(), false).toBool());
  auto* browseTaesd = new QPushButton(tr("Browse…"), this);
  connect(browseTaesd, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("TAESD decoder"), m_taesd->text(),
                                                      tr("Safetensors (*.safetensors)"));
    if (!file.isEmpty()) m_taesd->setText(file);
  });
  auto* taesdRow = new QHBoxLayout;
  taesdRow->addWidget(m_taesd, 1);
  taesdRow->addWidget(browseTaesd);
  auto* methodRow = new QHBoxLayout;
  methodRow->addWidget(m_previewMethod, 1);
  methodRow->addWidget(m_vaeEvery);
  const auto enable = [this] {
    const bool on = m_previews->isChecked();
    m_previewMethod->setEnabled(on);
    m_vaeEvery->setEnabled(on && previewMethod() == PreviewMethod::FullVae);
  };
  connect(m_previews, &QCheckBox::toggled, this, enable);
  connect(m_previewMethod, &QComboBox::currentIndexChanged, this, enable);
  enable();

  auto* form = new QFormLayout;
  form->addRow(tr("Gallery folder"), folderRow);
  form->addRow(tr("Language"), m_language);
  form->addRow(QString(), new QLabel(tr("The language changes at the next start."), this));
  form->addRow(QString(), m_previews);
  form->addRow(tr("Previews"), methodRow);
  form->addRow(tr("TAESD file or folder"), taesdRow);
  form->addRow(QString(), m_fastDecode);
  form->addRow(QString(), new QLabel(tr("Without TAESD weights (taesd_decoder.safetensors, "
                                        "taesdxl_decoder.safetensors) previews are linear."),
                                     this));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* general = new QWidget(this);
  auto* generalLayout = new QVBoxLayout(general);
  generalLayout->addLayout(form);
  generalLayout->addStretch(1);
  m_pages->setObjectName(QStringLiteral("settingsPages"));
  m_pages->addTab(general, tr("General"));
  m_pages->addTab(m_library, tr("Model library"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_pages, 1);
  layout->addWidget(buttons);
  resize(680, 460);
}

void SettingsDialog::save() const {
  QSettings s;
  s.setValue(SettingsKeys::galleryFolder(), galleryFolder());
  s.setValue(SettingsKeys::language(), language());
  s.setValue(SettingsKeys::previews(), previews());
  s.setValue(SettingsKeys::previewMethod(), methodKey(previewMethod()));
  s.setValue(SettingsKeys::previewVaeEvery(), previewVaeEvery());
  s.setValue(SettingsKeys::taesdPath(), taesdPath());
  s.setValue(SettingsKeys::fastDecode(), fastDecode());
}

QString SettingsDialog::galleryFolder() const {
  return m_folder->text().trimmed();
}
QString SettingsDialog::language() const {
  return m_language->currentData().toString();
}
bool SettingsDialog::previews() const {
  return m_previews->isChecked();
}
PreviewMethod SettingsDialog::previewMethod() const {
  return methodOf(m_previewMethod->currentData().toString());
}
int SettingsDialog::previewVaeEvery() const {
  return m_vaeEvery->value();
}
QString SettingsDialog::taesdPath() const {
  return m_taesd->text().trimmed();
}
bool SettingsDialog::fastDecode() const {
  return m_fastDecode->isChecked();
}

}  // namespace lienzo::ui
