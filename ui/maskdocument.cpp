#include "ui/maskdocument.h"

#include <QUndoCommand>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lienzo::ui {

/// One stroke, invert or clear: rectangles (a stroke's tiles) before and after.
class MaskRectCommand : public QUndoCommand {
 public:
  struct Patch {
    QRect rect;
    QImage before;
    QImage after;
  };
  MaskRectCommand(MaskDocument& doc, std::vector<Patch> patches, const QString& text)
      : QUndoCommand(text), m_doc(doc), m_patches(std::move(patches)) {}
  void undo() override {
    for (const Patch& p : m_patches) m_doc.putRect(p.rect, p.before);
  }
  void redo() override {
    if (m_first) {  // already on the mask when pushed
      m_first = false;
      return;
    }
    for (const Patch& p : m_patches) m_doc.putRect(p.rect, p.after);
  }

 private:
  MaskDocument& m_doc;
  std::vector<Patch> m_patches;
  bool m_first = true;
};

MaskDocument::MaskDocument(QObject* parent) : QObject(parent) {}

void MaskDocument::reset(QSize size) {
  m_undo.clear();
  m_inStroke = false;
  m_before.clear();
  m_mask = QImage(size.expandedTo(QSize(0, 0)), QImage::Format_Grayscale8);
  m_mask.fill(0);
  emit changed(m_mask.rect());
}

void MaskDocument::setMask(const QImage& mask) {
  const QSize target = m_mask.isNull() ? mask.size() : m_mask.size();
  QImage grey = mask.convertToFormat(QImage::Format_Grayscale8);
  if (grey.size() != target)
    grey = grey.scaled(target, Qt::IgnoreAspectRatio, Qt::FastTransformation);
  m_undo.clear();
  m_inStroke = false;
  m_before.clear();
  m_mask = grey;
  emit changed(m_mask.rect());
}

int MaskDocument::valueAt(int x, int y) const {
  if (!m_mask.rect().contains(x, y)) return 0;
  return m_mask.constScanLine(y)[x];
}

bool MaskDocument::isEmpty() const {
  for (int y = 0; y < m_mask.height(); ++y) {
    const uchar* row = m_mask.constScanLine(y);
    if (std::any_of(row, row + m_mask.width(), [](uchar v) { return v != 0; })) return false;
  }
  return true;
}

bool MaskDocument::isFull() const {
  if (m_mask.isNull()) return false;
  for (int y = 0; y < m_mask.height(); ++y) {
    const uchar* row = m_mask.constScanLine(y);
    if (std::any_of(row, row + m_mask.width(), [](uchar v) { return v != 255; })) return false;
  }
  return true;
}

GrayImage MaskDocument::toGray() const {
  GrayImage out;
  out.width = m_mask.width();
  out.height = m_mask.height();
  out.pixels.resize(static_cast<size_t>(out.width) * out.height);
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(&out.pixels[static_cast<size_t>(y) * out.width], m_mask.constScanLine(y),
                static_cast<size_t>(out.width));
  }
  return out;
}

void MaskDocument::beginStroke(const Brush& brush, QPointF p) {
  if (m_inStroke) endStroke();
  m_brush = brush;
  m_brush.radius = std::max(0.5, brush.radius);
  m_brush.hardness = std::clamp(brush.hardness, 0.0, 1.0);
  m_before.clear();
  m_strokeRect = QRect();
  m_inStroke = true;
  m_last = p;
  m_strokeRect |= paintSegment(p, p);
}

void MaskDocument::strokeTo(QPointF p) {
  if (!m_inStroke) return;
  m_strokeRect |= paintSegment(m_last, p);
  m_last = p;
}

void MaskDocument::endStroke() {
  if (!m_inStroke) return;
  m_inStroke = false;
  if (!m_strokeRect.isEmpty()) {
    std::vector<MaskRectCommand::Patch> patches;
    patches.reserve(static_cast<size_t>(m_before.size()));
    for (auto it = m_before.cbegin(); it != m_before.cend(); ++it) {
      const QRect rect = QRect(static_cast<int>(it.key() & 0xffff) * kTile,
                               static_cast<int>(it.key() >> 16) * kTile, kTile, kTile)
                             .intersected(m_mask.rect());
      QImage after = m_mask.copy(rect);
      if (after == it.value()) continue;  // covered by the brush's box, not changed
      patches.push_back({rect, it.value(), std::move(after)});
    }
    m_undo.push(
        new MaskRectCommand(*this, std::move(patches), m_brush.erase ? tr("Erase") : tr("Paint")));
  }
  m_before.clear();
}

