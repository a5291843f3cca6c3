// The SD3 / SD3.5 factory (sd3_factory.h).
#include "core/pipeline/sd3_factory.h"

#include "core/model/dit_gguf.h"
#include "core/pipeline/memory_plan.h"

#include "core/pipeline/mmdit_diffusion_model.h"
#include "core/pipeline/model_parts.h"
#include "core/pipeline/sd3_text_conditioner.h"
#include "core/pipeline/sd_factory.h"
#include "core/text/t5_encoder.h"
#ifdef LIENZO_HAVE_SENTENCEPIECE
#include "core/text/t5_tokenizer.h"
#endif

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

namespace lienzo {
namespace {

using Code = GenerationError::Code;
namespace fs = std::filesystem;

// Ref: all-in-one SD3.5 files (ComfyUI's sd3.5_*_incl_clips_t5xxlfp8scaled) and sd3.5
// sd3_infer.py load_into: the text encoders under `text_encoders.<name>.transformer.`.
constexpr const char* kClipLRoot = "text_encoders.clip_l.transformer.";
constexpr const char* kClipGRoot = "text_encoders.clip_g.transformer.";
constexpr const char* kVaePrefix = "first_stage_model.";

/// One part to load: a file (the checkpoint or a separate one) and the key prefix inside it.
struct PartSource {
  std::shared_ptr<const SafetensorsFile> file;  ///< null: the checkpoint itself
  std::string prefix;
  fs::path path;  ///< the separate file, empty when bundled
  bool bundled() const { return path.empty(); }
};

std::optional<int64_t> positiveInt(const nlohmann::json& obj, const char* a, const char* b) {
  if (!obj.contains(a) || !obj[a].is_object() || !obj[a].contains(b)) return std::nullopt;
  const auto& v = obj[a][b];
  if (!v.is_number_integer() || v.get<int64_t>() < 1) return std::nullopt;
  return v.get<int64_t>();
}

/// The root of a CLIP text model in `file`: "" (HF names), else the bundled names.
std::string clipRoot(const SafetensorsFile& file, const std::string& bundledRoot) {
  if (file.contains("text_model.final_layer_norm.weight")) return "";
  return file.contains(bundledRoot + "text_model.final_layer_norm.weight") ? bundledRoot : "";
}

/// The part `name` of the checkpoint or of a separate file: given > bundled > found around.
PartSource resolvePart(const Sd3ModelSource& source, ModelPart part, const std::string& name,
                       const std::string& bundledPrefix) {
  PartSource out;
  const bool given = !givenModelPart(source.parts, part).empty();
  if (!given && source.file && sd3Bundles(*source.file, name)) {
    out.prefix = bundledPrefix;
    return out;
  }
  out.path = findModelPart(source.path, source.parts, part, ModelFamily::SD3);
  out.file = std::make_shared<const SafetensorsFile>(SafetensorsFile::open(out.path));
  switch (part) {
    case ModelPart::ClipL:
    case ModelPart::ClipG:
      out.prefix = clipRoot(*out.file, bundledPrefix);
      break;
    case ModelPart::T5:
      out.prefix =
          out.file->contains(std::string(kT5BundledPrefix) + "encoder.final_layer_norm.weight")
              ? kT5BundledPrefix
              : "";
      break;
    case ModelPart::Vae:
      out.prefix =
          out.file->contains(std::string(kVaePrefix) + "decoder.conv_in.weight") ? kVaePrefix : "";
      break;
  }
  return out;
}

std::string describePart(const std::string& name, const PartSource& p) {
  return name + (p.bundled() ? std::string(" (bundled)") : ": " + p.path.string());
}

/// The T5 closure of the conditioner: SD3.5 reference layout (≥ 77 tokens), no attention mask.
Sd3T5Fn makeT5Fn(const SafetensorsFile& file, const PartSource& part, const fs::path& spiece,
                 c10::ScalarType dtype, c10::Device device) {
#ifdef LIENZO_HAVE_SENTENCEPIECE
  auto tokenizer = std::make_shared<const T5Tokenizer>(T5Tokenizer::fromFile(spiece));
  auto encoder = std::make_shared<T5Encoder>(loadT5Encoder(file, part.prefix, dtype, device));
  return [tokenizer, encoder, device](const std::string& prompt) {
    // Ref: sd3.5 other_impls.py SD3Tokenizer (T5XXLTokenizer min_length 77), T5XXLModel.
    const T5TokenLayout layout = tokenizer->sd35Reference(prompt);
    const at::Tensor ids = at::tensor(layout.ids, at::kLong).unsqueeze(0).to(device);  // [1,L]
    return (*encoder)->encode(ids);  // [1, L, W_t5]
  };
#else
  (void)file, (void)part, (void)spiece, (void)dtype, (void)device;
  throw GenerationError(Code::UnsupportedModel, "unreachable: SD3 without SentencePiece");
#endif
}

}  // namespace

Sd3Overrides readSd3Sidecar(const fs::path& checkpoint) {
  Sd3Overrides out;
  const fs::path sidecar = sidecarPath(checkpoint);
  const auto json = readSidecarJson(checkpoint);
  if (!json || !json->is_object()) return out;
  const nlohmann::json& cfg = *json;
  if (cfg.contains("shift")) {
    if (!cfg["shift"].is_number() || !(cfg["shift"].get<double>() > 0.0))
      throw GenerationError(Code::ModelLoad,
                            sidecar.string() + ": \"shift\" must be a positive number");
    out.shift = cfg["shift"].get<double>();
  }
  out.clipLHeads = positiveInt(cfg, "clip_l", "num_attention_heads");
  out.clipGHeads = positiveInt(cfg, "clip_g", "num_attention_heads");
  return out;
}

void describeSd3Defaults(ModelDescription& d) {
  d.family = familyName(ModelFamily::SD3);
  d.defaultWidth = d.defaultHeight = 1024;
  // Ref: sd3.5 sd3_infer.py CONFIGS (SD3.5 Large: 40 steps, CFG 4.5; ComfyUI's SD3.5 example
  // workflows: 28 steps), Euler as the fixtures' sampler.
  d.defaultSteps = 28;
  d.defaultCfg = 4.5;
  d.defaultSampler = "Euler";
  d.flowShift = kSd3DefaultShift;  // the infotext's "Shift" (the loader sets a sidecar's value)
}

std::vector<std::string> describeSd3Parts(const SafetensorsFile& file, const fs::path& path,
                                          const ModelParts& given) {
  std::vector<std::string> out{"mmdit"};
  const std::pair<ModelPart, const char*> parts[] = {{ModelPart::Vae, "vae"},
                                                     {ModelPart::ClipL, "clip_l"},
                                                     {ModelPart::ClipG, "clip_g"},
                                                     {ModelPart::T5, "t5xxl"}};
  for (const auto& [part, name] : parts) {
    const bool isGiven = !givenModelPart(given, part).empty();
    if (!isGiven && sd3Bundles(file, name)) {
      out.push_back(std::string(name) + " (bundled)");
      continue;
    }
    std::optional<fs::path> found;
    try {
      found = locateModelPart(path, given, part, ModelFamily::SD3);
    } catch (const GenerationError&) {
      // A given path that is not a file: reported as not found.
    }
    out.push_back(std::string(name) +
                  (found ? ": " + found->string()
                         : std::string(": not found (give ") + modelPartFlag(part) + " FILE)"));
  }
  return out;
}

bool sd3Bundles(const SafetensorsFile& file, const std::string& part) {
  if (part == "clip_l")
    return file.contains(std::string(kClipLRoot) + "text_model.final_layer_norm.weight");
  if (part == "clip_g")
    return file.contains(std::string(kClipGRoot) + "text_model.final_layer_norm.weight");
  if (part == "t5xxl")
    return file.contains(std::string(kT5BundledPrefix) + "encoder.final_layer_norm.weight");
  if (part == "vae") return file.contains(std::string(kVaePrefix) + "decoder.conv_in.weight");
  return false;
}

std::pair<c10::ScalarType, c10::Device> sd3T5Placement(c10::ScalarType dtype, c10::Device device) {
  // T5 v1.1 overflows float16 (t5_encoder.h checkT5ComputeDType): bfloat16 instead. The memory
  // plan may move it to the CPU while the MMDiT is on CUDA; it runs once per prompt.
  return {dtype == at::kHalf ? at::kBFloat16 : dtype, device};
}

std::vector<std::string> buildSd3Bundle(ModelBundle& bundle, const Sd3ModelSource& source,
                                        c10::ScalarType dtype, c10::Device device) {
#ifndef LIENZO_HAVE_SENTENCEPIECE
  throw GenerationError(Code::UnsupportedModel,
                        source.path.string() +
                            ": SD3 / SD3.5 models need the SentencePiece T5 tokenizer, and this "
                            "build of Lienzo has no SentencePiece (LIENZO_WITH_SENTENCEPIECE off)");
#endif
  // 1. The transformer's shapes, then where every part is (headers only: nothing is read yet).
  std::string mmditPrefix;
  MmditConfig config;
  try {
    if (source.gguf) {
      config = mmditConfigFromGguf(*source.gguf);
    } else {
      const std::optional<std::string> prefix = findMmditPrefix(*source.file);
      if (!prefix) throw std::invalid_argument("no MMDiT (x_embedder / joint_blocks) found");
      mmditPrefix = *prefix;
      config = MmditConfig::fromWeights(*source.file, *prefix);
    }
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, source.path.string() +
                                               ": an SD3 (MMDiT) checkpoint whose transformer "
                                               "cannot be read: " +
                                               e.what());
  }
  const PartSource clipL = resolvePart(source, ModelPart::ClipL, "clip_l", kClipLRoot);
  const PartSource clipG = resolvePart(source, ModelPart::ClipG, "clip_g", kClipGRoot);
  const PartSource t5 = resolvePart(source, ModelPart::T5, "t5xxl", kT5BundledPrefix);
  const PartSource vae = resolvePart(source, ModelPart::Vae, "vae", kVaePrefix);
  const fs::path spiece = findT5Spiece(source.path, t5.path);
  // A part without a file of its own is bundled in the (safetensors) checkpoint (resolvePart).
  auto fileOf = [&](const PartSource& p) -> const SafetensorsFile& {
    return p.file ? *p.file : *source.file;
  };

