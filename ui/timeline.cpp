#include "ui/timeline.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSlider>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace lienzo::ui {

namespace {
constexpr int kThumb = 56;

QIcon frameIcon(const QImage& frame) {
  const QImage scaled =
      frame.scaled(kThumb, kThumb, Qt::KeepAspectRatio,
                   frame.width() < kThumb ? Qt::FastTransformation : Qt::SmoothTransformation);
  return QIcon(QPixmap::fromImage(scaled));
}
}  // namespace

Timeline::Timeline(QWidget* parent)
    : QWidget(parent),
      m_strip(new QListWidget(this)),
      m_slider(new QSlider(Qt::Horizontal, this)),
      m_play(new QToolButton(this)),
      m_label(new QLabel(this)) {
  // List mode with uniform sizes lays items out in O(1) each (icon mode relayouts them all),
  // so appending a frame per step stays cheap however long the run.
  m_strip->setViewMode(QListView::ListMode);
  m_strip->setFlow(QListView::LeftToRight);
  m_strip->setWrapping(false);
  m_strip->setMovement(QListView::Static);
  m_strip->setIconSize(QSize(kThumb, kThumb));
  m_strip->setSpacing(2);
  m_strip->setUniformItemSizes(true);
  m_strip->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  m_strip->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_strip->setFixedHeight(kThumb + 26);
  m_strip->setToolTip(tr("Every step of the reverse process; click one to see it."));

  m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  m_play->setToolTip(tr("Play the steps as an animation"));
  m_play->setCheckable(true);
  m_slider->setRange(0, 0);
  m_slider->setToolTip(tr("Scrub through the steps"));
  m_label->setMinimumWidth(120);

  auto* controls = new QHBoxLayout;
  controls->addWidget(m_play);
  controls->addWidget(m_slider, 1);
  controls->addWidget(m_label);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(m_strip);
  layout->addLayout(controls);

  m_timer.setInterval(125);
  connect(&m_timer, &QTimer::timeout, this, &Timeline::advance);
  connect(m_play, &QToolButton::toggled, this, [this](bool on) { on ? play() : stop(); });
  connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
    if (!m_updating) select(v, true);
  });
  connect(m_strip, &QListWidget::currentRowChanged, this, [this](int row) {
    if (!m_updating && row >= 0) select(row, true);
  });
  updateLabel();
}

void Timeline::clear() {
  stop();
  m_updating = true;
  m_frames.clear();
  m_labels.clear();
  m_strip->clear();
  m_slider->setRange(0, 0);
  m_updating = false;
  m_current = -1;
  m_follow = true;
  updateLabel();
}

void Timeline::appendFrame(const QImage& frame, const QString& label) {
  m_frames.append(frame);
  m_labels.append(label);
  m_updating = true;
  auto* item = new QListWidgetItem(frameIcon(frame), QString());  // the label shows the name
  item->setToolTip(label);
  m_strip->addItem(item);
  m_slider->setRange(0, count() - 1);
  m_updating = false;
  if (m_follow && !isPlaying()) {
    select(count() - 1, false);
  } else {
    updateLabel();
  }
}

void Timeline::setFrames(const QList<QImage>& frames, const QStringList& labels) {
  clear();
  for (int i = 0; i < frames.size(); ++i) {
    appendFrame(frames[i], i < labels.size() ? labels[i] : QString::number(i + 1));
  }
}

QImage Timeline::frame(int index) const {
  return index >= 0 && index < count() ? m_frames[index] : QImage();
}

void Timeline::setCurrent(int index) {
  select(index, true);
}

void Timeline::play() {
  if (count() < 2) {
    m_play->setChecked(false);
    return;
  }
  m_follow = false;
  if (m_current >= count() - 1) select(0, true);
  m_timer.start();
  m_play->setChecked(true);
  m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
}

void Timeline::stop() {
  m_timer.stop();
  m_play->setChecked(false);
  m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
}

void Timeline::setFramesPerSecond(int fps) {
  m_timer.setInterval(1000 / std::max(fps, 1));
}

void Timeline::select(int index, bool notify) {
  if (index < 0 || index >= count()) return;
  m_current = index;
  // Scrubbing back stops following the live generation; the last frame resumes it.
  if (notify) m_follow = index == count() - 1 && !isPlaying();
  m_updating = true;
  m_slider->setValue(index);
  m_strip->setCurrentRow(index);
  m_strip->scrollToItem(m_strip->item(index));
  m_updating = false;
  updateLabel();
  if (notify) emit currentFrameChanged(index, m_frames[index]);
}

void Timeline::advance() {
  if (count() == 0) return stop();
  const int next = m_current + 1;
  if (next >= count()) {
    // Hold the final frame for one tick, then stop at it.
    stop();
    m_follow = true;
    return;
  }
  select(next, true);
}

void Timeline::updateLabel() {
  if (m_current < 0) {
    m_label->setText(tr("No steps"));
  } else {
    m_label->setText(tr("%1 (%2 of %3)").arg(m_labels[m_current]).arg(m_current + 1).arg(count()));
  }
}

}  // namespace lienzo::ui
