#include "ui/promptpanel.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

#include "core/library/model_library.h"
#include "core/sampling/sampler_names.h"
#include "ui/hirespanel.h"
#include "ui/icons.h"

namespace lienzo::ui {

namespace {

constexpr int kMinSide = 64;
constexpr int kMaxSide = 2048;

struct DTypeChoice {
  ComputeDType dtype;
  const char* key;  ///< persisted value
};
constexpr DTypeChoice kDTypes[] = {{ComputeDType::Auto, "auto"},
                                   {ComputeDType::F32, "f32"},
                                   {ComputeDType::BF16, "bf16"},
                                   {ComputeDType::F16, "f16"}};

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

int findText(const QComboBox* combo, const QString& text) {
  return combo->findText(text, Qt::MatchFixedString);  // case-insensitive
}

QPlainTextEdit* makeTextEdit(const QString& name, const QString& placeholder, int lines,
                             QWidget* parent) {
  auto* edit = new QPlainTextEdit(parent);
  edit->setObjectName(name);
  edit->setPlaceholderText(placeholder);
  edit->setTabChangesFocus(true);
  const int lineHeight = edit->fontMetrics().lineSpacing();
  edit->setMinimumHeight(lineHeight * lines + 12);
  return edit;
}

/// A form label whose mnemonic focuses `buddy` (rows holding a layout get no buddy otherwise).
QLabel* rowLabel(const QString& text, QWidget* buddy, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setBuddy(buddy);
  return label;
}

/// Display names of the core's schedule types (the core's names stay the item data).
QString scheduleLabel(const std::string& name) {
  static const char* const kNames[] = {
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "Automatic"),
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "Uniform"),
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "Exponential"),
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "Polyexponential"),
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "SGM Uniform"),
      QT_TRANSLATE_NOOP("lienzo::ui::PromptPanel", "Simple")};
  for (const char* known : kNames) {
    if (name == known) return QCoreApplication::translate("lienzo::ui::PromptPanel", known);
  }
  return QString::fromStdString(name);  // proper names such as "Karras"
}

/// Index of the item whose data matches `value` case-insensitively, or -1.
int findDataText(const QComboBox* combo, const QString& value) {
  for (int i = 0; i < combo->count(); ++i) {
    if (combo->itemData(i).toString().compare(value, Qt::CaseInsensitive) == 0) return i;
  }
  return -1;
}

}  // namespace

PromptPanel::PromptPanel(const GenerationBackend& backend, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->addWidget(buildPromptSection(), 1);
  layout->addWidget(buildSettingsSection());

  for (const SamplerChoice& s : backend.samplers()) m_sampler->addItem(qs(s.name));
  for (const std::string& s : backend.scheduleTypes()) m_schedule->addItem(scheduleLabel(s), qs(s));
  for (const std::string& d : backend.devices()) m_device->addItem(qs(d), qs(d));
  rebuildModelList(QString());

  m_generate = new QPushButton(studioIcon(StudioIcon::Generate), tr("Generate"), this);
  m_generate->setObjectName(QStringLiteral("generate"));
  m_generate->setToolTip(tr("Generate (Ctrl+Enter)"));
  m_generate->setMinimumHeight(36);
  QFont bold = m_generate->font();
  bold.setBold(true);
  m_generate->setFont(bold);
  m_cancel = new QToolButton(this);
  m_cancel->setObjectName(QStringLiteral("cancel"));
  m_cancel->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
  m_cancel->setText(tr("Cancel"));
  m_cancel->setToolTip(tr("Stop now (Esc). The arrow offers “Finish current image” (Shift+Esc)."));
  m_cancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_cancel->setMinimumHeight(36);
  m_cancel->setPopupMode(QToolButton::MenuButtonPopup);
  auto* cancelMenu = new QMenu(m_cancel);
  cancelMenu->addAction(tr("Stop now"), this,
                        [this] { emit cancelRequested(CancelMode::StopNow); });
  cancelMenu->addAction(tr("Finish current image"), this,
                        [this] { emit cancelRequested(CancelMode::FinishImage); });
  m_cancel->setMenu(cancelMenu);
  m_cancel->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_generate, 1);
  buttons->addWidget(m_cancel);
  layout->addLayout(buttons);

  connect(m_generate, &QPushButton::clicked, this, &PromptPanel::generateRequested);
  connect(m_cancel, &QToolButton::clicked, this,
          [this] { emit cancelRequested(CancelMode::StopNow); });
}

