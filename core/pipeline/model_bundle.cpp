// Loading a checkpoint into a ModelBundle (see model_bundle.h).
#include "core/pipeline/model_bundle.h"

#include "core/io/diffusers_folder.h"
#include "core/io/safetensors.h"
#include "core/io/sha256.h"
#include "core/pipeline/builtin_model.h"  // built-in model branch (trainer area)
#include "core/pipeline/diffusers_config.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

std::optional<int64_t> positiveInt(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_integer()) return std::nullopt;
  const int64_t v = obj[key].get<int64_t>();
  return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

std::optional<int64_t> textHeads(const nlohmann::json& te) {
  if (auto h = positiveInt(te, "num_attention_heads")) return h;
  return positiveInt(te, "heads");
}

c10::ScalarType resolveDType(ComputeDType dtype, const c10::Device& device) {
  switch (dtype) {
    case ComputeDType::F32:
      return c10::kFloat;
    case ComputeDType::BF16:
      return c10::kBFloat16;
    // libtorch's CPU build has no Half kernels for conv/matmul/softmax: half weights on the CPU
    // compute in float32 (exact for F16-stored checkpoints).
    case ComputeDType::F16:
      return device.is_cuda() ? c10::kHalf : c10::kFloat;
    case ComputeDType::Auto:
      break;
  }
  return device.is_cuda() ? c10::kHalf : c10::kFloat;
}

c10::Device parseDevice(const std::string& name) {
  try {
    c10::Device device(name.empty() ? std::string("cpu") : name);
    if (device.is_cuda() && !at::hasCUDA())
      throw GenerationError(Code::InvalidParams,
                            "device '" + name + "' requested but this build/machine has no CUDA");
    return device;
  } catch (const c10::Error&) {
    throw GenerationError(Code::InvalidParams, "unknown device '" + name + "' (use cpu or cuda)");
  }
}

std::string partList(const CheckpointInfo& info) {
  std::string s;
  for (const auto& p : info.parts) s += (s.empty() ? "" : ", ") + p.name;
  return s.empty() ? std::string("no known parts") : s;
}

}  // namespace

ModelOverrides readSidecarConfig(const std::filesystem::path& checkpoint) {
  ModelOverrides out;
  auto sidecar = checkpoint;
  sidecar.replace_extension(".config.json");
  if (!std::filesystem::exists(sidecar)) return out;
  nlohmann::json cfg;
  try {
    std::ifstream in(sidecar);
    cfg = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, sidecar.string() + ": not valid JSON: " + e.what());
  }
  if (cfg.contains("parameterization") && cfg["parameterization"].is_string()) {
    const auto p = cfg["parameterization"].get<std::string>();
    if (p == "eps" || p == "epsilon")
      out.prediction = Prediction::Epsilon;
    else if (p == "v" || p == "v_prediction")
      out.prediction = Prediction::V;
    else
      throw GenerationError(Code::ModelLoad,
                            sidecar.string() + ": unknown parameterization '" + p + "'");
  }
  if (cfg.contains("scale_factor") && cfg["scale_factor"].is_number())
    out.scaleFactor = cfg["scale_factor"].get<double>();
  if (cfg.contains("unet")) {
    out.unetNumHeads = positiveInt(cfg["unet"], "num_heads");
    out.unetNumHeadChannels = positiveInt(cfg["unet"], "num_head_channels");
  }
  if (cfg.contains("text_encoder")) out.textHeads = textHeads(cfg["text_encoder"]);
  if (cfg.contains("conditioner") && cfg["conditioner"].is_object()) {
    const auto& c = cfg["conditioner"];
    if (c.contains("embedders.0")) out.textHeads = textHeads(c["embedders.0"]);
    if (c.contains("embedders.1")) out.text2Heads = textHeads(c["embedders.1"]);
  }
  return out;
}

std::vector<std::filesystem::path> clipVocabSearchDirs(const std::filesystem::path& checkpoint) {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("LIENZO_CLIP_VOCAB"); env && *env) {
    const std::filesystem::path p(env);
    dirs.push_back(std::filesystem::is_directory(p) ? p : p.parent_path());
  }
  const auto dir = std::filesystem::absolute(checkpoint).parent_path();
  dirs.push_back(dir);
  dirs.push_back(dir / "tokenizer");
  dirs.push_back(dir.parent_path());
  dirs.push_back(dir.parent_path() / "clip");
#ifdef LIENZO_DATA_DIR
  dirs.push_back(std::filesystem::path(LIENZO_DATA_DIR) / "clip");
#endif
  return dirs;
}

namespace {

/// Throws UnsupportedModel unless `info` is a family and U-Net Lienzo runs (SD1/SD2/SDXL base,
/// 4 input channels). `what` names the model in the message.
void checkSupported(const std::string& what, const CheckpointInfo& info) {
  if (info.family != ModelFamily::SD1 && info.family != ModelFamily::SD2 &&
      info.family != ModelFamily::SDXL)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": " + familyName(info.family) +
                              " models are not supported; Lienzo runs SD 1.x, SD 2.x and SDXL "
                              "base (found: " +
                              partList(info) + ")");
  if (info.unetInChannels != 4)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": U-Net with " + std::to_string(info.unetInChannels) +
                              " input channels (inpainting/instruct models) is not supported");
}