  // 2. The memory plan (memory_plan.h): every file and prefix is known and no weight has been
  // read. Refused here, with the estimate, when the parts cannot fit.
  // Text encoders run once per prompt: float32 on the CPU (as the SD factory does).
  const c10::ScalarType clipDType = device.is_cuda() ? dtype : at::kFloat;
  const auto [t5DType, t5Device] = sd3T5Placement(dtype, device);
  {
    MemoryPlan plan;
    plan.model = source.path.filename().string();
    const bool gpu = device.is_cuda();
    const std::size_t elem = c10::elementSize(dtype);
    plan.add("MMDiT",
             source.gguf ? ggufDitResidentBytes(*source.gguf, dtype)
                         : loadedWeightBytes(*source.file, mmditPrefix, elem),
             MemoryPhase::Always, gpu);
    plan.add("VAE", loadedWeightBytes(fileOf(vae), vae.prefix, elem), MemoryPhase::Always, gpu);
    const std::size_t clipElem = c10::elementSize(clipDType);
    plan.add("CLIP-L", loadedWeightBytes(fileOf(clipL), clipL.prefix, clipElem),
             MemoryPhase::Always, gpu);
    plan.add("CLIP-G", loadedWeightBytes(fileOf(clipG), clipG.prefix, clipElem),
             MemoryPhase::Always, gpu);
    plan.add("T5-XXL", loadedWeightBytes(fileOf(t5), t5.prefix, c10::elementSize(t5DType)),
             MemoryPhase::Always, t5Device.is_cuda());
    // One CFG step at the family's default 1024² (4096 image tokens + 77 CLIP + 77 T5 tokens);
    // larger pictures are checked again when they are asked for (pipeline.cpp).
    plan.add("step activations at 1024²",
             transformerStepBytes(2, 4096 + 154, config.hiddenSize, config.heads, elem),
             MemoryPhase::Denoising, gpu);
    // The accelerator's free memory is not known here (a CPU build of libtorch has no CUDA
    // API): only host RAM is checked; an accelerator OOM is caught at sampling (model_calls).
    checkMemoryPlan(plan, gpu ? std::nullopt : source.hostMemory);
  }