void PromptPanel::addSection(QWidget* section) {
  static_cast<QVBoxLayout*>(layout())->insertWidget(1, section);
}

QWidget* PromptPanel::buildPromptSection() {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* header = new QHBoxLayout;
  auto* promptLabel = new QLabel(tr("&Prompt"), box);
  m_historyButton = new QToolButton(box);
  m_historyButton->setObjectName(QStringLiteral("promptHistory"));
  m_historyButton->setText(tr("Recent"));
  m_historyButton->setToolTip(tr("Recent prompts"));
  m_historyButton->setPopupMode(QToolButton::InstantPopup);
  m_historyButton->setMenu(new QMenu(m_historyButton));
  connect(m_historyButton->menu(), &QMenu::aboutToShow, this, &PromptPanel::showHistoryMenu);
  header->addWidget(promptLabel);
  header->addStretch(1);
  header->addWidget(m_historyButton);
  layout->addLayout(header);

  m_prompt = makeTextEdit(QStringLiteral("prompt"), tr("Describe the image you want…"), 4, box);
  promptLabel->setBuddy(m_prompt);
  layout->addWidget(m_prompt, 2);
  auto* negativeLabel = new QLabel(tr("&Negative prompt"), box);
  layout->addWidget(negativeLabel);
  m_negative =
      makeTextEdit(QStringLiteral("negativePrompt"), tr("What the image should avoid…"), 2, box);
  negativeLabel->setBuddy(m_negative);
  layout->addWidget(m_negative, 1);
  return box;
}

