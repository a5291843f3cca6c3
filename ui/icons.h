// The studio's own icons, drawn with QPainter at run time (this Qt has no SVG plugin), in the
// palette's text colour so they follow light and dark themes. Standard actions (open, play,
// stop, trash) use the style's icons instead.
#pragma once

#include <QIcon>

namespace lienzo::ui {

enum class StudioIcon {
  Generate,
  Dice,
  Reuse,
  Star,
  Compare,
  ZoomFit,
  ZoomActual,
  Restore,
  Add,
  Wave,
  Filter,
  Brush,
  App
};

QIcon studioIcon(StudioIcon icon);

}  // namespace lienzo::ui
