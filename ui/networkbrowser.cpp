#include "ui/networkbrowser.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPainterPath>
#include <QPlainTextEdit>
#include <QSlider>
#include <QTabWidget>
#include <QTextCursor>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "core/adapters/prompt_networks.h"

namespace lienzo::ui {

namespace {

constexpr double kStrengthStep = 0.05;  ///< slider units
constexpr int kStrengthRange = 40;      ///< ±2.0
constexpr int kIconSide = LibrarySnapshot::kThumbnailSize;
constexpr int kNameRole = Qt::UserRole + 1;
constexpr int kLoadableRole = Qt::UserRole + 2;

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

int toSlider(double strength) {
  return std::clamp(static_cast<int>(std::lround(strength / kStrengthStep)), -kStrengthRange,
                    kStrengthRange);
}

QString formatStrength(double value) {
  return QString::number(value, 'f', 2);
}

/// Another family than the model's: both known from evidence, and different.
bool otherFamily(const FamilyGuess& guess, ModelFamily model) {
  return model != ModelFamily::Unknown && guess.family != ModelFamily::Unknown && !guess.assumed &&
         guess.family != model;
}

}  // namespace

NetworkBrowser::NetworkBrowser(QWidget* parent)
    : QWidget(parent),
      m_snapshot(std::make_shared<const LibrarySnapshot>()),
      m_filter(new QLineEdit(this)),
      m_tabs(new QTabWidget(this)),
      m_loras(new QListWidget(this)),
      m_embeddings(new QListWidget(this)),
      m_strengthBox(new QWidget(this)),
      m_strengthTitle(new QLabel(this)),
      m_text(new QSlider(Qt::Horizontal, this)),
      m_unet(new QSlider(Qt::Horizontal, this)),
      m_textValue(new QLabel(this)),
      m_unetValue(new QLabel(this)) {
  m_filter->setObjectName(QStringLiteral("networkFilter"));
  m_filter->setPlaceholderText(tr("Filter by name…"));
  m_filter->setClearButtonEnabled(true);
  connect(m_filter, &QLineEdit::textChanged, this, &NetworkBrowser::applyFilter);

  m_loras->setObjectName(QStringLiteral("loraList"));
  m_embeddings->setObjectName(QStringLiteral("embeddingList"));
  for (QListWidget* list : {m_loras, m_embeddings}) {
    list->setViewMode(QListView::IconMode);
    list->setIconSize(QSize(kIconSide, kIconSide));
    list->setGridSize(QSize(kIconSide + 18, kIconSide + 34));
    list->setResizeMode(QListView::Adjust);
    list->setMovement(QListView::Static);
    list->setWordWrap(false);
    list->setTextElideMode(Qt::ElideMiddle);
    list->setUniformItemSizes(true);
    list->setSelectionMode(QAbstractItemView::SingleSelection);
  }
  connect(m_loras, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    if (item->data(kLoadableRole).toBool()) activateLora(item->data(kNameRole).toString());
  });
  connect(m_embeddings, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    if (item->data(kLoadableRole).toBool()) activateEmbedding(item->data(kNameRole).toString());
  });
  m_tabs->setObjectName(QStringLiteral("networkTabs"));
  m_tabs->addTab(m_loras, tr("LoRA"));
  m_tabs->addTab(m_embeddings, tr("Embeddings"));

  // Strength sliders of the selected LoRA (ComfyUI: strength_clip, strength_model).
  m_text->setObjectName(QStringLiteral("textStrength"));
  m_unet->setObjectName(QStringLiteral("unetStrength"));
  for (QSlider* slider : {m_text, m_unet}) {
    slider->setRange(-kStrengthRange, kStrengthRange);
    slider->setSingleStep(1);
    slider->setPageStep(4);
    slider->setValue(toSlider(1.0));
    connect(slider, &QSlider::valueChanged, this, &NetworkBrowser::onSliderMoved);
  }
  for (QLabel* value : {m_textValue, m_unetValue}) {
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("-0.00")) + 4);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  }
  auto* strengths = new QFormLayout(m_strengthBox);
  strengths->setContentsMargins(0, 0, 0, 0);
  strengths->addRow(m_strengthTitle);
  auto* textRow = new QHBoxLayout;
  textRow->addWidget(m_text, 1);
  textRow->addWidget(m_textValue);
  auto* unetRow = new QHBoxLayout;
  unetRow->addWidget(m_unet, 1);
  unetRow->addWidget(m_unetValue);
  strengths->addRow(tr("Text encoder"), textRow);
  strengths->addRow(tr("Model"), unetRow);
  m_text->setToolTip(tr("Strength on the text encoder (−2 … 2)"));
  m_unet->setToolTip(tr("Strength on the diffusion model (−2 … 2)"));

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 6);  // clear of the splitter handle below
  layout->addWidget(m_filter);
  layout->addWidget(m_tabs, 1);
  layout->addWidget(m_strengthBox);
  syncSliders();
}