QWidget* PromptPanel::buildSettingsSection() {
  auto* box = new QWidget(this);
  auto* form = new QFormLayout(box);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  // Model picker + "Add model…".
  m_model = new QComboBox(box);
  m_model->setObjectName(QStringLiteral("model"));
  m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_model->setMinimumContentsLength(12);
  m_addModel = new QToolButton(box);
  m_addModel->setObjectName(QStringLiteral("addModel"));
  m_addModel->setIcon(studioIcon(StudioIcon::Add));
  m_addModel->setToolTip(tr("Add model…"));
  m_addModel->setPopupMode(QToolButton::InstantPopup);
  auto* addMenu = new QMenu(m_addModel);
  addMenu->addAction(tr("Add model file (.safetensors, .gguf)…"), this,
                     [this] { addModelWithDialog(false); });
  addMenu->addAction(tr("Add folder of models…"), this, [this] { addModelWithDialog(true); });
  m_addModel->setMenu(addMenu);
  auto* modelRow = new QHBoxLayout;
  modelRow->addWidget(m_model, 1);
  modelRow->addWidget(m_addModel);
  form->addRow(rowLabel(tr("&Model"), m_model, box), modelRow);
  connect(m_model, &QComboBox::currentIndexChanged, this,
          [this] { emit modelChanged(modelPath()); });
  connect(m_model, &QComboBox::activated, this, [this] { emit modelPicked(modelPath()); });

  m_sampler = new QComboBox(box);
  m_sampler->setObjectName(QStringLiteral("sampler"));
  form->addRow(tr("&Sampler"), m_sampler);
  m_schedule = new QComboBox(box);
  m_schedule->setObjectName(QStringLiteral("schedule"));
  form->addRow(tr("Sc&hedule"), m_schedule);

  m_steps = new QSpinBox(box);
  m_steps->setObjectName(QStringLiteral("steps"));
  m_steps->setRange(1, 150);
  m_steps->setValue(20);
  form->addRow(tr("S&teps"), m_steps);

  m_cfg = new QDoubleSpinBox(box);
  m_cfg->setObjectName(QStringLiteral("cfgScale"));
  m_cfg->setRange(1.0, 30.0);
  m_cfg->setSingleStep(0.5);
  m_cfg->setDecimals(1);
  m_cfg->setValue(7.0);
  form->addRow(tr("&CFG scale"), m_cfg);
  m_guidance = new QDoubleSpinBox(box);
  m_guidance->setObjectName(QStringLiteral("guidance"));
  m_guidance->setRange(0.0, 30.0);
  m_guidance->setSingleStep(0.5);
  m_guidance->setDecimals(1);
  m_guidance->setValue(3.5);
  m_guidance->setToolTip(
      tr("Distilled guidance of Flux dev: how closely the picture follows the prompt. It is "
         "not CFG (CFG stays 1, one model call per step)."));
  form->addRow(tr("Guid&ance"), m_guidance);
  form->setRowVisible(m_guidance, false);  // shown for models that take it
  m_settingsForm = form;

  // Size: multiples of 8, with presets.
  m_width = new QSpinBox(box);
  m_width->setObjectName(QStringLiteral("width"));
  m_height = new QSpinBox(box);
  m_height->setObjectName(QStringLiteral("height"));
  for (QSpinBox* side : {m_width, m_height}) {
    side->setRange(kMinSide, kMaxSide);
    side->setSingleStep(8);
    side->setValue(512);
    connect(side, &QSpinBox::editingFinished, this,
            [side] { side->setValue(roundTo8(side->value())); });
  }
  m_width->setToolTip(tr("Width in pixels (a multiple of 8)"));
  m_height->setToolTip(tr("Height in pixels (a multiple of 8)"));
  m_sizePreset = new QComboBox(box);
  m_sizePreset->setObjectName(QStringLiteral("sizePreset"));
  m_sizePreset->addItem(tr("Presets"));
  for (const QSize& s : {QSize(512, 512), QSize(512, 768), QSize(768, 512), QSize(768, 768),
                         QSize(1024, 1024), QSize(832, 1216), QSize(1216, 832), QSize(64, 64)}) {
    m_sizePreset->addItem(tr("%1 × %2").arg(s.width()).arg(s.height()), s);
  }
  connect(m_sizePreset, &QComboBox::activated, this, [this](int index) {
    const QSize s = m_sizePreset->itemData(index).toSize();
    if (s.isValid()) {
      m_width->setValue(s.width());
      m_height->setValue(s.height());
    }
    m_sizePreset->setCurrentIndex(0);
  });
  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(m_width, 1);
  sizeRow->addWidget(new QLabel(QStringLiteral("×"), box));
  sizeRow->addWidget(m_height, 1);
  sizeRow->addWidget(m_sizePreset);
  form->addRow(rowLabel(tr("Si&ze"), m_width, box), sizeRow);
  m_hires = new HiresPanel(box);
  form->addRow(QString(), m_hires);

  // Seed: −1 = random; dice sets random, the arrow reuses the last image's seed.
  m_seed = new QLineEdit(QStringLiteral("-1"), box);
  m_seed->setObjectName(QStringLiteral("seed"));
  m_seed->setValidator(new QRegularExpressionValidator(
      QRegularExpression(QStringLiteral("^(-1|\\d{1,18})$")), m_seed));
  m_seed->setToolTip(tr("Seed; −1 picks a random seed for every image"));
  m_dice = new QToolButton(box);
  m_dice->setObjectName(QStringLiteral("dice"));
  m_dice->setIcon(studioIcon(StudioIcon::Dice));
  m_dice->setToolTip(tr("Random seed (−1)"));
  connect(m_dice, &QToolButton::clicked, this, [this] { m_seed->setText(QStringLiteral("-1")); });
  m_reuse = new QToolButton(box);
  m_reuse->setObjectName(QStringLiteral("reuseSeed"));
  m_reuse->setIcon(studioIcon(StudioIcon::Reuse));
  m_reuse->setToolTip(tr("Reuse the last image's seed"));
  m_reuse->setEnabled(false);
  connect(m_reuse, &QToolButton::clicked, this, [this] {
    if (m_lastSeed >= 0) m_seed->setText(QString::number(m_lastSeed));
  });
  auto* seedRow = new QHBoxLayout;
  seedRow->addWidget(m_seed, 1);
  seedRow->addWidget(m_dice);
  seedRow->addWidget(m_reuse);
  form->addRow(rowLabel(tr("S&eed"), m_seed, box), seedRow);

  m_batch = new QSpinBox(box);
  m_batch->setObjectName(QStringLiteral("batchCount"));
  m_batch->setRange(1, 64);
  m_batch->setToolTip(tr("How many images to make; image i uses seed + i"));
  form->addRow(tr("&Batch count"), m_batch);

  m_device = new QComboBox(box);
  m_device->setObjectName(QStringLiteral("device"));
  m_precision = new QComboBox(box);
  m_precision->setObjectName(QStringLiteral("precision"));
  m_precision->addItem(tr("Automatic"), QString::fromLatin1(kDTypes[0].key));
  m_precision->addItem(tr("float32"), QString::fromLatin1(kDTypes[1].key));
  m_precision->addItem(tr("bfloat16"), QString::fromLatin1(kDTypes[2].key));
  m_precision->addItem(tr("float16"), QString::fromLatin1(kDTypes[3].key));
  auto* deviceRow = new QHBoxLayout;
  deviceRow->addWidget(m_device, 1);
  deviceRow->addWidget(m_precision, 1);
  form->addRow(rowLabel(tr("&Device"), m_device, box), deviceRow);
  return box;
}

