// Two gallery images compared: side by side with synchronised zoom and pan, or one over the
// other with a wipe slider; below, their parameters with the differing ones highlighted.
#pragma once

#include <QImage>
#include <QString>
#include <QWidget>

#include "core/io/infotext.h"

class QCheckBox;
class QLabel;
class QSlider;
class QStackedWidget;
class QTableWidget;
class QToolButton;

namespace lienzo::ui {

class Canvas;

struct CompareItem {
  QString title;
  QImage image;
  Infotext info;
};

class CompareView : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { SideBySide, Wipe };

  explicit CompareView(QWidget* parent = nullptr);

  void setItems(const CompareItem& a, const CompareItem& b);
  void setMode(Mode mode);
  Mode mode() const { return m_mode; }
  void setWipe(double position);

  Canvas* leftCanvas() const { return m_left; }
  Canvas* rightCanvas() const { return m_right; }
  /// Rows of the parameter table that differ (keys), in table order.
  QStringList differingKeys() const;

 private:
  void fillTable(const Infotext& a, const Infotext& b);
  void updateRowVisibility();

  Mode m_mode = Mode::SideBySide;
  QStackedWidget* m_stack;
  Canvas* m_left;
  Canvas* m_right;
  Canvas* m_wipeCanvas;
  QSlider* m_wipeSlider;
  QLabel* m_titleA;
  QLabel* m_titleB;
  QToolButton* m_sideBySide;
  QToolButton* m_wipe;
  QTableWidget* m_table;
  QCheckBox* m_onlyDifferences;
};

}  // namespace lienzo::ui
