#include "ui/controlslot.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "core/pipeline/control_pictures.h"
#include "ui/imageconvert.h"

namespace lienzo::ui {

namespace {

constexpr int kThumb = 92;  ///< side of the picture and preview thumbnails
constexpr int kDebounceMs = 150;

template <typename W>
W* describe(W* widget, const char* name, const QString& accessible, const QString& tip) {
  widget->setObjectName(QString::fromLatin1(name));
  widget->setAccessibleName(accessible);
  widget->setToolTip(tip);
  return widget;
}

/// Display names of the core's preprocessors (the core's names stay the item data).
QString preprocessorLabel(const std::string& name) {
  static const char* const kNames[][2] = {
      {"none", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "None (picture as it is)")},
      {"canny", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Canny edges")},
      {"scribble", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Scribble (dark strokes)")},
      {"threshold", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Threshold")},
      {"invert", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Invert")},
      {"tile_resample", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Tile resample")},
      {"inpaint", QT_TRANSLATE_NOOP("lienzo::ui::ControlSlot", "Inpaint (masked = −1)")}};
  for (const auto& known : kNames) {
    if (name == known[0]) return QCoreApplication::translate("lienzo::ui::ControlSlot", known[1]);
  }
  return QString::fromStdString(name);
}

/// A row: a fixed-width label and its field(s); hiding the row hides both.
QWidget* row(const QString& label, std::initializer_list<QWidget*> fields, QWidget* parent) {
  auto* w = new QWidget(parent);
  auto* layout = new QHBoxLayout(w);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* text = new QLabel(label, w);
  text->setMinimumWidth(72);
  if (fields.size() > 0) text->setBuddy(*fields.begin());
  layout->addWidget(text);
  for (QWidget* f : fields) layout->addWidget(f, 1);
  return w;
}

QDoubleSpinBox* spin(double lo, double hi, double step, int decimals, QWidget* parent) {
  auto* s = new QDoubleSpinBox(parent);
  s->setRange(lo, hi);
  s->setSingleStep(step);
  s->setDecimals(decimals);
  return s;
}

QString firstLocalFile(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile()) return url.toLocalFile();
  return {};
}

}  // namespace

ControlSlot::ControlSlot(const ControlPictureSources& sources, QWidget* parent)
    : QFrame(parent), m_sources(sources) {
  setFrameShape(QFrame::StyledPanel);
  setAcceptDrops(true);
  m_enabled = describe(new QCheckBox(this), "controlEnabled", tr("Use this ControlNet"),
                       tr("Use this ControlNet when generating"));
  m_enabled->setChecked(true);
  m_remove = describe(new QToolButton(this), "controlRemove", tr("Remove ControlNet"),
                      tr("Remove this ControlNet slot"));
  m_remove->setText(QStringLiteral("✕"));
  m_remove->setAutoRaise(true);
  auto* title = new QHBoxLayout;
  title->addWidget(m_enabled, 1);
  title->addWidget(m_remove);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 4, 6, 6);
  layout->setSpacing(3);
  layout->addLayout(title);
  layout->addWidget(buildPictureRow());
  layout->addWidget(buildSettings());

  m_previewTimer = new QTimer(this);
  m_previewTimer->setSingleShot(true);
  m_previewTimer->setInterval(kDebounceMs);
  connect(m_previewTimer, &QTimer::timeout, this, &ControlSlot::startPreview);
  connect(m_remove, &QToolButton::clicked, this, &ControlSlot::removeRequested);
  setIndex(0);
  updateKnobs();
  showPicture();
}

QWidget* ControlSlot::buildPictureRow() {
  auto* w = new QWidget(this);
  m_pictureLabel = describe(new QLabel(w), "controlPicture", tr("Control picture"),
                            tr("The picture the ControlNet follows: drop a file here, take the "
                               "selected gallery picture or the canvas. Without one, the edit "
                               "page's picture is used."));
  m_previewLabel = describe(new QLabel(w), "controlPreview", tr("Preprocessed preview"),
                            tr("What the ControlNet sees: the picture after the preprocessor, at "
                               "the generation size"));
  m_previewLabel->setText(tr("No preview"));
  for (QLabel* l : {m_pictureLabel, m_previewLabel}) {
    l->setFixedSize(kThumb, kThumb);
    l->setAlignment(Qt::AlignCenter);
    l->setFrameShape(QFrame::Box);
    l->setWordWrap(true);
  }
  auto* fromGallery = describe(new QPushButton(tr("Gallery"), w), "controlFromGallery",
                               tr("From gallery"), tr("Use the picture selected in the gallery"));
  auto* useCanvas = describe(new QPushButton(tr("Canvas"), w), "controlUseCanvas", tr("Use canvas"),
                             tr("Use the picture on the canvas"));
  auto* clear = describe(new QPushButton(tr("Clear"), w), "controlClear", tr("Clear picture"),
                         tr("Forget this slot's picture"));
  auto* buttons = new QVBoxLayout;
  buttons->setSpacing(2);
  buttons->addWidget(fromGallery);
  buttons->addWidget(useCanvas);
  buttons->addWidget(clear);
  buttons->addStretch(1);
  auto* layout = new QHBoxLayout(w);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_pictureLabel);
  layout->addWidget(m_previewLabel);
  layout->addLayout(buttons, 1);

  auto take = [this](const std::function<QImage()>& source, const QString& none) {
    const QImage picture = source ? source() : QImage();
    if (picture.isNull()) {
      emit errorOccurred(none);
      return;
    }
    setPicture(picture);
  };
  connect(fromGallery, &QPushButton::clicked, this,
          [this, take] { take(m_sources.gallery, tr("Select a picture in the gallery first.")); });
  connect(useCanvas, &QPushButton::clicked, this,
          [this, take] { take(m_sources.canvas, tr("There is no picture on the canvas yet.")); });
  connect(clear, &QPushButton::clicked, this, [this] { setPicture(QImage()); });
  return w;
}

QWidget* ControlSlot::buildSettings() {
  auto* w = new QWidget(this);
  auto* layout = new QVBoxLayout(w);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(3);

  m_preprocessor = describe(new QComboBox(w), "controlPreprocessor", tr("Preprocessor"),
                            tr("How the picture is turned into what the ControlNet expects"));
  for (const std::string& name : controlPreprocessors())
    m_preprocessor->addItem(preprocessorLabel(name), QString::fromStdString(name));
  layout->addWidget(row(tr("Preprocessor"), {m_preprocessor}, w));

  m_low = describe(spin(0, 2040, 10, 0, w), "controlLow", tr("Canny low threshold"),
                   tr("Edges weaker than this are dropped"));
  m_high = describe(spin(0, 2040, 10, 0, w), "controlHigh", tr("Canny high threshold"),
                    tr("Edges stronger than this are always kept"));
  m_cannyRow = row(tr("Low / high"), {m_low, m_high}, w);
  layout->addWidget(m_cannyRow);
  m_threshold = describe(new QSpinBox(w), "controlThreshold", tr("Threshold"),
                         tr("Grey level that separates strokes from paper"));
  m_threshold->setRange(0, 255);
  m_thresholdRow = row(tr("Threshold"), {m_threshold}, w);
  layout->addWidget(m_thresholdRow);
  m_tileRate = describe(spin(1, 64, 0.5, 2, w), "controlTileRate", tr("Down sampling rate"),
                        tr("How much the tile picture is shrunk (1 = unchanged)"));
  m_tileRow = row(tr("Down sample"), {m_tileRate}, w);
  layout->addWidget(m_tileRow);

  m_model = describe(new QComboBox(w), "controlModel", tr("ControlNet model"),
                     tr("A ControlNet of your model library (Settings ▸ Library), or a file path"));
  m_model->setEditable(true);
  m_model->setInsertPolicy(QComboBox::NoInsert);
  m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_model->setMinimumContentsLength(8);
  layout->addWidget(row(tr("Model"), {m_model}, w));

  m_weight = describe(spin(0, 10, 0.05, 2, w), "controlWeight", tr("Control weight"),
                      tr("How strongly the ControlNet steers (1 = as trained)"));
  m_start = describe(spin(0, 1, 0.05, 2, w), "controlStart", tr("Guidance start"),
                     tr("Fraction of the steps after which the ControlNet starts"));
  m_end = describe(spin(0, 1, 0.05, 2, w), "controlEnd", tr("Guidance end"),
                   tr("Fraction of the steps after which the ControlNet stops"));
  layout->addWidget(row(tr("Weight"), {m_weight}, w));
  layout->addWidget(row(tr("Start / end"), {m_start, m_end}, w));

  m_mode = describe(new QComboBox(w), "controlMode", tr("Control mode"),
                    tr("How the ControlNet weighs against the prompt"));
  m_mode->addItem(tr("Balanced"), static_cast<int>(ControlMode::Balanced));
  m_mode->addItem(tr("My prompt is more important"), static_cast<int>(ControlMode::Prompt));
  m_mode->addItem(tr("ControlNet is more important"), static_cast<int>(ControlMode::Control));
  layout->addWidget(row(tr("Mode"), {m_mode}, w));
  m_resize = describe(new QComboBox(w), "controlResize", tr("Resize mode"),
                      tr("How the picture is fitted to the generation size"));
  m_resize->addItem(tr("Just resize"), static_cast<int>(ResizeMode::Just));
  m_resize->addItem(tr("Crop and resize"), static_cast<int>(ResizeMode::Crop));
  m_resize->addItem(tr("Resize and fill"), static_cast<int>(ResizeMode::Fill));
  layout->addWidget(row(tr("Resize"), {m_resize}, w));

  // Defaults from the core's unit.
  const ControlUnit defaults;
  m_low->setValue(defaults.lowThreshold);
  m_high->setValue(defaults.highThreshold);
  m_threshold->setValue(defaults.threshold);
  m_tileRate->setValue(defaults.tileRate);
  m_weight->setValue(defaults.weight);
  m_start->setValue(defaults.start);
  m_end->setValue(defaults.end);
  m_mode->setCurrentIndex(m_mode->findData(static_cast<int>(defaults.mode)));
  m_resize->setCurrentIndex(m_resize->findData(static_cast<int>(defaults.resizeMode)));
  m_preprocessor->setCurrentIndex(
      m_preprocessor->findData(QString::fromStdString(defaults.preprocessor)));

  // What changes the hint picture re-makes the preview.
  connect(m_preprocessor, &QComboBox::currentIndexChanged, this, [this] {
    updateKnobs();
    schedulePreview();
  });
  for (QDoubleSpinBox* s : {m_low, m_high, m_tileRate})
    connect(s, &QDoubleSpinBox::valueChanged, this, &ControlSlot::schedulePreview);
  connect(m_threshold, &QSpinBox::valueChanged, this, &ControlSlot::schedulePreview);
  connect(m_resize, &QComboBox::currentIndexChanged, this, &ControlSlot::schedulePreview);
  return w;
}

void ControlSlot::setIndex(int index) {
  m_enabled->setText(tr("ControlNet %1").arg(index + 1));
}

bool ControlSlot::isChecked() const {
  return m_enabled->isChecked();
}

void ControlSlot::setChecked(bool on) {
  m_enabled->setChecked(on);
}

void ControlSlot::updateKnobs() {
  const QString name = m_preprocessor->currentData().toString();
  m_cannyRow->setVisible(name == QLatin1String("canny"));
  m_thresholdRow->setVisible(name == QLatin1String("scribble") ||
                             name == QLatin1String("threshold"));
  m_tileRow->setVisible(name == QLatin1String("tile_resample"));
}

ControlUnit ControlSlot::unit() const {
  ControlUnit u;
  u.model = m_model->currentText().trimmed().toStdString();
  u.image = m_rgb;
  u.preprocessor = m_preprocessor->currentData().toString().toStdString();
  u.lowThreshold = m_low->value();
  u.highThreshold = m_high->value();
  u.threshold = m_threshold->value();
  u.tileRate = m_tileRate->value();
  u.weight = m_weight->value();
  u.start = m_start->value();
  u.end = m_end->value();
  u.mode = static_cast<ControlMode>(m_mode->currentData().toInt());
  u.resizeMode = static_cast<ResizeMode>(m_resize->currentData().toInt());
  u.window = m_window;
  return u;
}

QStringList ControlSlot::setUnit(const ControlUnit& u) {
  QStringList notes;
  const QSignalBlocker block(m_preprocessor);  // one preview for the whole change
  const auto canonical = resolvePreprocessor(u.preprocessor);
  const int pre = canonical ? m_preprocessor->findData(QString::fromStdString(*canonical)) : -1;
  if (pre >= 0) {
    m_preprocessor->setCurrentIndex(pre);
  } else {
    m_preprocessor->setCurrentIndex(0);
    notes << tr("ControlNet preprocessor “%1” is unknown; “none” is used.")
                 .arg(QString::fromStdString(u.preprocessor));
  }
  m_model->setEditText(QString::fromStdString(u.model));
  m_low->setValue(u.lowThreshold);
  m_high->setValue(u.highThreshold);
  m_threshold->setValue(u.threshold);
  m_tileRate->setValue(u.tileRate);
  m_weight->setValue(u.weight);
  m_start->setValue(u.start);
  m_end->setValue(u.end);
  m_mode->setCurrentIndex(std::max(0, m_mode->findData(static_cast<int>(u.mode))));
  m_resize->setCurrentIndex(std::max(0, m_resize->findData(static_cast<int>(u.resizeMode))));
  m_window = u.window;  // not shown; kept for the request
  m_enabled->setChecked(true);
  updateKnobs();
  setPicture(toQImage(u.image));
  return notes;
}

void ControlSlot::setPicture(const QImage& picture) {
  m_picture = picture.isNull() ? QImage() : picture.convertToFormat(QImage::Format_RGB888);
  m_rgb = m_picture.isNull() ? RgbImage() : toRgbImage(m_picture);
  showPicture();
  schedulePreview();
}

void ControlSlot::showPicture() {
  if (m_picture.isNull()) {
    m_pictureLabel->setPixmap(QPixmap());
    m_pictureLabel->setText(tr("Drop a picture"));
  } else {
    // A fast step first: a big photo is not filtered whole on the UI thread.
    const QImage small =
        m_picture.width() > 4 * kThumb || m_picture.height() > 4 * kThumb
            ? m_picture.scaled(4 * kThumb, 4 * kThumb, Qt::KeepAspectRatio, Qt::FastTransformation)
            : m_picture;
    m_pictureLabel->setPixmap(QPixmap::fromImage(
        small.scaled(kThumb - 2, kThumb - 2, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  }
}

void ControlSlot::setModels(const QStringList& names) {
  const QString current = m_model->currentText();
  const QSignalBlocker block(m_model);
  m_model->clear();
  m_model->addItems(names);
  m_model->setEditText(current);
}

bool ControlSlot::previewPending() const {
  return m_previewTimer->isActive() || m_previewRunning;
}

void ControlSlot::schedulePreview() {
  m_previewTimer->start();  // restarts: a burst of changes makes one preview
}

void ControlSlot::startPreview() {
  if (m_previewRunning) {
    m_previewDirty = true;  // made again with the latest settings when this one is done
    return;
  }
  const quint64 serial = ++m_previewSerial;
  if (m_rgb.empty()) {
    previewDone(serial, QImage(), QString());
    return;
  }
  QSize size = m_sources.generationSize ? m_sources.generationSize() : QSize(512, 512);
  if (size.isEmpty()) size = QSize(512, 512);
  m_previewRunning = true;
  QPointer<ControlSlot> self(this);
  QThreadPool::globalInstance()->start([self, serial, u = unit(), size] {
    QImage image;
    QString error;
    try {
      image = toQImage(controlPicture(u, RgbImage(), size.width(), size.height()));
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    if (QCoreApplication* app = QCoreApplication::instance())
      QMetaObject::invokeMethod(
          app,
          [self, serial, image, error] {
            if (self) self->previewDone(serial, image, error);
          },
          Qt::QueuedConnection);
  });
}

void ControlSlot::previewDone(quint64 serial, const QImage& image, const QString& error) {
  m_previewRunning = false;
  if (m_previewDirty) {
    m_previewDirty = false;
    startPreview();
    return;
  }
  if (serial != m_previewSerial) return;
  m_preview = image;
  m_previewError = error;
  if (!image.isNull()) {
    m_previewLabel->setPixmap(QPixmap::fromImage(
        image.scaled(kThumb - 2, kThumb - 2, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  } else {
    m_previewLabel->setPixmap(QPixmap());
    m_previewLabel->setText(error.isEmpty() ? tr("No preview") : error);
  }
  emit previewUpdated();
}

void ControlSlot::dragEnterEvent(QDragEnterEvent* event) {
  if (!firstLocalFile(event->mimeData()).isEmpty() || event->mimeData()->hasImage())
    event->acceptProposedAction();
}

void ControlSlot::dropEvent(QDropEvent* event) {
  event->acceptProposedAction();
  if (event->mimeData()->hasImage()) {
    setPicture(qvariant_cast<QImage>(event->mimeData()->imageData()));
    return;
  }
  const QString path = firstLocalFile(event->mimeData());
  QImageReader reader(path);
  reader.setAutoTransform(true);
  const QImage picture = reader.read();
  if (picture.isNull()) {
    emit errorOccurred(tr("Cannot read %1 as a picture: %2")
                           .arg(QFileInfo(path).fileName(), reader.errorString()));
    return;
  }
  setPicture(picture);
}

}  // namespace lienzo::ui
