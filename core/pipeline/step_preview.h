// Step previews of one request: the predicted x0 of a sampler step shown as a picture by the
// method of GenerationParams::preview — the 4×3 linear projection (latent resolution, free), TAESD
// (full resolution, within a time budget) or the model's own VAE every N steps — and the TAESD
// decoder of a "fast decode". Ref: ../shared/specs/next-wave.md §8 (ComfyUI latent2rgb / TAESD
// previews of x0, A1111 show_progress_type, sd.cpp --preview / --taesd).
//
// TAESD files: a file or folder in PreviewParams::taesd, else the folders of
// LibraryFolders::vaeApprox (the model library's "vae-approx" category: A1111 models/VAE-approx,
// ComfyUI models/vae_approx). In a folder the family's variant (familyFacts().taesdName: "taesd"
// for SD 1.x/2.x, "taesdxl" for SDXL) is looked up as `<name>_decoder.safetensors`,
// `<name>.safetensors` or `<name>/diffusion_pytorch_model.safetensors`, first match wins.
//
// Budget (PreviewParams::taesdBudget, 5 % by default): TAESD runs at a step only when the time
// all TAESD previews took so far plus the expected cost of this one stays within that share of
// the sampling time so far; otherwise the step has no preview (the canvas keeps the last one).
// The expected cost starts from a timed decode of a small latent scaled to the request's size
// (it overestimates: fixed costs count once per call) and is then the last measured decode. On
// a fast GPU or with a large U-Net every step gets one; on a CPU with a small model, fewer.
//
// Contract: one StepPreviewer per request, used on the request's thread. Missing or unusable
// TAESD weights never fail a request: previews fall back to linear and the notice (one
// sentence) says why; a fast decode without TAESD falls back to the model's VAE the same way.
#pragma once

#include "core/model/taesd.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/pipeline.h"

#include <ATen/core/Tensor.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// The TAESD decoder file for `family` among `places` (files or folders, in order); empty when
/// none is there or the family has no TAESD (the built-in model). Any thread.
std::filesystem::path findTaesdDecoder(ModelFamily family,
                                       const std::vector<std::filesystem::path>& places);

class StepPreviewer {
 public:
  /// Loads TAESD when the preview method or params.fastDecode needs it; a fallback sets
  /// `notice` to one sentence saying why and what happens instead (GenerationResult::
  /// previewNotice).
  StepPreviewer(const ModelBundle& bundle, const GenerationParams& params, std::string& notice);

  /// The method in effect (Linear after a TAESD fallback).
  PreviewMethod method() const { return m_method; }
  /// The TAESD decoder for a fast final decode; null when not asked for or not available.
  const TaesdDecoder* fastDecoder() const;

  /// Starts the clock of one sampler run (the budget is per run).
  void startRun();
  /// The preview of `x0` [1,C,h,w] at `step` of `total`, or an empty picture when this step has
  /// none (budget, cadence). Throws what the decoders throw.
  RgbImage preview(const at::Tensor& x0, int step, int total);

 private:
  using Clock = std::chrono::steady_clock;
  RgbImage taesdPreview(const at::Tensor& x0);

  const ModelBundle& m_bundle;
  PreviewMethod m_method = PreviewMethod::Linear;
  int m_vaeEvery = 1;
  double m_budget = 0.05;
  bool m_fastDecode = false;
  TaesdDecoder m_taesd;
  double m_costPerLatentPixel = 0.0;  ///< seconds, from the calibration decode
  std::optional<double> m_lastCost;   ///< seconds of the last TAESD preview of this run
  double m_spent = 0.0;               ///< seconds of TAESD previews in this run
  Clock::time_point m_runStart = Clock::now();
};

/// A TAESD decoder output [1,3,H,W] in about [0,1] as an 8-bit picture (taesdImageU8).
RgbImage taesdToRgb(const at::Tensor& out);

}  // namespace lienzo
