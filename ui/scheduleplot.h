// A small plot of the model's noise schedule: ᾱ_t (signal kept, 0 … 1, left axis) and the
// signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) on a log scale (right axis), over t = 0 … T−1, with the
// current t marked. Clicking or dragging picks t.
#pragma once

#include <QVector>
#include <QWidget>

namespace lienzo::ui {

class SchedulePlot : public QWidget {
  Q_OBJECT

 public:
  explicit SchedulePlot(QWidget* parent = nullptr);

  void setAlphasCumprod(const QVector<double>& alphasCumprod);
  void setTimestep(int t);
  int timestep() const { return m_t; }

  QSize sizeHint() const override { return {360, 160}; }
  QSize minimumSizeHint() const override { return {200, 110}; }

 signals:
  void timestepPicked(int t);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  QRectF plotRect() const;
  void pick(double x);

  QVector<double> m_alphas;
  int m_t = 0;
};

}  // namespace lienzo::ui
