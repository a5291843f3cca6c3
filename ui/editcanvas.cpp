#include "ui/editcanvas.h"

#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lienzo::ui {

namespace {
constexpr double kMinScale = 0.02;
constexpr double kMaxScale = 64.0;
constexpr double kEdgeGrab = 7.0;  // widget pixels around an edge that start an outpaint drag
const QColor kTint(255, 48, 72);

QBrush checkerBrush() {
  QImage tile(16, 16, QImage::Format_RGB32);
  tile.fill(QColor(204, 204, 204));
  QPainter p(&tile);
  p.fillRect(0, 0, 8, 8, QColor(153, 153, 153));
  p.fillRect(8, 8, 8, 8, QColor(153, 153, 153));
  return QBrush(tile);
}
}  // namespace

EditCanvas::EditCanvas(MaskDocument* mask, QWidget* parent) : QWidget(parent), m_mask(mask) {
  setMinimumSize(200, 200);
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAttribute(Qt::WA_OpaquePaintEvent);
  connect(m_mask, &MaskDocument::changed, this, &EditCanvas::onMaskChanged);
}

void EditCanvas::setPicture(const QImage& picture) {
  m_picture = picture.convertToFormat(QImage::Format_RGB32);
  m_overlay = QImage(m_picture.size(), QImage::Format_ARGB32_Premultiplied);
  m_overlay.fill(Qt::transparent);
  m_live = QImage();
  m_margins = QMargins();
  m_fit = true;
  if (m_mask->size() == m_picture.size()) onMaskChanged(m_overlay.rect());
  update();
}

void EditCanvas::setTool(Tool tool) {
  if (tool == m_tool) return;
  m_tool = tool;
  update();
  emit toolChanged(tool);
}

void EditCanvas::swapTool() {
  setTool(m_tool == Tool::Brush ? Tool::Eraser : Tool::Brush);
}

MaskDocument::Brush EditCanvas::brush() const {
  MaskDocument::Brush b;
  b.radius = m_radius;
  b.hardness = m_hardness;
  b.erase = m_tool == Tool::Eraser;
  return b;
}

void EditCanvas::setBrushRadius(double radius) {
  radius = std::clamp(radius, 1.0, 1024.0);
  if (radius == m_radius) return;
  if (m_hasPointer) updateCursorArea(m_pointer);
  m_radius = radius;
  if (m_hasPointer) updateCursorArea(m_pointer);
  emit brushChanged();
}

void EditCanvas::setHardness(double hardness) {
  m_hardness = std::clamp(hardness, 0.0, 1.0);
  emit brushChanged();
}

void EditCanvas::setOverlayOpacity(double opacity) {
  m_opacity = std::clamp(opacity, 0.0, 1.0);
  update();
  emit brushChanged();
}

int EditCanvas::snapMargin(double pixels) {
  const long snapped = std::lround(pixels / kMarginStep) * kMarginStep;
  return static_cast<int>(std::clamp<long>(snapped, 0, kMaxMargin));
}

void EditCanvas::setMargins(const QMargins& margins) {
  const QMargins snapped(snapMargin(margins.left()), snapMargin(margins.top()),
                         snapMargin(margins.right()), snapMargin(margins.bottom()));
  if (snapped == m_margins) return;
  m_margins = snapped;
  m_live = QImage();
  update();
  emit marginsChanged(m_margins);
}

void EditCanvas::setLiveImage(const QImage& image) {
  m_live = image;
  update();
}