/// Networks, schedule and latent facts of an SD1/SD2/SDXL file in the original layout.
void loadOriginalLayout(ModelBundle& bundle, const SafetensorsFile& file,
                        const CheckpointInfo& info, const ModelOverrides& overrides,
                        const LoadOptions& options) {
  bundle.family = info.family;
  bundle.device = parseDevice(options.device);
  bundle.dtype = resolveDType(options.dtype, bundle.device);
  const auto dtype = bundle.dtype;
  const auto device = bundle.device;

  // Schedule: the checkpoint's own table when it has one (CompVis stores it), else SD's.
  bundle.schedule =
      file.contains("alphas_cumprod")
          ? DiscreteSchedule::fromAlphasCumprod(file.load("alphas_cumprod", at::kFloat))
          : DiscreteSchedule::scaledLinear();
  bundle.prediction = overrides.prediction.value_or(
      info.family == ModelFamily::SD2 ? Prediction::V : Prediction::Epsilon);
  const bool xl = info.family == ModelFamily::SDXL;
  bundle.latentScaling.scale = overrides.scaleFactor.value_or(xl ? 0.13025 : 0.18215);
  bundle.latentFormat = xl ? LatentFormat::SDXL : LatentFormat::SD15;

  UNetConfig unetConfig = UNetConfig::fromWeights(file, "model.diffusion_model.");
  if (overrides.unetNumHeadChannels) {
    unetConfig.numHeadChannels = *overrides.unetNumHeadChannels;
  } else if (overrides.unetNumHeads) {
    unetConfig.numHeads = *overrides.unetNumHeads;
    unetConfig.numHeadChannels = -1;
  }
  bundle.unet = UNet(unetConfig);
  loadModuleWeights(*bundle.unet, file, "model.diffusion_model.", dtype, device);
  bundle.latentChannels = unetConfig.inChannels;

  // Text encoders run once per prompt: float32 on the CPU even when the U-Net runs in BF16
  // (their BF16 error is 1-2%, for no measurable speed gain).
  const auto textDType = device.is_cuda() ? dtype : c10::kFloat;
  switch (info.family) {
    case ModelFamily::SD1: {
      // Some early SD1 checkpoints lack the `text_model.` level of the HF layout.
      const std::string prefix =
          file.contains("cond_stage_model.transformer.text_model.final_layer_norm.weight")
              ? "cond_stage_model.transformer.text_model."
              : "cond_stage_model.transformer.";
      bundle.clip = loadClipTextModel(file, prefix, textDType, device, overrides.textHeads);
      break;
    }
    case ModelFamily::SD2:
      bundle.openClip = loadOpenClipTextModel(file, "cond_stage_model.model.", textDType, device,
                                              overrides.textHeads);
      break;
    default:
      bundle.clip = loadClipTextModel(file, "conditioner.embedders.0.transformer.text_model.",
                                      textDType, device, overrides.textHeads);
      bundle.openClip = loadOpenClipTextModel(file, "conditioner.embedders.1.model.", textDType,
                                              device, overrides.text2Heads);
      break;
  }
  if (info.hasPart("vae")) {
    bundle.vae = loadAutoencoderKL(file, "first_stage_model.", dtype, device);
    bundle.vaeFactor = bundle.vae->config().downscaleFactor();
  }
}

void loadTokenizer(ModelBundle& bundle, const std::vector<std::filesystem::path>& dirs) {
  const auto vocab = findClipVocab(dirs);
  if (!vocab) {
    std::string looked;
    for (const auto& d : dirs) looked += "\n  " + d.string();
    throw GenerationError(Code::ModelLoad,
                          "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or vocab.json + "
                          "merges.txt) not found; looked in:" +
                              looked + "\nSet LIENZO_CLIP_VOCAB to the file.");
  }
  bundle.tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromPath(*vocab));
}

void describeLoaded(ModelBundle& bundle, const CheckpointInfo& info, const std::string& name,
                    const std::filesystem::path& path, const std::string& hash) {
  ModelDescription& d = bundle.description;
  d.family = familyName(info.family);
  d.name = name;
  d.path = path;
  d.hash = hash;
  for (const auto& p : info.parts) d.parts.push_back(p.name);
  const bool xl = info.family == ModelFamily::SDXL;
  const int size = xl ? 1024 : (bundle.prediction == Prediction::V ? 768 : 512);
  d.defaultWidth = d.defaultHeight = size;
}