GenerationParams PromptPanel::params() const {
  GenerationParams p;
  p.prompt = m_prompt->toPlainText().toStdString();
  p.negativePrompt = m_negative->toPlainText().toStdString();
  bool ok = false;
  const qint64 seed = m_seed->text().toLongLong(&ok);
  p.seed = ok ? seed : -1;
  p.steps = m_steps->value();
  p.cfgScale = m_cfg->value();
  if (m_takesGuidance) p.guidance = m_guidance->value();
  p.sampler = m_sampler->currentText().toStdString();
  p.schedule = m_schedule->currentData().toString().toStdString();
  p.width = roundTo8(m_width->value());
  p.height = roundTo8(m_height->value());
  p.batchSize = m_batch->value();
  m_hires->applyTo(p.hires);
  p.device = m_device->currentData().toString().toStdString();
  const QString dtype = m_precision->currentData().toString();
  for (const DTypeChoice& c : kDTypes) {
    if (dtype == QLatin1String(c.key)) p.dtype = c.dtype;
  }
  return p;
}

QStringList PromptPanel::setParams(const GenerationParams& p) {
  QStringList notes;
  m_prompt->setPlainText(qs(p.prompt));
  m_negative->setPlainText(qs(p.negativePrompt));
  m_seed->setText(QString::number(p.seed < 0 ? -1 : p.seed));
  m_steps->setValue(p.steps);
  m_hires->setParams(p.hires);
  if (p.steps != m_steps->value()) notes << tr("Steps %1 is out of range.").arg(p.steps);
  m_cfg->setValue(p.cfgScale);
  if (p.guidance) m_guidance->setValue(*p.guidance);

  // Sampler and schedule by any name the core resolves (aliases other tools write, legacy
  // "DPM++ 2M Karras" names: core/sampling/sampler_names.h), then matched to the offered items.
  const QString written = qs(p.sampler);
  const auto resolved = resolveSamplerName(p.sampler);
  const int samplerIndex = resolved ? findText(m_sampler, qs(resolved->sampler)) : -1;
  if (samplerIndex >= 0) {
    m_sampler->setCurrentIndex(samplerIndex);
  } else if (!written.isEmpty()) {
    notes << tr("Unknown sampler “%1”; kept %2.").arg(written, m_sampler->currentText());
  }
  // A legacy name's schedule where none was chosen; canonical when known.
  const std::string schedule = resolved ? effectiveSchedule(*resolved, p.schedule)
                                        : resolveKnownScheduleName(p.schedule).value_or(p.schedule);
  const int scheduleIndex = findDataText(m_schedule, qs(schedule));
  if (scheduleIndex >= 0) {
    m_schedule->setCurrentIndex(scheduleIndex);
  } else if (!schedule.empty()) {
    notes << tr("Unknown schedule “%1”; kept %2.").arg(qs(schedule), m_schedule->currentText());
  }
  if (p.width < kMinSide || p.width > kMaxSide || p.height < kMinSide || p.height > kMaxSide) {
    notes << tr("Size %1×%2 is outside %3–%4.")
                 .arg(p.width)
                 .arg(p.height)
                 .arg(kMinSide)
                 .arg(kMaxSide);
  }
  m_width->setValue(roundTo8(p.width));
  m_height->setValue(roundTo8(p.height));
  m_batch->setValue(p.batchSize);
  const int device = m_device->findData(qs(p.device));
  if (device >= 0) m_device->setCurrentIndex(device);
  for (const DTypeChoice& c : kDTypes) {
    if (c.dtype == p.dtype)
      m_precision->setCurrentIndex(m_precision->findData(QLatin1String(c.key)));
  }
  return notes;
}

QString PromptPanel::modelPath() const {
  return m_model->currentData().toString();
}

