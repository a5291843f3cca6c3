// Shared fixture requests for pipeline-level tests (header-only: include it only from tests that
// link lienzo_core_pipeline). The tiny SD1 and SDXL checkpoints, loaded once per test binary in
// float32, and the golden txt2img request as the fixture's metadata states it.
#pragma once

#include "core/io/safetensors.h"
#include "core/pipeline/pipeline.h"
#include "support/fixtures.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace lienzo::testing {

/// sd1/tiny-sd1.safetensors in float32, loaded on first use and shared by the binary's tests.
inline std::shared_ptr<const ModelBundle> tinySd1Bundle() {
  static std::shared_ptr<const ModelBundle> bundle;
  if (!bundle) {
    LoadOptions options;
    options.dtype = ComputeDType::F32;
    bundle = loadModelBundle(fixturePath("sd1/tiny-sd1.safetensors"), options);
  }
  return bundle;
}

/// sdxl/tiny-sdxl.safetensors in float32, loaded on first use and shared by the binary's tests.
inline std::shared_ptr<const ModelBundle> tinySdxlBundle() {
  static std::shared_ptr<const ModelBundle> bundle;
  if (!bundle) {
    LoadOptions options;
    options.dtype = ComputeDType::F32;
    bundle = loadModelBundle(fixturePath("sdxl/tiny-sdxl.safetensors"), options);
  }
  return bundle;
}

/// The request sd1/golden_txt2img.safetensors was made with (prompt, seed, steps, CFG, sampler,
/// size from its latent size), in float32.
inline GenerationParams goldenTxt2imgParams() {
  const auto file = SafetensorsFile::open(fixturePath("sd1/golden_txt2img.safetensors"));
  const auto& m = file.metadata();
  GenerationParams p;
  p.prompt = m.at("prompt");
  p.negativePrompt = m.at("negative_prompt");
  p.seed = std::stoll(m.at("seed"));
  p.steps = std::stoi(m.at("steps"));
  p.cfgScale = std::stod(m.at("cfg_scale"));
  p.sampler = m.at("sampler").substr(0, m.at("sampler").find(' '));
  p.schedule = "Automatic";
  const auto hw = nlohmann::json::parse(m.at("latent_hw"));
  p.height = hw[0].get<int>() * 8;
  p.width = hw[1].get<int>() * 8;
  p.dtype = ComputeDType::F32;
  return p;
}

}  // namespace lienzo::testing
