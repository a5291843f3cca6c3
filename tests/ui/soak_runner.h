// The studio left running: many jobs through the real GenerationController (queue + worker thread
// + gallery saves) on one model, with the process's resident memory, open file descriptors and
// threads sampled as the jobs finish (docs/reliability.md, "Soak").
//
// The jobs cycle through what people do: txt2img, img2img, inpainting with a mask, a job cancelled
// at its first step, and a job removed from the queue before it starts; every job's seed is
// different and every finished image is saved to `gallery`.
//
// Contract: runSoak() needs a QCoreApplication (or QApplication) on the calling thread and runs
// its event loop until every job has ended or `timeoutMs` has passed. It throws
// std::runtime_error when the model cannot be described. Linux only (/proc/self).
#pragma once

#include <QString>

#include <cstdint>
#include <functional>
#include <vector>

namespace lienzo::ui::testing {

struct SoakOptions {
  QString model;    ///< checkpoint file (e.g. the built-in model)
  QString gallery;  ///< folder the finished images are saved to
  int jobs = 1000;
  int warmup = 10;        ///< the baseline sample is taken when this many jobs have ended
  int sampleEvery = 100;  ///< a sample every this many ended jobs
  int steps = 4;
  int side = 0;  ///< image width and height; 0 = the model's default size
  int timeoutMs = 24 * 3600 * 1000;
};

struct SoakSample {
  int jobsEnded = 0;
  double seconds = 0;  ///< since the first job was queued
  int64_t rssKiB = 0;
  int fds = 0;
  int threads = 0;
};

struct SoakReport {
  std::vector<SoakSample> samples;  ///< [0]: before any job, [1]: after warm-up, …, last: end
  int completed = 0;
  int cancelled = 0;
  int failed = 0;
  int removed = 0;  ///< taken off the queue before starting
  int imagesSaved = 0;
  QString firstFailure;
  bool timedOut = false;

  const SoakSample& baseline() const { return samples.at(1); }
  const SoakSample& last() const { return samples.back(); }
  /// Finished jobs per minute between the baseline and the last sample.
  double jobsPerMinute() const;
};

/// The resident set, descriptors and threads of this process now.
SoakSample sampleProcess();

SoakReport runSoak(const SoakOptions& options,
                   const std::function<void(const SoakSample&)>& onSample = {});

}  // namespace lienzo::ui::testing