  // 3. The weights.
  bundle.family = ModelFamily::SD3;
  bundle.dtype = dtype;
  bundle.device = device;
  const double shift = source.overrides.shift.value_or(kSd3DefaultShift);
  bundle.schedule = std::make_shared<FlowNoiseSchedule>(FlowSchedule::sd3(shift));
  if (source.gguf)
    bundle.diffusion = std::make_shared<MmditDiffusionModel>(
        loadMmditGguf(*source.gguf, dtype, device, GgufWeightMode::KeepPacked), dtype, device);
  else
    bundle.diffusion = loadMmditDiffusionModel(*source.file, dtype, device);
  bundle.vae = loadAutoencoderKlCodec(fileOf(vae), vae.prefix, LatentFormat::SD3, dtype, device);
  Sd3ClipEncoder l = Sd3ClipEncoder::load(fileOf(clipL), clipL.prefix, Sd3ClipRole::ClipL,
                                          clipDType, device, source.overrides.clipLHeads);
  Sd3ClipEncoder g = Sd3ClipEncoder::load(fileOf(clipG), clipG.prefix, Sd3ClipRole::ClipG,
                                          clipDType, device, source.overrides.clipGHeads);
  Sd3T5Fn t5Fn = makeT5Fn(fileOf(t5), t5, spiece, t5DType, t5Device);
  bundle.text =
      std::make_shared<Sd3TextConditioner>(loadClipTokenizer(source.vocabDirs), std::move(l),
                                           std::move(g), std::move(t5Fn), dtype, device);
  return {"mmdit",
          describePart("vae", vae),
          describePart("clip_l", clipL),
          describePart("clip_g", clipG),
          describePart("t5xxl", t5),
          "t5 tokenizer: " + spiece.string()};
}

}  // namespace lienzo