void NetworkBrowser::setLibrary(std::shared_ptr<const LibrarySnapshot> snapshot) {
  m_snapshot = snapshot ? std::move(snapshot) : std::make_shared<const LibrarySnapshot>();
  rebuild();
}

void NetworkBrowser::setModelFamily(ModelFamily family) {
  if (family == m_family) return;
  m_family = family;
  rebuild();
}

void NetworkBrowser::setPromptEdit(QPlainTextEdit* prompt) {
  if (m_prompt) disconnect(m_prompt, nullptr, this, nullptr);
  m_prompt = prompt;
  if (m_prompt) {
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &NetworkBrowser::syncSliders);
  }
  syncSliders();
}

QString NetworkBrowser::familyBadge(ModelFamily family) {
  switch (family) {
    case ModelFamily::SD1:
      return QStringLiteral("SD1");
    case ModelFamily::SD2:
      return QStringLiteral("SD2");
    case ModelFamily::SDXL:
      return QStringLiteral("SDXL");
    case ModelFamily::SDXLRefiner:
      return QStringLiteral("XL-R");
    case ModelFamily::SD3:
      return QStringLiteral("SD3");
    case ModelFamily::Flux:
      return QStringLiteral("Flux");
    case ModelFamily::LienzoBuiltin:
      return QStringLiteral("Lienzo");
    case ModelFamily::Unknown:
      break;
  }
  return QStringLiteral("?");
}

void NetworkBrowser::rebuild() {
  fill(m_loras, ModelCategory::Lora);
  fill(m_embeddings, ModelCategory::Embedding);
  m_tabs->setTabText(0, tr("LoRA (%1)").arg(m_loras->count()));
  m_tabs->setTabText(1, tr("Embeddings (%1)").arg(m_embeddings->count()));
  applyFilter();
  syncSliders();
}

QIcon NetworkBrowser::cardIcon(const LibraryEntry& entry, bool dimmed) const {
  QPixmap pixmap(kIconSide, kIconSide);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.setRenderHint(QPainter::Antialiasing);
  if (dimmed || !entry.loadable) p.setOpacity(0.4);
  const QImage thumb = m_snapshot->thumbnails.value(qs(entry.preview.string()));
  if (!thumb.isNull()) {
    const QPoint at((kIconSide - thumb.width()) / 2, (kIconSide - thumb.height()) / 2);
    p.drawImage(at, thumb);
  } else {
    // Placeholder: a tile with the kind of file.
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(palette().color(QPalette::AlternateBase));
    p.drawRoundedRect(QRectF(1.5, 1.5, kIconSide - 3, kIconSide - 3), 8, 8);
    QFont font = p.font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    p.setFont(font);
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(QRect(0, 0, kIconSide, kIconSide), Qt::AlignCenter,
               entry.category == ModelCategory::Lora ? tr("LoRA") : tr("TI"));
  }
  // Family badge, bottom left.
  QFont small = p.font();
  small.setPointSizeF(std::max(6.0, font().pointSizeF() * 0.8));
  small.setBold(true);
  p.setFont(small);
  const QString badge = entry.loadable ? familyBadge(entry.family.family) : tr("pickle");
  const QFontMetrics fm(small);
  const QRectF box(3, kIconSide - fm.height() - 5, fm.horizontalAdvance(badge) + 8,
                   fm.height() + 2);
  p.setPen(Qt::NoPen);
  p.setBrush(entry.loadable ? QColor(40, 90, 160, 220) : QColor(160, 50, 40, 220));
  p.drawRoundedRect(box, 4, 4);
  p.setPen(Qt::white);
  p.drawText(box, Qt::AlignCenter, badge);
  return QIcon(pixmap);
}

void NetworkBrowser::fill(QListWidget* list, ModelCategory category) {
  list->clear();
  const QString modelFamily = qs(familyName(m_family));
  for (const LibraryEntry* e : m_snapshot->library->list(category)) {
    const bool dimmed = otherFamily(e->family, m_family);
    auto* item = new QListWidgetItem(cardIcon(*e, dimmed), qs(e->name), list);
    item->setData(kNameRole, qs(e->name));
    item->setData(kLoadableRole, e->loadable);
    QStringList tip{QStringLiteral("<b>%1</b>").arg(qs(e->name).toHtmlEscaped()),
                    tr("Family: %1").arg(qs(e->family.label()).toHtmlEscaped()),
                    qs(e->path.string()).toHtmlEscaped()};
    if (!e->loadable) {
      tip << tr("Not loadable: %1").arg(qs(e->note).toHtmlEscaped());
      item->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
    } else if (dimmed) {
      tip << tr("Made for %1; the current model is %2.")
                 .arg(qs(e->family.label()).toHtmlEscaped(), modelFamily.toHtmlEscaped());
      item->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
    }
    item->setToolTip(tip.join(QStringLiteral("<br>")));
    item->setData(Qt::AccessibleDescriptionRole, dimmed ? QStringLiteral("dimmed") : QString());
  }
}