/// A diffusers folder: renamed to the original layout in memory, facts from its JSON files.
void loadDiffusersFolder(ModelBundle& bundle, const std::filesystem::path& path,
                         const LoadOptions& options) {
  const DiffusersFolder folder = openDiffusersFolder(path);
  const CheckpointInfo folderInfo = identifyDiffusersFolder(folder);
  const std::string what =
      path.string() + " (diffusers " +
      (folder.className.empty() ? std::string("folder without _class_name") : folder.className) +
      ")";
  checkSupported(what, folderInfo);
  const SafetensorsFile file = diffusersAsOriginal(folder, folderInfo.family);
  CheckpointInfo info = identifyCheckpoint(file);
  if (info.family != folderInfo.family)
    throw GenerationError(Code::ModelLoad, what + ": the weights look like " +
                                               familyName(info.family) + ", the pipeline like " +
                                               familyName(folderInfo.family));
  const ModelOverrides overrides = diffusersOverrides(folder);
  loadOriginalLayout(bundle, file, info, overrides, options);
  // Ref: diffusers convert_original_stable_diffusion_to_diffusers.py keeps 23 of OpenCLIP-H's 24
  // layers for SD2, and StableDiffusionPipeline conditions on the last of them (+ final LN).
  if (folderInfo.family == ModelFamily::SD2) bundle.textLayersDropped = 1;
  const auto sched = folder.config("scheduler");
  if (!sched.empty()) {
    // Ref: diffusers pipelines build the scheduler from this file; the k-diffusion samplers
    // need its training table, the diffusers-style ones the rest.
    bundle.diffusersScheduler =
        parseSchedulerConfig(sched, (path / "scheduler" / "scheduler_config.json").string());
    bundle.diffusersSchedulerClass = sched.value("_class_name", std::string());
    bundle.schedule = scheduleFromConfig(*bundle.diffusersScheduler);
    bundle.description.defaultSampler = kModelSchedulerName;  // as diffusers would sample it
  }
  // The folder's own tokenizer/ first (vocab.json + merges.txt), then the usual places.
  std::vector<std::filesystem::path> dirs{path / "tokenizer"};
  for (const auto& d : clipVocabSearchDirs(path / "model_index.json")) dirs.push_back(d);
  loadTokenizer(bundle, dirs);
  const std::string hash = options.computeHash && folder.has("unet")
                               ? sha256FileHex(folder.weights.at("unet")).substr(0, 10)
                               : std::string();
  info.parts = folderInfo.parts;  // report the folder's components
  auto name = std::filesystem::absolute(path).lexically_normal();
  if (name.filename().empty()) name = name.parent_path();  // "folder/"
  describeLoaded(bundle, info, name.filename().string(), path, hash);
}

}  // namespace

std::shared_ptr<const ModelBundle> loadModelBundle(const std::filesystem::path& path,
                                                   const LoadOptions& options) {
  auto bundle = std::make_shared<ModelBundle>();
  try {
    if (std::filesystem::is_directory(path)) {
      if (!isDiffusersFolder(path))
        throw GenerationError(
            Code::UnsupportedModel,
            path.string() + ": a folder without model_index.json is not a diffusers model");
      loadDiffusersFolder(*bundle, path, options);
      return bundle;
    }
    refuseUnsafeFormats(path);
    const SafetensorsFile file = SafetensorsFile::open(path);
    const CheckpointInfo info = identifyCheckpoint(file);
    bundle->family = info.family;
    // Lienzo's own model: everything (config, tokenizer, schedule) comes from its metadata.
    if (info.family == ModelFamily::LienzoBuiltin) {
      bundle->device = parseDevice(options.device);
      loadBuiltinParts(*bundle, file, resolveDType(options.dtype, bundle->device), bundle->device);
      ModelDescription& d = bundle->description;
      d.family = familyName(info.family);
      d.name = path.stem().string();
      d.path = path;
      d.hash = options.computeHash ? sha256FileHex(path).substr(0, 10) : std::string();
      d.parts = {"unet", "vae", "text_encoder"};
      return bundle;
    }
    checkSupported(path.string(), info);
    loadOriginalLayout(*bundle, file, info, readSidecarConfig(path), options);
    loadTokenizer(*bundle, clipVocabSearchDirs(path));
    describeLoaded(*bundle, info, path.stem().string(), path,
                   options.computeHash ? sha256FileHex(path).substr(0, 10) : std::string());
  } catch (const GenerationError&) {
    throw;
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, e.what());
  }
  return bundle;
}

ModelDescription describeModelFile(const std::filesystem::path& path) {
  ModelDescription d;
  d.name = path.stem().string();
  d.path = path;
  try {
    CheckpointInfo info;
    if (std::filesystem::is_directory(path)) {
      info = identifyDiffusersFolder(openDiffusersFolder(path));
      d.defaultSampler = kModelSchedulerName;
    } else {
      refuseUnsafeFormats(path);
      const SafetensorsFile file = SafetensorsFile::open(path);
      info = identifyCheckpoint(file);
      if (info.family == ModelFamily::LienzoBuiltin) {
        describeBuiltinDefaults(d, readBuiltinConfig(file));
      }
    }
    d.family = familyName(info.family);
    for (const auto& p : info.parts) d.parts.push_back(p.name);
    if (info.family == ModelFamily::SDXL) d.defaultWidth = d.defaultHeight = 1024;
  } catch (const GenerationError&) {
    throw;
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, path.string() + ": " + e.what());
  }
  return d;
}

const ModelDescription& describe(const ModelBundle& bundle) {
  return bundle.description;
}

}  // namespace lienzo
