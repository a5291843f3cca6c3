// The repaint mask of the edit canvas: an 8-bit picture at the edited picture's resolution
// (255 = repaint), painted in strokes of round dabs, with one undo step per stroke.
//
// Contract
// - UI thread only (it is a QObject with a QUndoStack). Values are copied out (toGray()) for a
//   job; the document itself is never handed to another thread.
// - Painting is incremental: a stroke segment touches only the rectangle its capsule covers
//   (changed() names it), so the cost of a segment depends on the brush, not on the picture size.
//   A stroke saves the 64×64 tiles it is about to touch, once each; its undo command holds those
//   tiles before and after (memory and time in proportion to the painted area).
// - The brush: a capsule of radius `radius` (picture pixels) around each segment; a pixel counts
//   by its centre (x + 0.5, y + 0.5). Coverage is 1 inside hardness·radius and falls linearly to 0
//   at the radius (hardness 1: a hard edge). Painting keeps the larger value (max), erasing the
//   smaller (min with 255·(1 − coverage)), so overlapping dabs never build up.
// - Invalid input (a stroke outside the picture, an empty document) paints nothing; never throws.
#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointF>
#include <QRect>
#include <QUndoStack>

#include "core/edit/pixels.h"

namespace lienzo::ui {

class MaskDocument : public QObject {
  Q_OBJECT

 public:
  struct Brush {
    double radius = 24.0;   ///< picture pixels
    double hardness = 0.8;  ///< 0 … 1
    bool erase = false;
  };

  explicit MaskDocument(QObject* parent = nullptr);

  /// An empty (all keep) mask of `size`; clears the undo history.
  void reset(QSize size);
  /// Replaces the mask (e.g. restored from the gallery); converted to 8-bit grey and resized to
  /// the current size when it differs. Clears the undo history.
  void setMask(const QImage& mask);
  QSize size() const { return m_mask.size(); }
  /// Format_Grayscale8, picture resolution.
  const QImage& mask() const { return m_mask; }
  /// Value at picture pixel (x, y); 0 outside.
  int valueAt(int x, int y) const;
  /// True when no pixel is > 0.
  bool isEmpty() const;
  /// True when every pixel is 255.
  bool isFull() const;
  /// A deep copy for a job (GrayImage, 255 = repaint).
  GrayImage toGray() const;

  QUndoStack* undoStack() { return &m_undo; }

  /// Starts a stroke with one dab at `p` (picture coordinates).
  void beginStroke(const Brush& brush, QPointF p);
  /// Paints the segment from the last point to `p`.
  void strokeTo(QPointF p);
  /// Ends the stroke: one undo step (nothing when the stroke changed no pixel).
  void endStroke();
  bool inStroke() const { return m_inStroke; }

  /// Undoable: 255 − value everywhere.
  void invert();
  /// Undoable: everything back to 0.
  void clear();
  /// Undoable: everything 255 (repaint the whole picture; with no selection tool yet, the
  /// selection "fill selection" fills is the whole picture).
  void fill();

 signals:
  /// Pixels inside `rect` (picture coordinates) changed.
  void changed(const QRect& rect);

 private:
  friend class MaskRectCommand;
  static constexpr int kTile = 64;
  QRect paintSegment(QPointF a, QPointF b);
  void saveTiles(const QRect& box);
  void putRect(const QRect& rect, const QImage& pixels);

  QImage m_mask;
  QHash<quint32, QImage> m_before;  ///< tile (ty << 16 | tx) -> its pixels when the stroke began
  QUndoStack m_undo;
  Brush m_brush;
  QPointF m_last;
  QRect m_strokeRect;
  bool m_inStroke = false;
};

}  // namespace lienzo::ui
