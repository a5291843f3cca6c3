// Step previews: linear, TAESD within a time budget, full VAE every N steps (step_preview.h).
#include "core/pipeline/step_preview.h"

#include "core/io/safetensors.h"
#include "core/model/latent_preview.h"
#include "core/pipeline/family_facts.h"
#include "core/pipeline/model_calls.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace lienzo {
namespace fs = std::filesystem;

namespace {

/// The family's TAESD variant ("taesd", "taesdxl"), or empty for families without one.
std::string taesdName(ModelFamily family) {
  try {
    return familyFacts(family).taesdName;
  } catch (const std::invalid_argument&) {
    return {};  // the built-in model and families Lienzo does not run
  }
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

fs::path findTaesdDecoder(ModelFamily family, const std::vector<fs::path>& places) {
  const std::string name = taesdName(family);
  if (name.empty()) return {};
  std::error_code ec;
  for (const fs::path& place : places) {
    if (place.empty()) continue;
    if (fs::is_regular_file(place, ec)) return place;
    if (!fs::is_directory(place, ec)) continue;
    for (const fs::path& candidate :
         {place / (name + "_decoder.safetensors"), place / (name + ".safetensors"),
          place / name / "diffusion_pytorch_model.safetensors"})
      if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

RgbImage taesdToRgb(const at::Tensor& out) {
  const at::Tensor u8 = taesdImageU8(out);  // [1,H,W,3]
  RgbImage image;
  image.height = static_cast<int>(u8.size(1));
  image.width = static_cast<int>(u8.size(2));
  image.pixels.resize(static_cast<std::size_t>(u8.numel()));
  std::memcpy(image.pixels.data(), u8.data_ptr<uint8_t>(), image.pixels.size());
  return image;
}

StepPreviewer::StepPreviewer(const ModelBundle& bundle, const GenerationParams& params,
                             std::string& notice)
    : m_bundle(bundle),
      m_method(params.previews ? params.preview.method : PreviewMethod::Linear),
      m_vaeEvery(std::max(1, params.preview.vaeEvery)),
      m_budget(params.preview.taesdBudget),
      m_fastDecode(params.fastDecode) {
  if (m_method == PreviewMethod::FullVae && !bundle.hasVae()) {
    notice = "full-VAE previews need a VAE, and this model has none: previews are linear";
    m_method = PreviewMethod::Linear;
  }
  const bool wantTaesd = (params.previews && m_method == PreviewMethod::Taesd) || m_fastDecode;
  if (!wantTaesd) return;
  std::vector<fs::path> places{params.preview.taesd};
  places.insert(places.end(), params.folders.vaeApprox.begin(), params.folders.vaeApprox.end());
  const std::string variant = taesdName(bundle.family);
  std::string why;
  const fs::path file = findTaesdDecoder(bundle.family, places);
  if (variant.empty()) {
    why = "TAESD has no variant for this model's latent space";
  } else if (file.empty()) {
    why = "no TAESD decoder (" + variant +
          "_decoder.safetensors) was found in the model "
          "library's vae-approx folders" +
          (params.preview.taesd.empty() ? "" : " or at " + params.preview.taesd.string());
  } else {
    try {
      m_taesd = TaesdDecoder::load(SafetensorsFile::open(file), at::kFloat, bundle.device);
      if (m_taesd.latentChannels() != bundle.vae->latentChannels()) {
        why = "the TAESD file " + file.filename().string() + " decodes " +
              std::to_string(m_taesd.latentChannels()) + "-channel latents, this model makes " +
              std::to_string(bundle.vae->latentChannels()) + "-channel ones";
        m_taesd = TaesdDecoder();
      }
    } catch (const std::exception& e) {
      why = e.what();
      m_taesd = TaesdDecoder();
    }
  }
  if (m_fastDecode && !m_taesd.empty() && bundle.vae->factor() != 8) {
    // TAESD pictures are 8× the latent; a final picture of another size is no picture at all.
    notice = "the model's VAE scales latents by " + std::to_string(bundle.vae->factor()) +
             ", TAESD by 8: the picture is decoded by the model's VAE";
    m_fastDecode = false;
  }
  if (m_taesd.empty()) {
    const bool previewsToo = params.previews && m_method == PreviewMethod::Taesd;
    notice = why + ": " +
             (previewsToo && m_fastDecode ? "previews are linear and the picture is decoded by "
                                            "the model's VAE"
              : previewsToo               ? "previews are linear"
                                          : "the picture is decoded by the model's VAE");
    if (previewsToo) m_method = PreviewMethod::Linear;
    m_fastDecode = false;
    return;
  }
  if (m_method == PreviewMethod::Taesd && m_budget > 0.0) {
    // Calibration: one decode of a small latent, scaled by area later (an overestimate).
    constexpr int64_t kSide = 16;
    const at::Tensor z = at::zeros({1, m_taesd.latentChannels(), kSide, kSide});
    const auto start = Clock::now();
    (void)m_taesd.decode(z).to(at::kCPU);
    m_costPerLatentPixel = seconds(Clock::now() - start) / double(kSide * kSide);
  }
}

const TaesdDecoder* StepPreviewer::fastDecoder() const {
  return m_fastDecode && !m_taesd.empty() ? &m_taesd : nullptr;
}

void StepPreviewer::startRun() {
  m_runStart = Clock::now();
  m_spent = 0.0;
  m_lastCost.reset();
}

RgbImage StepPreviewer::taesdPreview(const at::Tensor& x0) {
  if (m_budget > 0.0) {
    const double expected =
        m_lastCost.value_or(m_costPerLatentPixel * double(x0.size(2) * x0.size(3)));
    const double sampling = seconds(Clock::now() - m_runStart) - m_spent;
    if (m_spent + expected > m_budget * sampling) return {};
  }
  const auto start = Clock::now();
  RgbImage image = taesdToRgb(m_taesd.decode(x0));  // x0 as is: TAESD's scale factor is 1
  const double cost = seconds(Clock::now() - start);
  m_spent += cost;
  m_lastCost = cost;
  return image;
}

RgbImage StepPreviewer::preview(const at::Tensor& x0, int step, int total) {
  switch (m_method) {
    case PreviewMethod::Taesd:
      return taesdPreview(x0);
    case PreviewMethod::FullVae:
      // Every N steps; never at the last one (the final decode follows).
      if ((step + 1) % m_vaeEvery != 0 || step + 1 >= total) return {};
      return imageToRgb(decodeLatent(m_bundle, x0));
    case PreviewMethod::Linear:
      break;
  }
  const PreviewImage p = latentPreviewImage(x0, m_bundle.vae->latentFormat());
  RgbImage image;
  image.width = static_cast<int>(p.width);
  image.height = static_cast<int>(p.height);
  image.pixels = p.rgb;
  return image;
}

}  // namespace lienzo