QImage EditCanvas::composite(const QImage& picture, const QImage& mask, const QMargins& margins,
                             const QImage& preview) {
  const QSize size(picture.width() + margins.left() + margins.right(),
                   picture.height() + margins.top() + margins.bottom());
  if (picture.isNull() || size.isEmpty()) return {};
  QImage out(size, QImage::Format_RGB32);
  QImage scaled;
  if (!preview.isNull()) {
    scaled = preview.size() == size
                 ? preview.convertToFormat(QImage::Format_RGB32)
                 : preview.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                       .convertToFormat(QImage::Format_RGB32);
  }
  const QImage src = picture.convertToFormat(QImage::Format_RGB32);
  for (int y = 0; y < size.height(); ++y) {
    auto* o = reinterpret_cast<QRgb*>(out.scanLine(y));
    const auto* p =
        scaled.isNull() ? nullptr : reinterpret_cast<const QRgb*>(scaled.constScanLine(y));
    const int sy = y - margins.top();
    const bool inRow = sy >= 0 && sy < src.height();
    const auto* s = inRow ? reinterpret_cast<const QRgb*>(src.constScanLine(sy)) : nullptr;
    const uchar* m = inRow && mask.size() == src.size() ? mask.constScanLine(sy) : nullptr;
    for (int x = 0; x < size.width(); ++x) {
      const int sx = x - margins.left();
      const bool inside = inRow && sx >= 0 && sx < src.width();
      const int a = inside ? (m ? m[sx] : 0) : 255;
      const QRgb under = inside ? s[sx] : qRgb(128, 128, 128);
      const QRgb over = p ? p[x] : under;
      if (a == 0) {
        o[x] = under;
      } else if (a == 255) {
        o[x] = over;
      } else {
        auto mix = [a](int u, int v) { return (u * (255 - a) + v * a + 127) / 255; };
        o[x] = qRgb(mix(qRed(under), qRed(over)), mix(qGreen(under), qGreen(over)),
                    mix(qBlue(under), qBlue(over)));
      }
    }
  }
  return out;
}

// ---- view -----------------------------------------------------------------------------------

QRectF EditCanvas::extendedRect() const {
  return QRectF(-m_margins.left(), -m_margins.top(),
                m_picture.width() + m_margins.left() + m_margins.right(),
                m_picture.height() + m_margins.top() + m_margins.bottom());
}

double EditCanvas::scale() const {
  if (!m_fit) return m_scale;
  const QRectF e = extendedRect();
  if (e.isEmpty()) return 1.0;
  return std::min((width() - 16) / e.width(), (height() - 16) / e.height());
}

QPointF EditCanvas::viewCenter() const {
  return m_fit ? extendedRect().center() : m_center;
}

QPointF EditCanvas::toPicture(QPointF widget) const {
  return viewCenter() + (widget - QPointF(width() / 2.0, height() / 2.0)) / scale();
}

QPointF EditCanvas::toWidget(QPointF picture) const {
  return QPointF(width() / 2.0, height() / 2.0) + (picture - viewCenter()) * scale();
}

QRectF EditCanvas::mapRect(const QRectF& picture) const {
  return QRectF(toWidget(picture.topLeft()), toWidget(picture.bottomRight()));
}

void EditCanvas::zoomToFit() {
  m_fit = true;
  update();
}

void EditCanvas::setView(double scale, QPointF center) {
  m_fit = false;
  m_scale = std::clamp(scale, kMinScale, kMaxScale);
  m_center = center;
  update();
}

void EditCanvas::zoomBy(double factor, QPointF anchor) {
  if (m_picture.isNull()) return;
  const QPointF under = toPicture(anchor);
  const double next = std::clamp(scale() * factor, kMinScale, kMaxScale);
  m_fit = false;
  m_scale = next;
  m_center = under - (anchor - QPointF(width() / 2.0, height() / 2.0)) / next;
  update();
}

void EditCanvas::freezeView() {
  if (!m_fit) return;
  m_scale = scale();
  m_center = viewCenter();
  m_fit = false;
}

void EditCanvas::setPlaceholderText(const QString& text) {
  m_placeholder = text;
  update();
}

// ---- painting -------------------------------------------------------------------------------