void MaskDocument::saveTiles(const QRect& box) {
  for (int ty = box.top() / kTile; ty <= box.bottom() / kTile; ++ty) {
    for (int tx = box.left() / kTile; tx <= box.right() / kTile; ++tx) {
      const quint32 key = static_cast<quint32>(ty) << 16 | static_cast<quint32>(tx);
      if (m_before.contains(key)) continue;
      m_before.insert(
          key, m_mask.copy(QRect(tx * kTile, ty * kTile, kTile, kTile).intersected(m_mask.rect())));
    }
  }
}

QRect MaskDocument::paintSegment(QPointF a, QPointF b) {
  // Ref: distance from a point to a segment (capsule), e.g. Ericson, "Real-Time Collision
  // Detection" §5.1.2; only the capsule's bounding box is visited.
  if (m_mask.isNull()) return {};
  const double r = m_brush.radius;
  const QRect box = QRectF(QPointF(std::min(a.x(), b.x()) - r, std::min(a.y(), b.y()) - r),
                           QPointF(std::max(a.x(), b.x()) + r, std::max(a.y(), b.y()) + r))
                        .toAlignedRect()
                        .intersected(m_mask.rect());
  if (box.isEmpty()) return {};
  saveTiles(box);
  const double inner = m_brush.hardness * r;
  const double ramp = std::max(1e-9, r - inner);
  const double dx = b.x() - a.x(), dy = b.y() - a.y();
  const double len2 = dx * dx + dy * dy;
  QRect touched;
  for (int y = box.top(); y <= box.bottom(); ++y) {
    uchar* row = m_mask.scanLine(y);
    const double py = y + 0.5;
    for (int x = box.left(); x <= box.right(); ++x) {
      const double px = x + 0.5;
      double t = len2 > 0 ? ((px - a.x()) * dx + (py - a.y()) * dy) / len2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double ex = px - (a.x() + t * dx), ey = py - (a.y() + t * dy);
      const double d = std::sqrt(ex * ex + ey * ey);
      if (d > r) continue;
      const double cover = d <= inner ? 1.0 : (r - d) / ramp;
      const int v = static_cast<int>(std::lround(255.0 * cover));
      uchar& pixel = row[x];
      const uchar next = m_brush.erase ? static_cast<uchar>(std::min<int>(pixel, 255 - v))
                                       : static_cast<uchar>(std::max<int>(pixel, v));
      if (next != pixel) {
        pixel = next;
        touched |= QRect(x, y, 1, 1);
      }
    }
  }
  if (!touched.isEmpty()) emit changed(touched);
  return touched;
}

void MaskDocument::putRect(const QRect& rect, const QImage& pixels) {
  for (int y = 0; y < rect.height(); ++y) {
    std::memcpy(m_mask.scanLine(rect.top() + y) + rect.left(), pixels.constScanLine(y),
                static_cast<size_t>(rect.width()));
  }
  emit changed(rect);
}

void MaskDocument::invert() {
  if (m_mask.isNull()) return;
  endStroke();
  const QImage before = m_mask.copy();
  for (int y = 0; y < m_mask.height(); ++y) {
    uchar* row = m_mask.scanLine(y);
    for (int x = 0; x < m_mask.width(); ++x) row[x] = static_cast<uchar>(255 - row[x]);
  }
  m_undo.push(
      new MaskRectCommand(*this, {{m_mask.rect(), before, m_mask.copy()}}, tr("Invert mask")));
  emit changed(m_mask.rect());
}

void MaskDocument::clear() {
  if (m_mask.isNull() || isEmpty()) return;
  endStroke();
  const QImage before = m_mask.copy();
  m_mask.fill(0);
  m_undo.push(
      new MaskRectCommand(*this, {{m_mask.rect(), before, m_mask.copy()}}, tr("Clear mask")));
  emit changed(m_mask.rect());
}

void MaskDocument::fill() {
  if (m_mask.isNull() || isFull()) return;
  endStroke();
  const QImage before = m_mask.copy();
  m_mask.fill(255);
  m_undo.push(
      new MaskRectCommand(*this, {{m_mask.rect(), before, m_mask.copy()}}, tr("Fill mask")));
  emit changed(m_mask.rect());
}

}  // namespace lienzo::ui