int NetworkBrowser::visibleCount(const QListWidget* list) {
  int n = 0;
  for (int i = 0; i < list->count(); ++i) n += list->item(i)->isHidden() ? 0 : 1;
  return n;
}

void NetworkBrowser::applyFilter() {
  const QString needle = m_filter->text().trimmed();
  for (QListWidget* list : {m_loras, m_embeddings}) {
    for (int i = 0; i < list->count(); ++i) {
      QListWidgetItem* item = list->item(i);
      item->setHidden(!needle.isEmpty() && !item->text().contains(needle, Qt::CaseInsensitive));
    }
  }
}

void NetworkBrowser::replacePrompt(const QString& text, int cursorPosition) {
  if (!m_prompt || m_prompt->toPlainText() == text) return;
  // One undoable edit, unlike setPlainText().
  QTextCursor cursor(m_prompt->document());
  cursor.beginEditBlock();
  cursor.select(QTextCursor::Document);
  cursor.insertText(text);
  cursor.endEditBlock();
  cursor.setPosition(std::clamp(cursorPosition, 0, static_cast<int>(text.size())));
  m_prompt->setTextCursor(cursor);
}

void NetworkBrowser::activateLora(const QString& name) {
  m_selected = name;
  if (!m_prompt) return;
  const std::string prompt = m_prompt->toPlainText().toStdString();
  const PromptNetworks tags = extractPromptNetworks(prompt);
  const bool present = std::any_of(tags.loras.begin(), tags.loras.end(),
                                   [&](const LoraTag& t) { return qs(t.name) == name; });
  if (!present) {
    const QString edited = qs(setLoraTag(prompt, name.toStdString(), 1.0, 1.0));
    replacePrompt(edited, static_cast<int>(edited.size()));
  }
  syncSliders();
}

void NetworkBrowser::activateEmbedding(const QString& name) {
  if (!m_prompt) return;
  const QString text = m_prompt->toPlainText();
  const int at = m_prompt->textCursor().position();
  const QString before = text.left(at);
  QString insert = name;
  if (!before.isEmpty() && !before.back().isSpace() && before.back() != QLatin1Char('(')) {
    insert.prepend(before.back() == QLatin1Char(',') ? QStringLiteral(" ") : QStringLiteral(", "));
  }
  replacePrompt(before + insert + text.mid(at), at + static_cast<int>(insert.size()));
}

void NetworkBrowser::setStrengths(double textStrength, double unetStrength) {
  m_syncing = true;
  m_text->setValue(toSlider(textStrength));
  m_unet->setValue(toSlider(unetStrength));
  m_syncing = false;
  onSliderMoved();  // one edit of the prompt, with both values
}

void NetworkBrowser::updateLabels() {
  m_textValue->setText(formatStrength(sliderStrength(m_text)));
  m_unetValue->setText(formatStrength(sliderStrength(m_unet)));
}

double NetworkBrowser::sliderStrength(const QSlider* slider) {
  return std::round(slider->value() * kStrengthStep * 100.0) / 100.0;  // 0.35, not 0.35000000001
}

void NetworkBrowser::onSliderMoved() {
  updateLabels();
  if (m_syncing || !m_prompt || m_selected.isEmpty() || !m_text->isEnabled()) return;
  const std::string prompt = m_prompt->toPlainText().toStdString();
  const QString edited = qs(
      setLoraTag(prompt, m_selected.toStdString(), sliderStrength(m_text), sliderStrength(m_unet)));
  // The cursor stays where it was, or at the end when it was there.
  const int cursor = m_prompt->textCursor().atEnd() ? static_cast<int>(edited.size())
                                                    : m_prompt->textCursor().position();
  m_syncing = true;  // the prompt's textChanged would move the sliders back
  replacePrompt(edited, cursor);
  m_syncing = false;
}

void NetworkBrowser::syncSliders() {
  if (m_syncing) return;
  const LoraTag* tag = nullptr;
  PromptNetworks tags;
  if (m_prompt && !m_selected.isEmpty()) {
    tags = extractPromptNetworks(m_prompt->toPlainText().toStdString());
    for (const LoraTag& t : tags.loras) {
      if (qs(t.name) == m_selected) {
        tag = &t;
        break;
      }
    }
  }
  m_strengthTitle->setText(tag ? tr("<b>%1</b> in the prompt").arg(m_selected.toHtmlEscaped())
                               : tr("Click a LoRA to add it to the prompt."));
  m_text->setEnabled(tag != nullptr);
  m_unet->setEnabled(tag != nullptr);
  m_syncing = true;
  m_text->setValue(toSlider(tag ? tag->textStrength : 1.0));
  m_unet->setValue(toSlider(tag ? tag->unetStrength : 1.0));
  m_syncing = false;
  updateLabels();
}

}  // namespace lienzo::ui
