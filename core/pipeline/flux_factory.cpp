// The Flux.1 factory (flux_factory.h).
#include "core/pipeline/flux_factory.h"

#include "core/pipeline/memory_plan.h"
#include "core/pipeline/model_parts.h"

#include "core/io/gguf_weights.h"
#include "core/model/dit_gguf.h"
#include "core/model/flux.h"
#include "core/model/layers.h"
#include "core/pipeline/flux_diffusion_model.h"
#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/t5_encoder.h"
#ifdef LIENZO_HAVE_SENTENCEPIECE
#include "core/pipeline/flux_conditioner.h"
#include "core/text/t5_tokenizer.h"
#endif

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace fs = std::filesystem;

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// `obj[key]` as T when present; GenerationError naming the file and key for a wrong type.
template <typename T>
std::optional<T> field(const nlohmann::json& obj, const char* key,
                       const std::filesystem::path& file) {
  if (!obj.is_object() || !obj.contains(key) || obj[key].is_null()) return std::nullopt;
  try {
    return obj[key].get<T>();
  } catch (const std::exception&) {
    throw GenerationError(Code::ModelLoad, file.string() + ": \"" + key + "\" has the wrong type");
  }
}

/// The CLIP-L text model's key prefix in a separate file (HF `text_model.`) or a bundled one.
std::string clipLPrefix(const SafetensorsFile& file) {
  for (const char* prefix : {"text_model.", kFluxBundledClipLPrefix, ""})
    if (file.contains(std::string(prefix) + "final_layer_norm.weight")) return prefix;
  throw GenerationError(Code::ModelLoad, file.path().string() +
                                             ": no CLIP-L text model in it (looked for "
                                             "text_model.final_layer_norm.weight)");
}

/// The T5 encoder's prefix: "" for t5xxl_*.safetensors, kT5BundledPrefix inside all-in-one files.
std::string t5Prefix(const SafetensorsFile& file) {
  for (const char* prefix : {"", kT5BundledPrefix})
    if (file.contains(std::string(prefix) + "encoder.final_layer_norm.weight")) return prefix;
  throw GenerationError(Code::ModelLoad, file.path().string() +
                                             ": no T5 encoder in it (looked for "
                                             "encoder.final_layer_norm.weight)");
}

/// The autoencoder's prefix: "" for BFL's ae.safetensors, "vae." in ComfyUI all-in-one files,
/// "first_stage_model." in LDM-style VAE files.
std::string vaePrefix(const SafetensorsFile& file) {
  for (const char* prefix : {"", kFluxBundledVaePrefix, "first_stage_model."})
    if (file.contains(std::string(prefix) + "decoder.conv_in.weight")) return prefix;
  throw GenerationError(Code::ModelLoad, file.path().string() +
                                             ": no autoencoder in it (looked for "
                                             "decoder.conv_in.weight)");
}

ClipTextModel loadClipL(const SafetensorsFile& file, const FluxSidecar& s, c10::ScalarType dtype,
                        c10::Device device) {
  const std::string prefix = clipLPrefix(file);
  ClipTextConfig config = ClipTextConfig::fromWeights(file, prefix, s.clipHeads);
  if (s.clipQuickGelu)
    config.activation = *s.clipQuickGelu ? ClipActivation::QuickGelu : ClipActivation::Gelu;
  if (s.clipLayerNormEps) config.layerNormEps = *s.clipLayerNormEps;
  ClipTextModel model(config);
  loadModuleWeights(*model, file, prefix, dtype, device);
  return model;
}

}  // namespace

