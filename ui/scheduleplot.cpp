#include "ui/scheduleplot.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace lienzo::ui {

namespace {
constexpr double kLogSnrMin = -4.0;  // SNR 1e-4
constexpr double kLogSnrMax = 4.0;   // SNR 1e4

double log10Snr(double alphaBar) {
  const double a = std::clamp(alphaBar, 1e-12, 1.0 - 1e-12);
  return std::log10(a / (1.0 - a));
}
}  // namespace

SchedulePlot::SchedulePlot(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(110);
  setToolTip(tr("Noise schedule: ᾱ_t (signal kept) and the signal-to-noise ratio"));
}

void SchedulePlot::setAlphasCumprod(const QVector<double>& alphasCumprod) {
  m_alphas = alphasCumprod;
  m_t = std::clamp(m_t, 0, std::max(0, static_cast<int>(m_alphas.size()) - 1));
  update();
}

void SchedulePlot::setTimestep(int t) {
  m_t = t;
  update();
}

QRectF SchedulePlot::plotRect() const {
  const int fh = fontMetrics().height();
  return QRectF(fh * 2.2, fh * 1.2, width() - fh * 4.6, height() - fh * 2.9);
}

void SchedulePlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().color(QPalette::Base));
  const QRectF r = plotRect();
  const QColor text = palette().color(QPalette::Text);
  p.setPen(QPen(palette().color(QPalette::Mid), 1));
  p.drawRect(r);
  if (m_alphas.size() < 2) {
    p.setPen(text);
    p.drawText(rect(), Qt::AlignCenter, tr("No schedule (no model loaded)"));
    return;
  }
  const int n = static_cast<int>(m_alphas.size());
  auto xOf = [&](int t) { return r.left() + r.width() * t / (n - 1); };
  auto yAlpha = [&](double a) { return r.bottom() - r.height() * std::clamp(a, 0.0, 1.0); };
  auto ySnr = [&](double a) {
    const double v = std::clamp(log10Snr(a), kLogSnrMin, kLogSnrMax);
    return r.bottom() - r.height() * (v - kLogSnrMin) / (kLogSnrMax - kLogSnrMin);
  };
  QPainterPath alpha, snr;
  for (int t = 0; t < n; ++t) {
    const QPointF pa(xOf(t), yAlpha(m_alphas[t]));
    const QPointF ps(xOf(t), ySnr(m_alphas[t]));
    t == 0 ? alpha.moveTo(pa) : alpha.lineTo(pa);
    t == 0 ? snr.moveTo(ps) : snr.lineTo(ps);
  }
  const QColor alphaColor(70, 150, 230);
  const QColor snrColor(230, 130, 50);
  p.setPen(QPen(alphaColor, 2));
  p.drawPath(alpha);
  p.setPen(QPen(snrColor, 2));
  p.drawPath(snr);

  // Current t.
  const int t = std::clamp(m_t, 0, n - 1);
  p.setPen(QPen(text, 1, Qt::DashLine));
  p.drawLine(QPointF(xOf(t), r.top()), QPointF(xOf(t), r.bottom()));
  p.setPen(Qt::NoPen);
  p.setBrush(alphaColor);
  p.drawEllipse(QPointF(xOf(t), yAlpha(m_alphas[t])), 4, 4);
  p.setBrush(snrColor);
  p.drawEllipse(QPointF(xOf(t), ySnr(m_alphas[t])), 4, 4);

  // Axes and legend.
  p.setPen(text);
  const int fh = fontMetrics().height();
  p.drawText(QRectF(0, r.top() - fh / 2.0, r.left() - 4, fh), Qt::AlignRight, QStringLiteral("1"));
  p.drawText(QRectF(0, r.bottom() - fh / 2.0, r.left() - 4, fh), Qt::AlignRight,
             QStringLiteral("0"));
  p.drawText(QRectF(r.right() + 4, r.top() - fh / 2.0, width() - r.right(), fh), Qt::AlignLeft,
             QStringLiteral("10⁴"));
  p.drawText(QRectF(r.right() + 4, r.bottom() - fh / 2.0, width() - r.right(), fh), Qt::AlignLeft,
             QStringLiteral("10⁻⁴"));
  p.drawText(QRectF(r.left(), r.bottom() + 2, r.width(), fh), Qt::AlignLeft, QStringLiteral("0"));
  p.drawText(QRectF(r.left(), r.bottom() + 2, r.width(), fh), Qt::AlignRight,
             QString::number(n - 1));
  p.drawText(QRectF(r.left(), r.bottom() + 2, r.width(), fh), Qt::AlignHCenter, tr("timestep t"));
  p.setPen(alphaColor);
  p.drawText(QRectF(r.left(), 0, r.width() / 2, fh), Qt::AlignLeft, tr("ᾱ_t (signal kept)"));
  p.setPen(snrColor);
  p.drawText(QRectF(r.center().x(), 0, r.width() / 2, fh), Qt::AlignRight, tr("SNR (log scale)"));
}

void SchedulePlot::mousePressEvent(QMouseEvent* event) {
  pick(event->position().x());
}

void SchedulePlot::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) pick(event->position().x());
}

void SchedulePlot::pick(double x) {
  if (m_alphas.size() < 2) return;
  const QRectF r = plotRect();
  const int n = static_cast<int>(m_alphas.size());
  const int t =
      std::clamp(static_cast<int>(std::lround((x - r.left()) / r.width() * (n - 1))), 0, n - 1);
  if (t != m_t) {
    setTimestep(t);
    emit timestepPicked(t);
  }
}

}  // namespace lienzo::ui
