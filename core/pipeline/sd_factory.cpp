// The SD 1.x / 2.x / SDXL factory (sd_factory.h).
#include "core/pipeline/sd_factory.h"

#include "core/adapters/weight_patcher.h"
#include "core/pipeline/diffusers_config.h"
#include "core/pipeline/family_facts.h"

#include <ATen/ATen.h>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// The text encoders of one family, loaded before the tokenizer is looked for (so a broken file
/// reports its weights first); make() builds the conditioner once the tokenizer is there.
struct TextParts {
  ClipTextModel clip{nullptr};
  OpenClipTextModel openClip{nullptr};
};

AdapterFamily adapterFamilyOf(ModelFamily family) {
  switch (family) {
    case ModelFamily::SD1:
      return AdapterFamily::Sd1;
    case ModelFamily::SD2:
      return AdapterFamily::Sd2;
    case ModelFamily::SDXL:
      return AdapterFamily::Sdxl;
    default:
      return AdapterFamily::Unknown;
  }
}

/// Every parameter of `module` under its checkpoint key (module paths are the keys below
/// `prefix`, see loadModuleWeights).
void registerWeights(WeightPatcher& weights, torch::nn::Module& module, const std::string& prefix,
                     AdapterPart part) {
  for (auto& item : module.named_parameters(/*recurse=*/true))
    weights.add(prefix + item.key(), item.value(), part);
}

// ---- one text factory per family --------------------------------------------------------------

TextParts loadSd1Text(const SafetensorsFile& file, const ModelOverrides& o, c10::ScalarType dtype,
                      c10::Device device) {
  // Some early SD1 checkpoints lack the `text_model.` level of the HF layout.
  const std::string prefix =
      file.contains("cond_stage_model.transformer.text_model.final_layer_norm.weight")
          ? "cond_stage_model.transformer.text_model."
          : "cond_stage_model.transformer.";
  TextParts t;
  t.clip = loadClipTextModel(file, prefix, dtype, device, o.textHeads);
  return t;
}

TextParts loadSd2Text(const SafetensorsFile& file, const ModelOverrides& o, c10::ScalarType dtype,
                      c10::Device device) {
  TextParts t;
  t.openClip = loadOpenClipTextModel(file, "cond_stage_model.model.", dtype, device, o.textHeads);
  return t;
}

TextParts loadSdxlText(const SafetensorsFile& file, const ModelOverrides& o, c10::ScalarType dtype,
                       c10::Device device) {
  TextParts t;
  t.clip = loadClipTextModel(file, "conditioner.embedders.0.transformer.text_model.", dtype, device,
                             o.textHeads);
  t.openClip =
      loadOpenClipTextModel(file, "conditioner.embedders.1.model.", dtype, device, o.text2Heads);
  return t;
}

std::shared_ptr<const TextConditioner> makeText(ModelFamily family, TextParts parts,
                                                std::shared_ptr<const ClipTokenizer> tokenizer,
                                                int64_t layersDropped, c10::ScalarType dtype,
                                                c10::Device device) {
  switch (family) {
    case ModelFamily::SD1:
      return std::make_shared<Sd1TextConditioner>(std::move(tokenizer), std::move(parts.clip),
                                                  dtype, device);
    case ModelFamily::SD2:
      return std::make_shared<Sd2TextConditioner>(std::move(tokenizer), std::move(parts.openClip),
                                                  layersDropped, dtype, device);
    default:
      return std::make_shared<SdxlTextConditioner>(std::move(tokenizer), std::move(parts.clip),
                                                   std::move(parts.openClip), dtype, device);
  }
}

}  // namespace

std::shared_ptr<const ClipTokenizer> loadClipTokenizer(
    const std::vector<std::filesystem::path>& dirs) {
  const auto vocab = findClipVocab(dirs);
  if (!vocab) {
    std::string looked;
    for (const auto& d : dirs) looked += "\n  " + d.string();
    throw GenerationError(Code::ModelLoad,
                          "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or vocab.json + "
                          "merges.txt) not found; looked in:" +
                              looked + "\nSet LIENZO_CLIP_VOCAB to the file.");
  }
  return std::make_shared<const ClipTokenizer>(ClipTokenizer::fromPath(*vocab));
}