FluxSidecar readFluxSidecar(const std::filesystem::path& transformer, bool dev) {
  FluxSidecar out;
  const auto path = sidecarPath(transformer);
  const auto json = readSidecarJson(transformer);
  if (!json) return out;
  const nlohmann::json& cfg = *json;
  // FluxParams at the root, or per variant (tiny-flux.config.json holds both test models).
  const nlohmann::json* params = &cfg;
  const char* variant = dev ? "flux_dev" : "flux_schnell";
  if (!cfg.contains("axes_dim") && cfg.contains(variant) && cfg[variant].is_object())
    params = &cfg[variant];
  out.axesDim = field<std::vector<int64_t>>(*params, "axes_dim", path);
  out.theta = field<double>(*params, "theta", path);
  out.numHeads = field<int64_t>(*params, "num_heads", path);
  if (cfg.contains("clip_l") && cfg["clip_l"].is_object()) {
    const nlohmann::json& c = cfg["clip_l"];
    out.clipHeads = field<int64_t>(c, "num_attention_heads", path);
    if (const auto act = field<std::string>(c, "hidden_act", path)) {
      if (*act != "quick_gelu" && *act != "gelu")
        throw GenerationError(Code::ModelLoad, path.string() + ": clip_l.hidden_act \"" + *act +
                                                   "\" is neither quick_gelu nor gelu");
      out.clipQuickGelu = *act == "quick_gelu";
    }
    out.clipLayerNormEps = field<double>(c, "layer_norm_eps", path);
  }
  return out;
}

bool fluxIsDev(const SafetensorsFile& file, const std::string& prefix) {
  return file.contains(prefix + "guidance_in.in_layer.weight");
}

FluxVariantFacts fluxVariantFacts(bool dev) {
  // Ref: black-forest-labs/flux cli.py (max_length 256 for schnell, else 512; shift = not
  // schnell; 4 steps schnell, 50 dev); ComfyUI / diffusers FluxPipeline defaults (guidance 3.5,
  // 28 steps, 1024²); next-wave.md §7.
  FluxVariantFacts f;
  f.dev = dev;
  f.t5Length = dev ? kFluxDevT5Length : kFluxSchnellT5Length;
  f.resolutionShift = dev;
  f.defaultSteps = dev ? 28 : 4;
  if (dev) f.defaultGuidance = FluxDiffusionModel::kDefaultGuidance;
  return f;
}

void describeFlux(ModelDescription& d, bool dev) {
  const FluxVariantFacts f = fluxVariantFacts(dev);
  d.family = dev ? "Flux.1 dev" : "Flux.1 schnell";
  d.defaultWidth = d.defaultHeight = f.defaultSize;
  d.defaultSteps = f.defaultSteps;
  d.defaultCfg = f.defaultCfg;
  d.defaultSampler = f.defaultSampler;
  d.defaultGuidance = f.defaultGuidance;
  d.t5Length = f.t5Length;
  d.parts = {"transformer", "t5xxl", "clip_l", "vae"};  // the latter three usually separate files
  if (f.resolutionShift) {
    const FlowSchedule flow = FlowSchedule::flux(true);
    d.flowResolutionShift = std::make_pair(flow.baseShift(), flow.maxShift());
  }
}

void describeFluxFile(ModelDescription& d, const SafetensorsFile& file) {
  const auto prefix = findFluxPrefix(file);
  describeFlux(d, prefix && fluxIsDev(file, *prefix));
}

