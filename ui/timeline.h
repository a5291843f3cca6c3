// The strip of per-step previews under the canvas: scrub back through the reverse process, or
// play it as an animation. While a generation runs it follows the newest frame unless the user
// has scrubbed back (scrubbing to the last frame resumes following). UI thread only.
#pragma once

#include <QImage>
#include <QList>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QListWidget;
class QSlider;
class QToolButton;

namespace lienzo::ui {

class Timeline : public QWidget {
  Q_OBJECT

 public:
  explicit Timeline(QWidget* parent = nullptr);

  void clear();
  /// Adds a frame at the end (labelled e.g. "Step 3" or "Final").
  void appendFrame(const QImage& frame, const QString& label);
  void setFrames(const QList<QImage>& frames, const QStringList& labels);

  int count() const { return static_cast<int>(m_frames.size()); }
  int current() const { return m_current; }
  QImage frame(int index) const;
  /// The label of frame `index` (empty when there is none).
  QString label(int index) const { return m_labels.value(index); }
  /// Selects a frame and emits currentFrameChanged().
  void setCurrent(int index);

  void play();
  void stop();
  bool isPlaying() const { return m_timer.isActive(); }
  void setFramesPerSecond(int fps);

 signals:
  /// The user scrubbed or the animation advanced.
  void currentFrameChanged(int index, const QImage& frame);

 private:
  void select(int index, bool notify);
  void advance();
  void updateLabel();

  QListWidget* m_strip;
  QSlider* m_slider;
  QToolButton* m_play;
  QLabel* m_label;
  QTimer m_timer;
  QList<QImage> m_frames;
  QStringList m_labels;
  int m_current = -1;
  bool m_follow = true;
  bool m_updating = false;
};

}  // namespace lienzo::ui