QString PromptPanel::modelName() const {
  const QString path = modelPath();
  if (path.isEmpty()) return m_model->currentText().trimmed();
  const QFileInfo info(path);
  return info.isDir() ? info.fileName() : info.completeBaseName();
}

bool PromptPanel::selectModel(const QString& nameOrPath) {
  if (nameOrPath.isEmpty()) return false;
  for (const ModelEntry& e : m_catalog.entries()) {
    const QFileInfo info(e.path);
    const QString stem = info.isDir() ? info.fileName() : info.completeBaseName();
    if (e.path == nameOrPath ||
        (!e.path.isEmpty() && stem.compare(nameOrPath, Qt::CaseInsensitive) == 0)) {
      m_model->setCurrentIndex(m_model->findData(e.path));
      m_pendingModel.clear();
      return true;
    }
  }
  return false;
}

ModelFamily PromptPanel::modelFamily() const {
  const int index = m_catalog.indexOf(modelPath());
  return index >= 0 ? m_catalog.entries()[static_cast<size_t>(index)].family : ModelFamily::Unknown;
}

void PromptPanel::setLibrary(const ModelLibrary& library) {
  const QString current = modelPath();
  m_catalog.setLibrary(library);
  rebuildModelList(current);
  if (!m_pendingModel.isEmpty()) selectModel(m_pendingModel);
}

void PromptPanel::addModelSource(const QString& path) {
  const int before = static_cast<int>(m_catalog.entries().size());
  m_catalog.addSource(path);
  QString select = modelPath();
  const auto& entries = m_catalog.entries();
  if (static_cast<int>(entries.size()) > before) {
    // Select the model that came from this source.
    for (const ModelEntry& e : entries) {
      if (e.path == QFileInfo(path).absoluteFilePath() ||
          e.path.startsWith(QFileInfo(path).absoluteFilePath() + QLatin1Char('/'))) {
        select = e.path;
        break;
      }
    }
  }
  rebuildModelList(select);
}

void PromptPanel::rebuildModelList(const QString& select) {
  {
    const QSignalBlocker block(m_model);
    m_model->clear();
    // One heading per family group (not selectable), as soon as there is more than one group.
    const auto& entries = m_catalog.entries();
    const bool headings = std::any_of(entries.begin(), entries.end(), [](const ModelEntry& e) {
      return ModelCatalog::group(e) != ModelGroup::Builtin;
    });
    std::optional<ModelGroup> group;
    QFont headingFont = m_model->font();
    headingFont.setBold(true);
    for (const ModelEntry& e : entries) {
      if (headings && ModelCatalog::group(e) != group) {
        group = ModelCatalog::group(e);
        m_model->addItem(ModelCatalog::groupName(*group));
        const int row = m_model->count() - 1;
        m_model->setItemData(row, QStringLiteral("group"), Qt::AccessibleDescriptionRole);
        m_model->setItemData(row, headingFont, Qt::FontRole);
        if (auto* model = qobject_cast<QStandardItemModel*>(m_model->model())) {
          model->item(row)->setFlags(Qt::NoItemFlags);
        }
      }
      m_model->addItem(headings ? QStringLiteral("  ") + e.name : e.name, e.path);
      m_model->setItemData(m_model->count() - 1, e.path.isEmpty() ? e.name : e.path,
                           Qt::ToolTipRole);
    }
    const int index = m_catalog.indexOf(select) >= 0 ? m_model->findData(select) : -1;
    // The first selectable row: the built-in model (after its heading).
    m_model->setCurrentIndex(index >= 0 ? index : (headings ? 1 : 0));
  }
  emit modelChanged(modelPath());
}

void PromptPanel::addModelWithDialog(bool folder) {
  const QString path = folder
                           ? QFileDialog::getExistingDirectory(this, tr("Add a folder of models"))
                           : QFileDialog::getOpenFileName(this, tr("Add a model"), QString(),
                                                          tr("Models (*.safetensors *.gguf)"));
  if (path.isEmpty()) return;
  addModelSource(path);
  emit modelPicked(modelPath());
}

void PromptPanel::applyModelDefaults(const ModelDescription& model) {
  GenerationParams p = params();
  p.width = model.defaultWidth;
  p.height = model.defaultHeight;
  p.steps = model.defaultSteps;
  p.cfgScale = model.defaultCfg;
  p.guidance = model.defaultGuidance;
  m_takesGuidance = model.defaultGuidance.has_value();
  m_settingsForm->setRowVisible(m_guidance, m_takesGuidance);
  if (const auto sampler = resolveSamplerName(model.defaultSampler);
      sampler && findText(m_sampler, qs(sampler->sampler)) >= 0)
    p.sampler = sampler->sampler;
  setParams(p);
}