void buildFluxBundle(ModelBundle& bundle, const FluxModelSource& source, c10::ScalarType dtype,
                     c10::Device device) {
#ifndef LIENZO_HAVE_SENTENCEPIECE
  (void)source;
  (void)dtype;
  (void)device;
  throw GenerationError(Code::UnsupportedModel,
                        bundle.description.name +
                            ": Flux needs the T5 tokenizer (SentencePiece), which this build of "
                            "Lienzo was made without (LIENZO_WITH_SENTENCEPIECE=OFF)");
#else
  const fs::path modelPath = source.gguf ? source.gguf->file().path() : source.file->path();
  bundle.family = ModelFamily::Flux;
  bundle.device = device;
  bundle.dtype = dtype;

  // Everything the shapes and the sidecar say, before a weight is read.
  FluxConfig config;
  try {
    config = source.gguf
                 ? fluxConfigFromGguf(*source.gguf, source.sidecar.axesDim)
                 : FluxConfig::fromWeights(*source.file, source.prefix, source.sidecar.axesDim);
  } catch (const std::invalid_argument& e) {
    if (source.sidecar.axesDim) throw;
    // Only the released models' split is known; anything else needs the sidecar.
    throw GenerationError(Code::ModelLoad, modelPath.string() + ": " + e.what() + " in a sidecar " +
                                               modelPath.stem().string() +
                                               ".config.json beside it");
  }
  const bool dev = config.guidanceEmbed;
  const FluxVariantFacts facts = fluxVariantFacts(dev);
  if (source.sidecar.theta) config.theta = *source.sidecar.theta;
  if (source.sidecar.numHeads && *source.sidecar.numHeads != config.heads)
    throw GenerationError(Code::ModelLoad, modelPath.string() + ": the sidecar says " +
                                               std::to_string(*source.sidecar.numHeads) +
                                               " heads, the weights have " +
                                               std::to_string(config.heads));
  config.validate();
  // A part not given as its own file is bundled in the (safetensors) model file.
  auto partFile = [&](const SafetensorsFile* own) -> const SafetensorsFile& {
    if (own) return *own;
    if (!source.file)
      throw GenerationError(Code::ModelLoad,
                            modelPath.string() + ": a GGUF transformer bundles no parts");
    return *source.file;
  };
  const SafetensorsFile& t5File = partFile(source.t5);
  const SafetensorsFile& clipFile = partFile(source.clipL);
  const SafetensorsFile& vaeFile = partFile(source.vae);
  const std::string t5At = t5Prefix(t5File), vaeAt = vaePrefix(vaeFile);
  const auto vocab = findClipVocab(source.vocabDirs);
  if (!vocab) {
    std::string looked;
    for (const auto& d : source.vocabDirs) looked += "\n  " + d.string();
    throw GenerationError(Code::ModelLoad,
                          "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or vocab.json + "
                          "merges.txt) not found; looked in:" +
                              looked + "\nSet LIENZO_CLIP_VOCAB to the file.");
  }
  // Text encoders run once per prompt: CLIP-L in float32 on the CPU (as for SD), in the compute
  // dtype on CUDA. T5 is float32 or bfloat16 only (float16 overflows in it), and T5-XXL is 4.8 B
  // parameters (19 GB in float32): it follows a half-precision compute dtype as bfloat16, also
  // on the CPU.
  const auto clipDType = device.is_cuda() ? dtype : c10::ScalarType(at::kFloat);
  const auto t5DType = dtype == at::kFloat ? c10::ScalarType(at::kFloat) : at::kBFloat16;
  {
    // The memory plan (memory_plan.h), from the headers: nothing has been allocated yet.
    MemoryPlan plan;
    plan.model = modelPath.filename().string();
    const bool gpu = device.is_cuda();
    const std::size_t elem = c10::elementSize(dtype);
    plan.add("Flux transformer",
             source.gguf ? ggufDitResidentBytes(*source.gguf, dtype)
                         : loadedWeightBytes(*source.file, source.prefix, elem),
             MemoryPhase::Always, gpu);
    plan.add("T5-XXL", loadedWeightBytes(t5File, t5At, c10::elementSize(t5DType)),
             MemoryPhase::Always, gpu);
    plan.add("CLIP-L",
             loadedWeightBytes(clipFile, clipLPrefix(clipFile), c10::elementSize(clipDType)),
             MemoryPhase::Always, gpu);
    plan.add("autoencoder", loadedWeightBytes(vaeFile, vaeAt, elem), MemoryPhase::Always, gpu);
    // One step at the default 1024²: 4096 image tokens and the T5 tokens, batch 1 (CFG 1).
    plan.add("step activations at 1024²",
             transformerStepBytes(1, 4096 + facts.t5Length, config.hidden, config.heads, elem),
             MemoryPhase::Denoising, gpu);
    // Only host RAM is known here (memory_plan.h); an accelerator OOM is caught at sampling.
    checkMemoryPlan(plan, gpu ? std::nullopt : source.hostMemory);
  }
  auto t5Tokenizer = std::make_shared<const T5Tokenizer>(T5Tokenizer::fromFile(source.t5Tokenizer));
  T5Encoder t5 = loadT5Encoder(t5File, t5At, t5DType, device);
  ClipTextModel clip = loadClipL(clipFile, source.sidecar, clipDType, device);

  Flux flux{nullptr};
  if (source.gguf) {
    flux = loadFluxGguf(*source.gguf, dtype, device, GgufWeightMode::KeepPacked, config.axesDim);
  } else {
    flux = Flux(config);
    loadModuleWeights(*flux, *source.file, source.prefix, dtype, device);
  }
  bundle.weights = nullptr;  // LoRA-family adapters for Flux are not wired (network_stage.h)
  bundle.diffusion = std::make_shared<FluxDiffusionModel>(std::move(flux), dtype, device);
  bundle.schedule =
      std::make_shared<FlowNoiseSchedule>(FlowSchedule::flux(/*shift=*/facts.resolutionShift));
  bundle.vae = loadAutoencoderKlCodec(vaeFile, vaeAt, LatentFormat::Flux, dtype, device);
  bundle.text = std::make_shared<FluxTextConditioner>(
      std::move(t5Tokenizer), std::move(t5), facts.t5Length,
      std::make_shared<const ClipTokenizer>(ClipTokenizer::fromPath(*vocab)), std::move(clip),
      dtype, device);
  describeFlux(bundle.description, dev);
#endif
}

