// Speed and time-left estimate for the status bar: iterations per second over the recent steps
// and the ETA of the running job (all images of its batch). Plain value type; UI thread.
#pragma once

#include <QElapsedTimer>

#include <deque>

#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

class ProgressTracker {
 public:
  /// Starts tracking a job of `images` images × `stepsPerImage` steps.
  void start(int images, int stepsPerImage);

  /// Steps the first pass of each image runs: `steps`, or an edit's denoising window
  /// (core/sampling/denoise_window.h: strength and step semantics).
  static int firstPassSteps(const GenerationParams& params);
  /// firstPassSteps() plus the hires fix's second pass (its steps, or the first pass's `steps`).
  static int stepsPerImage(const GenerationParams& params);
  /// Records that step `step` (0-based) of image `imageIndex` just finished, at `elapsedMs` since
  /// start() (the default reads the tracker's own clock).
  void step(int imageIndex, int step, qint64 elapsedMs = -1);

  int stepsDone() const { return m_done; }
  int stepsTotal() const { return m_total; }
  /// Steps per second over the last few steps; 0 until two steps are known.
  double iterationsPerSecond() const;
  /// Seconds left at the current speed; < 0 when unknown.
  double etaSeconds() const;

 private:
  static constexpr size_t kWindow = 8;

  QElapsedTimer m_clock;
  std::deque<qint64> m_times;  ///< ms of the recent steps
  int m_stepsPerImage = 0;
  int m_total = 0;
  int m_done = 0;
};

}  // namespace lienzo::ui
