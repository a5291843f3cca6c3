#include "ui/icons.h"

#include <QGuiApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

#include <cmath>

namespace lienzo::ui {

namespace {

void paintIcon(QPainter& p, StudioIcon icon, const QColor& ink) {
  // Drawn on a 32×32 grid.
  p.setRenderHint(QPainter::Antialiasing);
  QPen pen(ink, 2.4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  switch (icon) {
    case StudioIcon::Generate: {  // a four-pointed sparkle
      QPainterPath path;
      path.moveTo(16, 3);
      path.quadTo(18, 14, 29, 16);
      path.quadTo(18, 18, 16, 29);
      path.quadTo(14, 18, 3, 16);
      path.quadTo(14, 14, 16, 3);
      p.setBrush(ink);
      p.drawPath(path);
      break;
    }
    case StudioIcon::Dice: {
      p.drawRoundedRect(QRectF(5, 5, 22, 22), 5, 5);
      p.setBrush(ink);
      p.setPen(Qt::NoPen);
      for (const QPointF& c :
           {QPointF(11, 11), QPointF(16, 16), QPointF(21, 21), QPointF(21, 11), QPointF(11, 21)}) {
        p.drawEllipse(c, 2.2, 2.2);
      }
      break;
    }
    case StudioIcon::Reuse: {  // circular arrow
      p.drawArc(QRectF(6, 6, 20, 20), 60 * 16, 280 * 16);
      QPainterPath head;
      head.moveTo(23, 3);
      head.lineTo(25, 10);
      head.lineTo(18, 10);
      p.setBrush(ink);
      p.drawPath(head);
      break;
    }
    case StudioIcon::Star: {
      QPainterPath path;
      for (int i = 0; i < 10; ++i) {
        const double r = i % 2 == 0 ? 13.0 : 5.5;
        const double a = -M_PI / 2 + i * M_PI / 5;
        const QPointF pt(16 + r * std::cos(a), 17 + r * std::sin(a));
        i == 0 ? path.moveTo(pt) : path.lineTo(pt);
      }
      path.closeSubpath();
      p.setBrush(QColor(240, 190, 40));
      p.drawPath(path);
      break;
    }
    case StudioIcon::Compare:
      p.drawRect(QRectF(4, 7, 11, 18));
      p.drawRect(QRectF(17, 7, 11, 18));
      break;
    case StudioIcon::ZoomFit:
      p.drawPolyline(QPolygonF({QPointF(4, 11), QPointF(4, 4), QPointF(11, 4)}));
      p.drawPolyline(QPolygonF({QPointF(21, 4), QPointF(28, 4), QPointF(28, 11)}));
      p.drawPolyline(QPolygonF({QPointF(28, 21), QPointF(28, 28), QPointF(21, 28)}));
      p.drawPolyline(QPolygonF({QPointF(11, 28), QPointF(4, 28), QPointF(4, 21)}));
      break;
    case StudioIcon::ZoomActual: {
      QFont font = p.font();
      font.setPixelSize(15);
      font.setBold(true);
      p.setFont(font);
      p.drawText(QRectF(0, 0, 32, 32), Qt::AlignCenter, QStringLiteral("1:1"));
      break;
    }
    case StudioIcon::Restore: {  // arrow back into a box
      p.drawRoundedRect(QRectF(10, 6, 18, 20), 3, 3);
      p.drawLine(QPointF(3, 16), QPointF(19, 16));
      p.drawPolyline(QPolygonF({QPointF(8, 11), QPointF(3, 16), QPointF(8, 21)}));
      break;
    }
    case StudioIcon::Add:
      p.drawLine(QPointF(16, 6), QPointF(16, 26));
      p.drawLine(QPointF(6, 16), QPointF(26, 16));
      break;
    case StudioIcon::Wave: {  // signal sinking into noise
      QPainterPath path;
      path.moveTo(3, 16);
      for (int x = 3; x <= 29; ++x) {
        const double amp = 9.0 * (29 - x) / 26.0;
        path.lineTo(x, 16 - amp * std::sin((x - 3) * 0.7) + ((x * 7) % 5 - 2) * (x - 3) / 26.0 * 2);
      }
      p.drawPath(path);
      break;
    }
    case StudioIcon::Brush: {  // a brush: handle and a filled tip
      p.drawLine(QPointF(26, 5), QPointF(14, 17));
      QPainterPath tip;
      tip.moveTo(15, 15);
      tip.quadTo(19, 20, 15, 23);
      tip.quadTo(10, 28, 4, 28);
      tip.quadTo(6, 22, 9, 19);
      tip.quadTo(12, 15, 15, 15);
      p.setBrush(ink);
      p.drawPath(tip);
      break;
    }
    case StudioIcon::Filter: {  // a funnel
      QPainterPath path;
      path.moveTo(4, 6);
      path.lineTo(28, 6);
      path.lineTo(19, 17);
      path.lineTo(19, 26);
      path.lineTo(13, 23);
      path.lineTo(13, 17);
      path.closeSubpath();
      p.drawPath(path);
      break;
    }
    case StudioIcon::App: {  // a canvas with a sparkle
      p.setBrush(QColor(40, 70, 110));
      p.drawRoundedRect(QRectF(3, 3, 26, 26), 5, 5);
      p.setPen(Qt::NoPen);
      p.setBrush(QColor(250, 210, 80));
      QPainterPath path;
      path.moveTo(16, 7);
      path.quadTo(17.5, 14.5, 25, 16);
      path.quadTo(17.5, 17.5, 16, 25);
      path.quadTo(14.5, 17.5, 7, 16);
      path.quadTo(14.5, 14.5, 16, 7);
      p.drawPath(path);
      break;
    }
  }
}

}  // namespace

QIcon studioIcon(StudioIcon icon) {
  const QColor ink = QGuiApplication::palette().color(QPalette::WindowText);
  QIcon out;
  for (int size : {16, 24, 32, 48, 64}) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.scale(size / 32.0, size / 32.0);
    paintIcon(painter, icon, ink);
    painter.end();
    out.addPixmap(pixmap);
  }
  return out;
}

}  // namespace lienzo::ui