void EditCanvas::onMaskChanged(const QRect& rect) {
  if (m_overlay.isNull() || m_mask->size() != m_overlay.size()) return;
  const QRect r = rect.intersected(m_overlay.rect());
  const QImage& mask = m_mask->mask();
  for (int y = r.top(); y <= r.bottom(); ++y) {
    const uchar* m = mask.constScanLine(y);
    auto* o = reinterpret_cast<QRgb*>(m_overlay.scanLine(y));
    for (int x = r.left(); x <= r.right(); ++x) {
      const int a = m[x];
      o[x] = qRgba(kTint.red() * a / 255, kTint.green() * a / 255, kTint.blue() * a / 255, a);
    }
  }
  update(mapRect(QRectF(r)).toAlignedRect().adjusted(-2, -2, 2, 2));
}

void EditCanvas::drawPart(QPainter& painter, const QImage& image, const QRectF& area,
                          const QRect& exposed) const {
  // Only the source pixels under the exposed area are drawn: a dab's repaint costs its size.
  if (image.isNull() || area.isEmpty()) return;
  const QRectF whole = mapRect(area);
  const QRectF visible = whole.intersected(QRectF(exposed));
  if (visible.isEmpty()) return;
  const double kx = image.width() / whole.width();  // image pixels per screen pixel
  const double ky = image.height() / whole.height();
  const QRect source =
      QRectF(QPointF((visible.left() - whole.left()) * kx, (visible.top() - whole.top()) * ky),
             QPointF((visible.right() - whole.left()) * kx, (visible.bottom() - whole.top()) * ky))
          .toAlignedRect()
          .intersected(image.rect());
  if (source.isEmpty()) return;
  const QRectF target(whole.left() + source.left() / kx, whole.top() + source.top() / ky,
                      source.width() / kx, source.height() / ky);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, kx > 1.0);
  painter.drawImage(target, image, QRectF(source));
}

void EditCanvas::paintEvent(QPaintEvent* event) {
  const QRect exposed = event->rect();
  QPainter painter(this);
  painter.setClipRect(exposed);
  painter.fillRect(exposed, palette().color(QPalette::Dark).darker(150));
  if (m_picture.isNull()) {
    painter.setPen(palette().color(QPalette::Mid).lighter(150));
    painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                     m_placeholder);
    return;
  }
  const QRectF extended = mapRect(extendedRect());
  if (!m_margins.isNull()) painter.fillRect(extended, checkerBrush());
  if (!m_live.isNull()) {
    drawPart(painter, m_live, extendedRect(), exposed);
  } else {
    const QRectF pictureRect(QPointF(0, 0), QSizeF(m_picture.size()));
    drawPart(painter, m_picture, pictureRect, exposed);
    if (m_opacity > 0) {
      painter.setOpacity(m_opacity);
      drawPart(painter, m_overlay, pictureRect, exposed);
      painter.setOpacity(1.0);
    }
  }
  if (!m_margins.isNull() || m_tool == Tool::Outpaint) {
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt::DashLine));
    painter.drawRect(mapRect(QRectF(QPointF(0, 0), QSizeF(m_picture.size()))));
    if (m_tool == Tool::Outpaint) {
      painter.setPen(QPen(QColor(80, 170, 255), 3));
      painter.drawRect(extended);
    }
  }
  if (m_hasPointer && m_tool != Tool::Outpaint && m_drag != Drag::Pan) {
    const double r = m_radius * scale();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(0, 0, 0, 160), 3));
    painter.drawEllipse(m_pointer, r, r);
    painter.setPen(
        QPen(m_tool == Tool::Eraser ? QColor(120, 220, 255) : QColor(255, 255, 255), 1.2));
    painter.drawEllipse(m_pointer, r, r);
  }
}

void EditCanvas::updateCursorArea(QPointF widget) {
  const double r = m_radius * scale() + 4;
  update(QRectF(widget - QPointF(r, r), QSizeF(2 * r, 2 * r)).toAlignedRect());
}

// ---- input ----------------------------------------------------------------------------------

