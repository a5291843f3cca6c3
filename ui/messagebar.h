// An inline message strip above the canvas: errors from the core (its own message), warnings and
// short notices. Never modal; errors stay until dismissed, notices fade after a few seconds.
#pragma once

#include <QFrame>
#include <QTimer>

class QLabel;
class QToolButton;

namespace lienzo::ui {

class MessageBar : public QFrame {
  Q_OBJECT

 public:
  enum class Level { Info, Warning, Error };

  explicit MessageBar(QWidget* parent = nullptr);

  void showMessage(Level level, const QString& text);
  void showInfo(const QString& text) { showMessage(Level::Info, text); }
  void showWarning(const QString& text) { showMessage(Level::Warning, text); }
  void showError(const QString& text) { showMessage(Level::Error, text); }
  void dismiss();

  QString text() const;
  Level level() const { return m_level; }

 private:
  QLabel* m_icon;
  QLabel* m_text;
  QToolButton* m_close;
  QTimer m_autoHide;
  Level m_level = Level::Info;
};

}  // namespace lienzo::ui
