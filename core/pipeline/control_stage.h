// The ControlNets of one request (GenerationParams::controls, next-wave.md §6): each unit's file
// is found and loaded next to the model, its picture fitted to the generation size and
// preprocessed, and its hint embedded once. Each sampler run then gets a ControlFn
// (model_calls.h) that runs the ControlNets on the model call's own x, t, text context (and SDXL
// vector), scales their residuals by the unit's mode and window, sums the units and hands the sum
// to the diffusion model — generate() has no ControlNet branch, and the samplers never know.
//
// Per unit and model call (docs/controlnet.md):
//   window   A1111: sampling_step / steps in [start, end], sampling_step = max(i − 1, 0) during
//            step i (counted by Run::afterStep); ComfyUI: σ(end) <= σ <= σ(start)
//   scales   Balanced: weight · 1; Prompt / Control: weight · 0.825^(N−1−i)
//   uncond   Control mode: the uncond rows get no control (their ControlNet pass is skipped)
//
// Contract: construction runs on the generating thread (under the caller's inference mode) and
// throws GenerationError: InvalidParams (no picture, unknown preprocessor, no mask for "inpaint",
// a ControlNet made for another model family — named, e.g. an SD 1.x ControlNet on SDXL),
// ModelLoad (file missing, unreadable, not a ControlNet), UnsupportedModel (a model that is not a
// U-Net). The object is immutable afterwards; a Run's closures share the loaded networks and a
// per-run step counter: use a Run for one sampler run on one thread.
#pragma once

#include "core/control/controlnet.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/sampler.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lienzo {

class DiscreteSchedule;

class ActiveControl {
 public:
  /// Loads params.controls for a width x height (pixels) generation. Units without a picture use
  /// params.edit.initImage; "inpaint" uses params.edit.mask (inverted when invertMask).
  ActiveControl(const ModelBundle& bundle, const GenerationParams& params, int width, int height);
  ActiveControl(const ActiveControl&) = delete;
  ActiveControl& operator=(const ActiveControl&) = delete;

  bool empty() const { return m_units.empty(); }

  struct Run {
    ControlFn control;                                  ///< empty when there are no units
    std::function<void(const SamplerStep&)> afterStep;  ///< advances A1111's step counter
  };
  /// The hooks of one sampler run of `steps` steps (A1111's counter starts at 0).
  Run startRun(int steps) const;

  struct Unit;

 private:
  std::vector<std::shared_ptr<const Unit>> m_units;
  std::shared_ptr<const DiscreteSchedule> m_schedule;  ///< for t -> sigma (ComfyUI window)
};

}  // namespace lienzo
