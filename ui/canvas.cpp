#include "ui/canvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lienzo::ui {

namespace {
constexpr double kMinScale = 0.05;
constexpr double kMaxScale = 64.0;
}  // namespace

Canvas::Canvas(QWidget* parent) : QWidget(parent) {
  setMinimumSize(160, 160);
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void Canvas::setImage(const QImage& image, QSize logicalSize) {
  const QSize logical = logicalSize.isValid() ? logicalSize : image.size();
  if (!m_view.fit && logical != m_logical && m_logical.isValid() && logical.isValid()) {
    // Keep the same part of the picture in view when the resolution changes.
    const double k = static_cast<double>(logical.width()) / m_logical.width();
    m_view.center *= k;
    m_view.scale /= k;
  }
  m_image = image;
  m_logical = logical;
  ++m_updates;
  update();
}

void Canvas::clear() {
  m_image = QImage();
  m_overlay = QImage();
  m_logical = QSize();
  update();
}

void Canvas::setOverlay(const QImage& overlay) {
  m_overlay = overlay;
  update();
}

void Canvas::setWipe(double position) {
  m_wipe = std::clamp(position, 0.0, 1.0);
  update();
}

void Canvas::setPlaceholderText(const QString& text) {
  m_placeholder = text;
  update();
}

void Canvas::zoomToFit() {
  m_view.fit = true;
  userChangedView();
}

void Canvas::zoomActualSize() {
  if (!m_logical.isValid()) return;
  if (m_view.fit) m_view.center = QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0);
  m_view.fit = false;
  m_view.scale = 1.0;
  userChangedView();
}

void Canvas::zoomBy(double factor, QPointF anchor) {
  if (!m_logical.isValid()) return;
  const double old = effectiveScale();
  const double next = std::clamp(old * factor, kMinScale, kMaxScale);
  const QRectF r = imageRect();
  const QPointF imagePoint = (anchor - r.topLeft()) / old;  // under the cursor, stays there
  const QPointF widgetCenter(width() / 2.0, height() / 2.0);
  m_view.fit = false;
  m_view.scale = next;
  m_view.center = imagePoint - (anchor - widgetCenter) / next;
  userChangedView();
}

double Canvas::effectiveScale() const {
  if (!m_logical.isValid() || m_logical.isEmpty()) return 1.0;
  if (!m_view.fit) return m_view.scale;
  return std::min(width() / static_cast<double>(m_logical.width()),
                  height() / static_cast<double>(m_logical.height()));
}

void Canvas::setView(const View& view) {
  m_view = view;
  update();
}

QRectF Canvas::imageRect() const {
  const double s = effectiveScale();
  const QSizeF size(m_logical.width() * s, m_logical.height() * s);
  const QPointF widgetCenter(width() / 2.0, height() / 2.0);
  const QPointF center =
      m_view.fit ? QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0) : m_view.center;
  return QRectF(widgetCenter - center * s, size);
}

void Canvas::drawImage(QPainter& painter, const QImage& image, const QRectF& target) const {
  // Nearest-neighbour when a source pixel covers more than one screen pixel.
  const bool magnified = target.width() >= image.width();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, !magnified);
  painter.drawImage(target, image);
}

void Canvas::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().color(QPalette::Dark).darker(150));
  if (m_image.isNull()) {
    painter.setPen(palette().color(QPalette::Mid).lighter(150));
    painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                     m_placeholder);
    return;
  }
  const QRectF r = imageRect();
  if (m_overlay.isNull()) {
    drawImage(painter, m_image, r);
    return;
  }
  const double x = r.left() + r.width() * m_wipe;
  painter.save();
  painter.setClipRect(QRectF(QPointF(r.left(), r.top()), QPointF(x, r.bottom())));
  drawImage(painter, m_image, r);
  painter.setClipRect(QRectF(QPointF(x, r.top()), r.bottomRight()));
  drawImage(painter, m_overlay, r);
  painter.restore();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(QColor(255, 255, 255, 220), 2));
  painter.drawLine(QPointF(x, std::max(r.top(), 0.0)),
                   QPointF(x, std::min(r.bottom(), static_cast<double>(height()))));
}

void Canvas::wheelEvent(QWheelEvent* event) {
  const double notches = event->angleDelta().y() / 120.0;
  if (notches != 0.0) zoomBy(std::pow(1.25, notches), event->position());
  event->accept();
}

void Canvas::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || m_image.isNull()) return;
  m_dragging = true;
  m_dragStart = event->position();
  const double s = effectiveScale();
  m_dragCenter =
      m_view.fit ? QPointF(m_logical.width() / 2.0, m_logical.height() / 2.0) : m_view.center;
  m_view.scale = s;
  setCursor(Qt::ClosedHandCursor);
}

void Canvas::mouseMoveEvent(QMouseEvent* event) {
  if (!m_dragging) return;
  const QPointF delta = event->position() - m_dragStart;
  if (m_view.fit && delta.manhattanLength() < 3) return;
  m_view.fit = false;
  m_view.center = m_dragCenter - delta / m_view.scale;
  userChangedView();
}

void Canvas::mouseReleaseEvent(QMouseEvent*) {
  m_dragging = false;
  unsetCursor();
}

void Canvas::mouseDoubleClickEvent(QMouseEvent*) {
  if (m_view.fit) {
    zoomActualSize();
  } else {
    zoomToFit();
  }
}

void Canvas::userChangedView() {
  update();
  emit viewChanged(m_view);
}

}  // namespace lienzo::ui
