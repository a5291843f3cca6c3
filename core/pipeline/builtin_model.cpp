// Built-in model: config, loading, prompt encoding, x0 clamp (see builtin_model.h).
#include "core/pipeline/builtin_model.h"

#include "core/io/safetensors.h"
#include "core/pipeline/conditioner.h"
#include "core/sampling/schedule.h"
#ifdef LIENZO_HAVE_SENTENCEPIECE
#include "core/text/sp_tokenizer.h"
#endif

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <c10/core/InferenceMode.h>

#include <cmath>
#include <stdexcept>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

}  // namespace

void describeBuiltinDefaults(ModelDescription& d, const BuiltinModelConfig& config) {
  d.defaultWidth = d.defaultHeight = int(config.imageSize);
  d.defaultSteps = int(config.defaultSteps);
  d.defaultCfg = config.defaultCfg;
  d.defaultSampler = "DDIM";  // what the trainer's evaluation samples with
}

BuiltinModelConfig readBuiltinConfig(const SafetensorsFile& file) {
  const auto it = file.metadata().find(kBuiltinConfigKey);
  if (it == file.metadata().end())
    throw std::invalid_argument(file.path().string() + ": no '" + std::string(kBuiltinConfigKey) +
                                "' metadata (not a Lienzo built-in model)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(file.path().string() +
                                ": malformed built-in model config: " + e.what());
  }
  return BuiltinModelConfig::fromJson(j);
}

// ---- loading ---------------------------------------------------------------------------------

void loadBuiltinParts(ModelBundle& bundle, const SafetensorsFile& file, c10::ScalarType dtype,
                      c10::Device device) {
  const BuiltinModelConfig config = readBuiltinConfig(file);
#ifdef LIENZO_HAVE_SENTENCEPIECE
  const auto tok = file.metadata().find(kBuiltinTokenizerKey);
  if (tok == file.metadata().end())
    throw GenerationError(Code::ModelLoad, file.path().string() +
                                               ": built-in model without its tokenizer ('" +
                                               kBuiltinTokenizerKey + "' metadata)");
  bundle.spTokenizer =
      std::make_shared<const SpTokenizer>(SpTokenizer::fromBytes(base64Decode(tok->second)));
  if (bundle.spTokenizer->vocabSize() > config.vocabSize)
    throw GenerationError(Code::ModelLoad,
                          "built-in model: tokenizer vocabulary larger than the "
                          "text encoder's");
#else
  throw GenerationError(Code::UnsupportedModel,
                        "the Lienzo built-in model needs SentencePiece (build with "
                        "LIENZO_WITH_SENTENCEPIECE=ON)");
#endif
  bundle.family = ModelFamily::LienzoBuiltin;
  bundle.device = device;
  bundle.dtype = dtype;
  bundle.schedule =
      file.contains("alphas_cumprod")
          ? DiscreteSchedule::fromAlphasCumprod(file.load("alphas_cumprod", at::kFloat))
          : DiscreteSchedule::fromAlphasCumprod(config.alphasCumprod());
  bundle.prediction = config.prediction == "v" ? Prediction::V : Prediction::Epsilon;
  bundle.latentScaling.scale = config.scaleFactor;
  bundle.latentScaling.shift = 0.0;
  bundle.latentChannels = config.latentChannels;
  bundle.x0Clamp = config.x0Clamp;
  bundle.pooledIsY = config.pooledText;

  bundle.unet = UNet(config.unetConfig());
  loadModuleWeights(*bundle.unet, file, "model.diffusion_model.", dtype, device);
  bundle.unet->eval();
  bundle.vae = AutoencoderKL(config.vaeConfig());
  loadModuleWeights(*bundle.vae, file, "first_stage_model.", dtype, device);
  bundle.vae->eval();
  bundle.vaeFactor = bundle.vae->config().downscaleFactor();
  // Tiny text encoder: float32 always (cost is negligible).
  bundle.clip = ClipTextModel(config.textConfig());
  loadModuleWeights(*bundle.clip, file, "text_model.", c10::kFloat, device);
  bundle.clip->eval();

  describeBuiltinDefaults(bundle.description, config);
}

Conditioning encodeBuiltinPrompt(const ModelBundle& bundle, const std::string& prompt) {
#ifdef LIENZO_HAVE_SENTENCEPIECE
  if (!bundle.spTokenizer || bundle.clip.is_empty())
    throw GenerationError(Code::UnsupportedModel, "built-in model bundle without text encoder");
  c10::InferenceMode guard;
  ClipTextModel clip = bundle.clip;
  const int64_t n = clip->config().maxPositions;
  const auto ids = bundle.spTokenizer->encodePadded(prompt, int(n));
  const auto idT = at::tensor(at::ArrayRef<int64_t>(ids), at::kLong).reshape({1, n});  // [1,N]
  Conditioning out;
  const auto hidden = clip->forward(idT.to(bundle.device)).lastHiddenState;  // [1,N,W] float32
  out.context = hidden.to(bundle.dtype);
  // Pooled text = the last position (BuiltinModelConfig::pooled), y of the U-Net as is.
  if (bundle.pooledIsY) out.pooled = hidden.select(1, n - 1).to(bundle.dtype);  // [1,W]
  return out;
#else
  (void)bundle;
  (void)prompt;
  throw GenerationError(Code::UnsupportedModel, "built-in model needs SentencePiece");
#endif
}

}  // namespace lienzo