// ---- part discovery ----------------------------------------------------------------------------
namespace {

/// The parts of the Flux model at `path` (`file`: the safetensors model, null for a GGUF one,
/// which bundles nothing), then buildFluxBundle.
void loadWithParts(ModelBundle& bundle, const fs::path& path, FluxModelSource& source,
                   const LoadOptions& options, c10::ScalarType dtype, c10::Device device) {
  const SafetensorsFile* file = source.file;
  bundle.description.name = path.stem().string();
  // Each part: the option, else bundled, else found around the model (model_parts.h).
  const ModelParts& parts = options.parts;
  auto bundles = [&](const std::string& key) { return file && file->contains(key); };
  auto resolve = [&](ModelPart part, bool bundled) -> std::optional<fs::path> {
    if (!givenModelPart(parts, part).empty() || !bundled)
      return findModelPart(path, parts, part, ModelFamily::Flux);
    return std::nullopt;
  };
  const auto t5Path = resolve(
      ModelPart::T5, bundles(std::string(kT5BundledPrefix) + "encoder.final_layer_norm.weight"));
  const auto clipPath = resolve(
      ModelPart::ClipL, bundles(std::string(kFluxBundledClipLPrefix) + "final_layer_norm.weight"));
  const auto vaePath = resolve(
      ModelPart::Vae, bundles(std::string(kFluxBundledVaePrefix) + "decoder.conv_in.weight"));
  source.t5Tokenizer = findT5Spiece(path, t5Path.value_or(fs::path()));
  source.hostMemory = plannableHostMemory(options);

  std::optional<SafetensorsFile> t5, clip, vae;
  if (t5Path) t5 = SafetensorsFile::open(*t5Path);
  if (clipPath) clip = SafetensorsFile::open(*clipPath);
  if (vaePath) vae = SafetensorsFile::open(*vaePath);
  source.t5 = t5 ? &*t5 : nullptr;
  source.clipL = clip ? &*clip : nullptr;
  source.vae = vae ? &*vae : nullptr;
  source.vocabDirs = clipVocabSearchDirs(path);
  if (clipPath)  // the CLIP file's own folder (and its tokenizer/) too
    for (const auto& d : clipVocabSearchDirs(*clipPath)) source.vocabDirs.push_back(d);
  buildFluxBundle(bundle, source, dtype, device);
}

}  // namespace

void loadFluxModel(ModelBundle& bundle, const std::filesystem::path& path,
                   const SafetensorsFile& file, const LoadOptions& options, c10::ScalarType dtype,
                   c10::Device device) {
  const auto prefix = findFluxPrefix(file);
  if (!prefix)
    throw GenerationError(GenerationError::Code::ModelLoad,
                          path.string() + ": no Flux transformer in it (double_blocks.0 / img_in)");
  FluxModelSource source;
  source.file = &file;
  source.prefix = *prefix;
  source.sidecar = readFluxSidecar(path, fluxIsDev(file, *prefix));
  loadWithParts(bundle, path, source, options, dtype, device);
}

bool fluxGgufIsDev(const GgufWeights& gguf) {
  return gguf.contains(gguf.file().modelPrefix() + "guidance_in.in_layer.weight");
}

void loadFluxModel(ModelBundle& bundle, const std::filesystem::path& path, const GgufWeights& gguf,
                   const LoadOptions& options, c10::ScalarType dtype, c10::Device device) {
  FluxModelSource source;
  source.gguf = &gguf;
  source.sidecar = readFluxSidecar(path, fluxGgufIsDev(gguf));
  loadWithParts(bundle, path, source, options, dtype, device);
}

}  // namespace lienzo
