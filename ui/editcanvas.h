// The edit surface: the picture being edited with its repaint mask (MaskDocument) as a tinted
// overlay, a brush and an eraser, outpaint margins dragged from the canvas edges, and the live
// composite while an edit job runs.
//
// Coordinates: "picture" coordinates have the picture's top-left pixel at (0, 0); the outpaint
// margins extend the canvas to (−left, −top) … (w + right, h + bottom), drawn as checkerboard.
// Zoom (wheel, around the pointer, so the brush stays under it) and pan (middle or right drag; a
// left drag off the edges with the outpaint tool) never change the mask's resolution.
//
// Contract: UI thread. The canvas paints into the MaskDocument it is given (not owned) and
// repaints only the widget area of each change (incremental: a stroke segment on a 2048² mask
// costs what its brush covers). Margins are multiples of 8 and never negative.
#pragma once

#include <QImage>
#include <QMargins>
#include <QPointF>
#include <QWidget>

#include "ui/maskdocument.h"

namespace lienzo::ui {

class EditCanvas : public QWidget {
  Q_OBJECT

 public:
  enum class Tool { Brush, Eraser, Outpaint };
  static constexpr int kMarginStep = 8;
  static constexpr int kMaxMargin = 4096;

  EditCanvas(MaskDocument* mask, QWidget* parent = nullptr);

  /// Shows `picture` (a new document: margins 0, zoom to fit, no live image). The mask document
  /// is reset by its owner.
  void setPicture(const QImage& picture);
  QImage picture() const { return m_picture; }

  Tool tool() const { return m_tool; }
  void setTool(Tool tool);
  /// Brush ↔ eraser (X); from the outpaint tool it goes back to the brush.
  void swapTool();
  MaskDocument::Brush brush() const;
  double brushRadius() const { return m_radius; }
  void setBrushRadius(double radius);
  double hardness() const { return m_hardness; }
  void setHardness(double hardness);
  double overlayOpacity() const { return m_opacity; }
  void setOverlayOpacity(double opacity);

  QMargins margins() const { return m_margins; }
  /// Each side snapped to a multiple of 8 in [0, kMaxMargin].
  void setMargins(const QMargins& margins);
  static int snapMargin(double pixels);

  /// The composite shown while an edit runs, drawn over the extended canvas whatever its size
  /// (the session makes it at most 1024 px a side); null = the picture + mask.
  void setLiveImage(const QImage& image);
  QImage liveImage() const { return m_live; }
  /// Original pixels where `mask` is 0, the preview (scaled to the extended canvas) where it is
  /// 255, blended between; margins count as masked. Ref: the core's overlay composite
  /// (docs/editing.md, step 6) without the blur, for display only.
  static QImage composite(const QImage& picture, const QImage& mask, const QMargins& margins,
                          const QImage& preview);

  void zoomToFit();
  /// Multiplies the zoom by `factor` keeping the picture point under `anchor` (widget) there.
  void zoomBy(double factor, QPointF anchor);
  /// Screen pixels per picture pixel, with `center` (picture coordinates) at the widget centre.
  void setView(double scale, QPointF center);
  double scale() const;
  QPointF toPicture(QPointF widget) const;
  QPointF toWidget(QPointF picture) const;

  void setPlaceholderText(const QString& text);
  QSize sizeHint() const override { return {640, 560}; }

 signals:
  void toolChanged(lienzo::ui::EditCanvas::Tool tool);
  void brushChanged();
  void marginsChanged(const QMargins& margins);
  /// The user started painting (the live composite is dropped).
  void strokeStarted();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  enum class Edge { None, Left, Top, Right, Bottom };
  QRectF extendedRect() const;  ///< picture coordinates
  QPointF viewCenter() const;
  QRectF mapRect(const QRectF& picture) const;
  /// Draws the part of `image` (covering `area`, picture coordinates) under `exposed`.
  void drawPart(QPainter& painter, const QImage& image, const QRectF& area,
                const QRect& exposed) const;
  Edge edgeAt(QPointF widget) const;
  void onMaskChanged(const QRect& rect);
  void updateCursorArea(QPointF widget);
  void freezeView();

  MaskDocument* m_mask;
  QImage m_picture;
  QImage m_overlay;  ///< ARGB32 premultiplied tint, picture size
  QImage m_live;
  QString m_placeholder;
  Tool m_tool = Tool::Brush;
  double m_radius = 24.0;
  double m_hardness = 0.8;
  double m_opacity = 0.55;
  QMargins m_margins;
  bool m_fit = true;
  double m_scale = 1.0;
  QPointF m_center;
  QPointF m_pointer{-1, -1};
  bool m_hasPointer = false;
  enum class Drag { None, Paint, Pan, Edge } m_drag = Drag::None;
  Edge m_edge = Edge::None;
  QPointF m_dragStart;
  QPointF m_dragCenter;
};

}  // namespace lienzo::ui