void buildSdBundle(ModelBundle& bundle, const SdModelSource& source, c10::ScalarType dtype,
                   c10::Device device) {
  const SafetensorsFile& file = *source.file;
  const CheckpointInfo& info = source.info;
  const ModelOverrides& overrides = source.overrides;
  bundle.family = info.family;
  bundle.device = device;
  bundle.dtype = dtype;

  // Schedule: the folder's scheduler config, else the checkpoint's own table when it has one
  // (CompVis stores it), else SD's.
  const FamilyFacts facts = familyFacts(info.family, overrides.prediction, overrides.scaleFactor);
  DiscreteSchedule table =
      source.scheduler ? scheduleFromConfig(*source.scheduler)
      : file.contains("alphas_cumprod")
          ? DiscreteSchedule::fromAlphasCumprod(file.load("alphas_cumprod", at::kFloat))
          : DiscreteSchedule::scaledLinear();
  bundle.schedule = std::make_shared<DiscreteVpNoiseSchedule>(
      std::move(table), facts.prediction, 0.0, source.scheduler, source.schedulerClass);

  UNetConfig unetConfig = UNetConfig::fromWeights(file, "model.diffusion_model.");
  if (overrides.unetNumHeadChannels) {
    unetConfig.numHeadChannels = *overrides.unetNumHeadChannels;
  } else if (overrides.unetNumHeads) {
    unetConfig.numHeads = *overrides.unetNumHeads;
    unetConfig.numHeadChannels = -1;
  }
  UNet unet(unetConfig);
  loadModuleWeights(*unet, file, "model.diffusion_model.", dtype, device);
  auto weights = std::make_shared<WeightPatcher>(adapterFamilyOf(info.family));
  registerWeights(*weights, *unet, "model.diffusion_model.", AdapterPart::DiffusionModel);
  bundle.diffusion = makeUNetDiffusionModel(std::move(unet), dtype, device);

  // Text encoders run once per prompt: float32 on the CPU even when the U-Net runs in BF16
  // (their BF16 error is 1-2%, for no measurable speed gain).
  const auto textDType = device.is_cuda() ? dtype : c10::kFloat;
  TextParts text;
  switch (info.family) {
    case ModelFamily::SD1:
      text = loadSd1Text(file, overrides, textDType, device);
      break;
    case ModelFamily::SD2:
      text = loadSd2Text(file, overrides, textDType, device);
      break;
    default:
      text = loadSdxlText(file, overrides, textDType, device);
      break;
  }

  // Adapters name the text encoders in the current layouts (SD1: with the `text_model.` level).
  if (text.clip)
    registerWeights(*weights, *text.clip,
                    info.family == ModelFamily::SD1
                        ? "cond_stage_model.transformer.text_model."
                        : "conditioner.embedders.0.transformer.text_model.",
                    AdapterPart::TextEncoder);
  if (text.openClip)
    registerWeights(*weights, *text.openClip,
                    info.family == ModelFamily::SD2 ? "cond_stage_model.model."
                                                    : "conditioner.embedders.1.model.",
                    AdapterPart::TextEncoder);
  bundle.weights = std::move(weights);

  LatentSpace space;
  space.scaling.scale = facts.scaleFactor;
  space.format = facts.latentFormat;
  space.channels = unetConfig.outChannels;  // inpainting U-Nets take 5 more inputs
  AutoencoderKL vae{nullptr};
  if (info.hasPart("vae")) {
    vae = loadAutoencoderKL(file, "first_stage_model.", dtype, device);
    space.factor = vae->config().downscaleFactor();
  }
  bundle.vae = std::make_shared<AutoencoderKlCodec>(std::move(vae), space, dtype, device);

  bundle.text = makeText(info.family, std::move(text), loadClipTokenizer(source.vocabDirs),
                         source.textLayersDropped, dtype, device);
}

}  // namespace lienzo
