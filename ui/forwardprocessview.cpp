#include "ui/forwardprocessview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>

#include <cmath>

#include "ui/canvas.h"
#include "ui/forwardprocesscontroller.h"
#include "ui/scheduleplot.h"

namespace lienzo::ui {

namespace {
constexpr int kDefaultTimesteps = 1000;  // until the model's schedule arrives
}

ForwardProcessView::ForwardProcessView(ForwardProcessController* controller, QWidget* parent)
    : QWidget(parent),
      m_controller(controller),
      m_sourceCanvas(new Canvas(this)),
      m_result(new Canvas(this)),
      m_plot(new SchedulePlot(this)),
      m_slider(new QSlider(Qt::Horizontal, this)),
      m_seed(new QSpinBox(this)),
      m_title(new QLabel(this)),
      m_info(new QLabel(this)),
      m_status(new QLabel(this)) {
  auto* open =
      new QPushButton(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open image…"), this);
  connect(open, &QPushButton::clicked, this, &ForwardProcessView::openImageRequested);
  m_seed->setObjectName(QStringLiteral("noiseSeed"));
  m_seed->setRange(0, 2147483647);
  m_seed->setToolTip(tr("Seed of the noise ε"));
  connect(m_seed, &QSpinBox::valueChanged, this, &ForwardProcessView::requestFrame);
  auto* header = new QHBoxLayout;
  header->addWidget(open);
  header->addWidget(m_title, 1);
  header->addWidget(new QLabel(tr("Noise seed"), this));
  header->addWidget(m_seed);

  m_sourceCanvas->setPlaceholderText(
      tr("Pick an image in the gallery and choose Forward process, or open an image file."));
  m_result->setPlaceholderText(tr("x_t appears here."));
  connect(m_sourceCanvas, &Canvas::viewChanged, m_result, &Canvas::setView);
  connect(m_result, &Canvas::viewChanged, m_sourceCanvas, &Canvas::setView);
  auto* images = new QSplitter(Qt::Horizontal, this);
  images->addWidget(m_sourceCanvas);
  images->addWidget(m_result);

  m_slider->setObjectName(QStringLiteral("timestep"));
  m_slider->setRange(0, kDefaultTimesteps - 1);
  m_slider->setToolTip(tr("Timestep t: 0 is the clean image, the end is almost pure noise"));
  connect(m_slider, &QSlider::valueChanged, this, [this](int t) {
    m_plot->setTimestep(t);
    updateInfo();
    requestFrame();
  });
  connect(m_plot, &SchedulePlot::timestepPicked, m_slider, &QSlider::setValue);
  m_status->setStyleSheet(QStringLiteral("color: palette(mid);"));
  m_status->setWordWrap(true);

  auto* sliderRow = new QHBoxLayout;
  sliderRow->addWidget(new QLabel(tr("t"), this));
  sliderRow->addWidget(m_slider, 1);
  sliderRow->addWidget(m_info);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(header);
  layout->addWidget(images, 1);
  layout->addLayout(sliderRow);
  layout->addWidget(m_plot);
  layout->addWidget(m_status);

  connect(m_controller, &ForwardProcessController::scheduleReady, this,
          &ForwardProcessView::onSchedule);
  connect(m_controller, &ForwardProcessController::frameReady, this, &ForwardProcessView::onFrame);
  connect(m_controller, &ForwardProcessController::failed, this, &ForwardProcessView::onFailed);
  updateInfo();
}

void ForwardProcessView::setModel(const QString& path, const LoadOptions& options) {
  if (path == m_modelPath && options.device == m_options.device &&
      options.dtype == m_options.dtype) {
    return;
  }
  m_modelPath = path;
  m_options = options;
  m_scheduleWanted = true;
  if (isVisible()) {
    m_scheduleWanted = false;
    m_controller->requestSchedule(m_modelPath, m_options);
  }
}

void ForwardProcessView::setSource(const QImage& image, const QString& title) {
  m_source = image;
  m_title->setText(title);
  m_sourceCanvas->setImage(image);
  m_result->clear();
  m_shownT = -1;
  requestFrame();
}

void ForwardProcessView::setTimestep(int t) {
  m_slider->setValue(t);
}

int ForwardProcessView::timestep() const {
  return m_slider->value();
}

void ForwardProcessView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_scheduleWanted) {
    m_scheduleWanted = false;
    m_controller->requestSchedule(m_modelPath, m_options);
  }
}

void ForwardProcessView::requestFrame() {
  if (m_source.isNull()) return;
  ForwardProcessRequest request;
  request.modelPath = m_modelPath;
  request.options = m_options;
  request.source = m_source;
  request.t = m_slider->value();
  request.seed = m_seed->value();
  m_status->setText(tr("Computing x_%1…").arg(request.t));
  m_controller->requestFrame(request);
}

void ForwardProcessView::updateInfo() {
  const int t = m_slider->value();
  if (t < m_alphas.size()) {
    const double a = m_alphas[t];
    const double snr = a / std::max(1e-12, 1.0 - a);
    m_info->setText(
        tr("t = %1   ᾱ_t = %2   SNR = %3").arg(t).arg(a, 0, 'f', 4).arg(snr, 0, 'g', 3));
  } else {
    m_info->setText(tr("t = %1").arg(t));
  }
}

void ForwardProcessView::onSchedule(const QVector<double>& alphas) {
  m_alphas = alphas;
  m_plot->setAlphasCumprod(alphas);
  if (!alphas.isEmpty()) m_slider->setRange(0, static_cast<int>(alphas.size()) - 1);
  m_plot->setTimestep(m_slider->value());
  updateInfo();
}

void ForwardProcessView::onFrame(int t, const QImage& image) {
  m_shownT = t;
  m_result->setImage(image, m_source.size());
  m_status->setText(t == m_slider->value() ? QString()
                                           : tr("Computing x_%1…").arg(m_slider->value()));
}

void ForwardProcessView::onFailed(const QString& message) {
  m_status->setText(message);
  emit errorOccurred(message);
}

}  // namespace lienzo::ui