EditCanvas::Edge EditCanvas::edgeAt(QPointF w) const {
  const QRectF e = mapRect(extendedRect());
  const bool inY = w.y() >= e.top() - kEdgeGrab && w.y() <= e.bottom() + kEdgeGrab;
  const bool inX = w.x() >= e.left() - kEdgeGrab && w.x() <= e.right() + kEdgeGrab;
  if (inY && std::abs(w.x() - e.left()) <= kEdgeGrab) return Edge::Left;
  if (inY && std::abs(w.x() - e.right()) <= kEdgeGrab) return Edge::Right;
  if (inX && std::abs(w.y() - e.top()) <= kEdgeGrab) return Edge::Top;
  if (inX && std::abs(w.y() - e.bottom()) <= kEdgeGrab) return Edge::Bottom;
  return Edge::None;
}

void EditCanvas::wheelEvent(QWheelEvent* event) {
  const double notches = event->angleDelta().y() / 120.0;
  if (notches != 0.0) {
    zoomBy(std::pow(1.25, notches), event->position());
    m_pointer = event->position();
  }
  event->accept();
}

void EditCanvas::mousePressEvent(QMouseEvent* event) {
  if (m_picture.isNull() || m_drag != Drag::None) return;
  const QPointF pos = event->position();
  m_dragStart = pos;
  if (event->button() == Qt::MiddleButton || event->button() == Qt::RightButton) {
    freezeView();
    m_dragCenter = m_center;
    m_drag = Drag::Pan;
    setCursor(Qt::ClosedHandCursor);
    return;
  }
  if (event->button() != Qt::LeftButton) return;
  if (m_tool == Tool::Outpaint) {
    m_edge = edgeAt(pos);
    freezeView();
    m_dragCenter = m_center;
    m_drag = m_edge == Edge::None ? Drag::Pan : Drag::Edge;
    return;
  }
  m_drag = Drag::Paint;
  if (!m_live.isNull()) {
    m_live = QImage();
    update();
  }
  emit strokeStarted();
  m_mask->beginStroke(brush(), toPicture(pos));
}

void EditCanvas::mouseMoveEvent(QMouseEvent* event) {
  const QPointF pos = event->position();
  if (m_hasPointer) updateCursorArea(m_pointer);
  m_pointer = pos;
  m_hasPointer = true;
  updateCursorArea(pos);
  switch (m_drag) {
    case Drag::Paint:
      m_mask->strokeTo(toPicture(pos));
      break;
    case Drag::Pan:
      m_center = m_dragCenter - (pos - m_dragStart) / m_scale;
      update();
      break;
    case Drag::Edge: {
      const QPointF p = toPicture(pos);
      QMargins m = m_margins;
      switch (m_edge) {
        case Edge::Left:
          m.setLeft(snapMargin(-p.x()));
          break;
        case Edge::Top:
          m.setTop(snapMargin(-p.y()));
          break;
        case Edge::Right:
          m.setRight(snapMargin(p.x() - m_picture.width()));
          break;
        case Edge::Bottom:
          m.setBottom(snapMargin(p.y() - m_picture.height()));
          break;
        case Edge::None:
          break;
      }
      setMargins(m);
      break;
    }
    case Drag::None:
      if (m_tool == Tool::Outpaint) {
        const Edge e = edgeAt(pos);
        if (e == Edge::Left || e == Edge::Right) {
          setCursor(Qt::SizeHorCursor);
        } else if (e == Edge::Top || e == Edge::Bottom) {
          setCursor(Qt::SizeVerCursor);
        } else {
          setCursor(Qt::OpenHandCursor);
        }
      } else {
        setCursor(Qt::CrossCursor);
      }
      break;
  }
}

void EditCanvas::mouseReleaseEvent(QMouseEvent*) {
  // Only what changes is repainted: a whole repaint of a 2048² picture costs more than a frame.
  if (m_drag == Drag::Paint) m_mask->endStroke();
  const bool redraw = m_drag == Drag::Pan || m_drag == Drag::Edge;
  m_drag = Drag::None;
  m_edge = Edge::None;
  unsetCursor();
  if (redraw) {
    update();
  } else if (m_hasPointer) {
    updateCursorArea(m_pointer);
  }
}

void EditCanvas::leaveEvent(QEvent*) {
  if (m_hasPointer) updateCursorArea(m_pointer);
  m_hasPointer = false;
}

}  // namespace lienzo::ui
