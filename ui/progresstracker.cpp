#include "ui/progresstracker.h"

#include <algorithm>
#include <exception>

#include "core/sampling/denoise_window.h"

namespace lienzo::ui {

void ProgressTracker::start(int images, int stepsPerImage) {
  m_stepsPerImage = std::max(stepsPerImage, 0);
  m_total = std::max(images, 0) * m_stepsPerImage;
  m_done = 0;
  m_times.clear();
  m_clock.start();
}

void ProgressTracker::step(int imageIndex, int step, qint64 elapsedMs) {
  if (elapsedMs < 0) elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
  m_done = std::min(m_total, imageIndex * m_stepsPerImage + step + 1);
  m_times.push_back(elapsedMs);
  while (m_times.size() > kWindow) m_times.pop_front();
}

double ProgressTracker::iterationsPerSecond() const {
  // Only intervals between steps count: the time before the first step includes model loading
  // and text encoding, which would make the estimate far too slow.
  if (m_times.size() < 2) return 0.0;
  const qint64 span = m_times.back() - m_times.front();
  const double intervals = static_cast<double>(m_times.size() - 1);
  return span > 0 ? intervals * 1000.0 / static_cast<double>(span) : 0.0;
}

double ProgressTracker::etaSeconds() const {
  const double rate = iterationsPerSecond();
  if (rate <= 0.0) return -1.0;
  return static_cast<double>(m_total - m_done) / rate;
}

int ProgressTracker::firstPassSteps(const GenerationParams& params) {
  if (!params.edit.active() || params.steps < 1) return params.steps;
  try {
    return denoiseWindow(params.steps, params.edit.strength, params.edit.fixedSteps).runSteps;
  } catch (const std::exception&) {
    return params.steps;  // the core refuses the request; the bar does not matter then
  }
}

int ProgressTracker::stepsPerImage(const GenerationParams& params) {
  const int hires =
      params.hires.enabled() ? (params.hires.steps > 0 ? params.hires.steps : params.steps) : 0;
  return firstPassSteps(params) + hires;
}

}  // namespace lienzo::ui
