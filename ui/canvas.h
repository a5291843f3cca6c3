// The image surface: the live preview, gallery images and the compare/forward views.
//
// Zoom to fit (default, follows resizes), 1:1, wheel zoom around the cursor, drag to pan,
// double-click toggles fit / 1:1. Images smaller than their on-screen size are scaled with
// nearest-neighbour (crisp pixels); larger ones smoothly. An optional overlay image is shown
// right of a wipe line for before/after comparison. UI thread only.
#pragma once

#include <QImage>
#include <QPointF>
#include <QSize>
#include <QString>
#include <QWidget>

namespace lienzo::ui {

class Canvas : public QWidget {
  Q_OBJECT

 public:
  /// How the image is placed; shared between canvases to synchronise zoom and pan.
  struct View {
    bool fit = true;
    double scale = 1.0;  ///< screen pixels per image pixel (when not fit)
    QPointF center;      ///< image point at the widget centre (when not fit)
  };

  explicit Canvas(QWidget* parent = nullptr);

  /// Shows `image`. `logicalSize` is the size the image stands for (a latent-resolution preview
  /// of a 512×512 image is drawn at 512×512, so the view does not jump); default: its own size.
  void setImage(const QImage& image, QSize logicalSize = {});
  void clear();
  QImage image() const { return m_image; }
  QSize logicalSize() const { return m_logical; }
  /// How many times setImage() changed the picture (tests check one update per step).
  int imageUpdates() const { return m_updates; }

  /// The image shown right of the wipe line; null = no wipe.
  void setOverlay(const QImage& overlay);
  /// Wipe line position as a fraction of the image width, 0 … 1.
  void setWipe(double position);
  double wipe() const { return m_wipe; }

  void setPlaceholderText(const QString& text);

  void zoomToFit();
  void zoomActualSize();
  /// Multiplies the zoom by `factor`, keeping the image point under `anchor` (widget coords).
  void zoomBy(double factor, QPointF anchor);
  /// Screen pixels per logical image pixel as drawn now.
  double effectiveScale() const;
  View view() const { return m_view; }
  /// Applies a view (e.g. from a synchronised canvas) without emitting viewChanged().
  void setView(const View& view);

  QSize sizeHint() const override { return {512, 512}; }

 signals:
  /// The user changed zoom or pan.
  void viewChanged(const lienzo::ui::Canvas::View& view);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  QRectF imageRect() const;  ///< where the logical image lies, widget coords
  void drawImage(QPainter& painter, const QImage& image, const QRectF& target) const;
  void userChangedView();

  QImage m_image;
  QImage m_overlay;
  QSize m_logical;
  double m_wipe = 0.5;
  View m_view;
  QString m_placeholder;
  QPointF m_dragStart;
  QPointF m_dragCenter;
  bool m_dragging = false;
  int m_updates = 0;
};

}  // namespace lienzo::ui