void PromptPanel::setLastSeed(qint64 seed) {
  m_lastSeed = seed;
  m_reuse->setEnabled(seed >= 0);
  m_reuse->setToolTip(tr("Reuse the last image's seed (%1)").arg(seed));
}

void PromptPanel::rememberPrompt() {
  m_history.add(m_prompt->toPlainText());
}

void PromptPanel::showHistoryMenu() {
  QMenu* menu = m_historyButton->menu();
  menu->clear();
  const QStringList entries = m_history.entries();
  if (entries.isEmpty()) {
    menu->addAction(tr("No recent prompts"))->setEnabled(false);
    return;
  }
  for (const QString& prompt : entries) {
    QString label = prompt.simplified();
    if (label.size() > 70) label = label.left(69) + QChar(0x2026);
    menu->addAction(label, this, [this, prompt] { m_prompt->setPlainText(prompt); });
  }
  menu->addSeparator();
  menu->addAction(tr("Clear history"), this, [this] { m_history.clear(); });
}

void PromptPanel::setBusy(bool busy) {
  m_cancel->setEnabled(busy);
}

void PromptPanel::focusPrompt() {
  m_prompt->setFocus();
}

int PromptPanel::roundTo8(int value) {
  return std::max(8, (value + 4) / 8 * 8);
}

void PromptPanel::loadSettings() {
  QSettings s;
  s.beginGroup(QStringLiteral("generation"));
  GenerationParams p;  // the core's defaults fill what was never saved
  p.prompt = s.value(QStringLiteral("prompt")).toString().toStdString();
  p.negativePrompt = s.value(QStringLiteral("negativePrompt")).toString().toStdString();
  p.seed = s.value(QStringLiteral("seed"), -1).toLongLong();
  p.steps = s.value(QStringLiteral("steps"), p.steps).toInt();
  p.cfgScale = s.value(QStringLiteral("cfgScale"), p.cfgScale).toDouble();
  p.sampler = s.value(QStringLiteral("sampler"), qs(p.sampler)).toString().toStdString();
  p.schedule = s.value(QStringLiteral("schedule"), qs(p.schedule)).toString().toStdString();
  p.width = s.value(QStringLiteral("width"), p.width).toInt();
  p.height = s.value(QStringLiteral("height"), p.height).toInt();
  p.batchSize = s.value(QStringLiteral("batchCount"), 1).toInt();
  p.device = s.value(QStringLiteral("device"), qs(p.device)).toString().toStdString();
  const QString dtype = s.value(QStringLiteral("precision"), QStringLiteral("auto")).toString();
  for (const DTypeChoice& c : kDTypes) {
    if (dtype == QLatin1String(c.key)) p.dtype = c.dtype;
  }
  const QString model = s.value(QStringLiteral("model")).toString();
  s.endGroup();
  setParams(p);
  if (!model.isEmpty() && !selectModel(model)) m_pendingModel = model;
}

void PromptPanel::saveSettings() const {
  const GenerationParams p = params();
  QSettings s;
  s.beginGroup(QStringLiteral("generation"));
  s.setValue(QStringLiteral("prompt"), qs(p.prompt));
  s.setValue(QStringLiteral("negativePrompt"), qs(p.negativePrompt));
  s.setValue(QStringLiteral("seed"), static_cast<qlonglong>(p.seed));
  s.setValue(QStringLiteral("steps"), p.steps);
  s.setValue(QStringLiteral("cfgScale"), p.cfgScale);
  s.setValue(QStringLiteral("sampler"), qs(p.sampler));
  s.setValue(QStringLiteral("schedule"), qs(p.schedule));
  s.setValue(QStringLiteral("width"), p.width);
  s.setValue(QStringLiteral("height"), p.height);
  s.setValue(QStringLiteral("batchCount"), p.batchSize);
  s.setValue(QStringLiteral("device"), qs(p.device));
  s.setValue(QStringLiteral("precision"), m_precision->currentData().toString());
  s.setValue(QStringLiteral("model"), modelPath());
  s.endGroup();
}

}  // namespace lienzo::ui
