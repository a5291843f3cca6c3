// Built-in model: config, its factory and text conditioner (see builtin_model.h).
#include "core/pipeline/builtin_model.h"

#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"
#include "core/sampling/schedule.h"
#ifdef LIENZO_HAVE_SENTENCEPIECE
#include "core/text/sp_tokenizer.h"
#endif

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <c10/core/InferenceMode.h>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace lienzo {

class SpTokenizer;  // core/text/sp_tokenizer.h (with SentencePiece)

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

// ---- text conditioner -------------------------------------------------------------------------

namespace {

/// SentencePiece ids → the built-in text encoder's last hidden state (no A1111 weighting syntax,
/// one window of maxPositions tokens, CLIP skip and embeddings ignored). Pooled text
/// (BuiltinModelConfig pooledText) = the last position, the U-Net's y as is.
class BuiltinTextConditioner final : public TextConditioner {
 public:
  BuiltinTextConditioner(std::shared_ptr<const SpTokenizer> tokenizer, ClipTextModel clip,
                         bool pooledIsY, c10::ScalarType dtype, c10::Device device)
      : m_tokenizer(std::move(tokenizer)),
        m_clip(std::move(clip)),
        m_pooledIsY(pooledIsY),
        m_dtype(dtype),
        m_device(device) {}

  Conditioning encode(const std::string& prompt, const TextOptions& /*options*/) const override {
#ifdef LIENZO_HAVE_SENTENCEPIECE
    c10::InferenceMode guard;
    ClipTextModel clip = m_clip;
    const int64_t n = clip->config().maxPositions;
    const auto ids = m_tokenizer->encodePadded(prompt, int(n));
    const auto idT = at::tensor(at::ArrayRef<int64_t>(ids), at::kLong).reshape({1, n});  // [1,N]
    Conditioning out;
    const auto hidden = clip->forward(idT.to(m_device)).lastHiddenState;  // [1,N,W] float32
    out.context = hidden.to(m_dtype);
    if (m_pooledIsY) out.pooled = hidden.select(1, n - 1).to(m_dtype);  // [1,W]
    return out;
#else
    (void)prompt;
    throw GenerationError(Code::UnsupportedModel, "built-in model needs SentencePiece");
#endif
  }

  /// y of the U-Net = the pooled text itself.
  at::Tensor vector(const at::Tensor& pooled, int64_t, int64_t) const override {
    return pooled;
  }

 private:
  std::shared_ptr<const SpTokenizer> m_tokenizer;
  ClipTextModel m_clip;
  bool m_pooledIsY;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

}  // namespace

// ---- the built-in model's factory ------------------------------------------------------------

void loadBuiltinParts(ModelBundle& bundle, const SafetensorsFile& file, c10::ScalarType dtype,
                      c10::Device device) {
  const BuiltinModelConfig config = readBuiltinConfig(file);
#ifdef LIENZO_HAVE_SENTENCEPIECE
  const auto tok = file.metadata().find(kBuiltinTokenizerKey);
  if (tok == file.metadata().end())
    throw GenerationError(Code::ModelLoad, file.path().string() +
                                               ": built-in model without its tokenizer ('" +
                                               kBuiltinTokenizerKey + "' metadata)");
  auto tokenizer =
      std::make_shared<const SpTokenizer>(SpTokenizer::fromBytes(base64Decode(tok->second)));
  if (tokenizer->vocabSize() > config.vocabSize)
    throw GenerationError(Code::ModelLoad,
                          "built-in model: tokenizer vocabulary larger than the "
                          "text encoder's");
#else
  throw GenerationError(Code::UnsupportedModel,
                        "the Lienzo built-in model needs SentencePiece (build with "
                        "LIENZO_WITH_SENTENCEPIECE=ON)");
  std::shared_ptr<const SpTokenizer> tokenizer;
#endif
  bundle.family = ModelFamily::LienzoBuiltin;
  bundle.device = device;
  bundle.dtype = dtype;
  // Its facts come from its own config (builtin_config.h), not family_facts.h.
  const Prediction prediction = config.prediction == "v" ? Prediction::V : Prediction::Epsilon;
  bundle.schedule = std::make_shared<DiscreteVpNoiseSchedule>(
      file.contains("alphas_cumprod")
          ? DiscreteSchedule::fromAlphasCumprod(file.load("alphas_cumprod", at::kFloat))
          : DiscreteSchedule::fromAlphasCumprod(config.alphasCumprod()),
      prediction, config.x0Clamp);

  UNet unet(config.unetConfig());
  loadModuleWeights(*unet, file, "model.diffusion_model.", dtype, device);
  unet->eval();
  bundle.diffusion = makeUNetDiffusionModel(std::move(unet), dtype, device);
  AutoencoderKL vae(config.vaeConfig());
  loadModuleWeights(*vae, file, "first_stage_model.", dtype, device);
  vae->eval();
  LatentSpace space;
  space.scaling.scale = config.scaleFactor;
  space.scaling.shift = 0.0;
  space.channels = config.latentChannels;
  space.factor = vae->config().downscaleFactor();
  bundle.vae = std::make_shared<AutoencoderKlCodec>(std::move(vae), space, dtype, device);
  // Tiny text encoder: float32 always (cost is negligible).
  ClipTextModel clip(config.textConfig());
  loadModuleWeights(*clip, file, "text_model.", c10::kFloat, device);
  clip->eval();
  bundle.text = std::make_shared<BuiltinTextConditioner>(std::move(tokenizer), std::move(clip),
                                                         config.pooledText, dtype, device);

  describeBuiltinDefaults(bundle.description, config);
}

Conditioning encodeBuiltinPrompt(const ModelBundle& bundle, const std::string& prompt) {
  if (bundle.family != ModelFamily::LienzoBuiltin || !bundle.text)
    throw GenerationError(Code::UnsupportedModel, "built-in model bundle without text encoder");
  return bundle.text->encode(prompt, TextOptions{});
}

}  // namespace lienzo
