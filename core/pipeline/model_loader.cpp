// Loading a checkpoint or diffusers folder into a ModelBundle (model_loader.h): one path per
// family kind (single-file SD, diffusers folder, the built-in model); the family's facts come
// from family_facts.h.
#include "core/pipeline/model_loader.h"

#include "core/io/diffusers_folder.h"
#include "core/io/safetensors.h"
#include "core/io/sha256.h"
#include "core/pipeline/builtin_model.h"  // built-in model branch (trainer area)
#include "core/pipeline/diffusers_config.h"
#include "core/pipeline/family_facts.h"
#include "core/pipeline/model_bundle.h"

#include <ATen/ATen.h>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

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

/// Throws UnsupportedModel unless `info` is a family and U-Net Lienzo runs (SD1/SD2/SDXL base,
/// 4 input channels, or 9 for inpainting). `what` names the model in the message.
void checkSupported(const std::string& what, const CheckpointInfo& info) {
  if (info.family != ModelFamily::SD1 && info.family != ModelFamily::SD2 &&
      info.family != ModelFamily::SDXL)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": " + familyName(info.family) +
                              " models are not supported; Lienzo runs SD 1.x, SD 2.x and SDXL "
                              "base (found: " +
                              partList(info) + ")");
  // 4: txt2img models; 9: inpainting models ([x | mask | masked-image latent], edit_stage.h).
  if (info.unetInChannels != 4 && info.unetInChannels != 9)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": U-Net with " + std::to_string(info.unetInChannels) +
                              " input channels (instruct-pix2pix models) is not supported");
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
  const FamilyFacts facts = familyFacts(info.family, overrides.prediction, overrides.scaleFactor);
  bundle.prediction = facts.prediction;
  bundle.latentScaling.scale = facts.scaleFactor;
  bundle.latentFormat = facts.latentFormat;

  UNetConfig unetConfig = UNetConfig::fromWeights(file, "model.diffusion_model.");
  if (overrides.unetNumHeadChannels) {
    unetConfig.numHeadChannels = *overrides.unetNumHeadChannels;
  } else if (overrides.unetNumHeads) {
    unetConfig.numHeads = *overrides.unetNumHeads;
    unetConfig.numHeadChannels = -1;
  }
  bundle.unet = UNet(unetConfig);
  loadModuleWeights(*bundle.unet, file, "model.diffusion_model.", dtype, device);
  bundle.latentChannels = unetConfig.outChannels;  // inpainting U-Nets take 5 more inputs

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
  d.defaultWidth = d.defaultHeight = familyFacts(info.family, bundle.prediction).defaultSize;
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
    std::optional<Prediction> prediction;  // what a sidecar / scheduler config states
    if (std::filesystem::is_directory(path)) {
      const DiffusersFolder folder = openDiffusersFolder(path);
      info = identifyDiffusersFolder(folder);
      prediction = diffusersOverrides(folder).prediction;
      d.defaultSampler = kModelSchedulerName;
    } else {
      refuseUnsafeFormats(path);
      const SafetensorsFile file = SafetensorsFile::open(path);
      info = identifyCheckpoint(file);
      if (info.family == ModelFamily::LienzoBuiltin) {
        describeBuiltinDefaults(d, readBuiltinConfig(file));
      } else {
        prediction = readSidecarConfig(path).prediction;
      }
    }
    d.family = familyName(info.family);
    for (const auto& p : info.parts) d.parts.push_back(p.name);
    if (info.family == ModelFamily::SD1 || info.family == ModelFamily::SD2 ||
        info.family == ModelFamily::SDXL)
      d.defaultWidth = d.defaultHeight = familyFacts(info.family, prediction).defaultSize;
  } catch (const GenerationError&) {
    throw;
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, path.string() + ": " + e.what());
  }
  return d;
}

const char* computeDTypeName(ComputeDType dtype) {
  switch (dtype) {
    case ComputeDType::F32:
      return "f32";
    case ComputeDType::BF16:
      return "bf16";
    case ComputeDType::F16:
      return "f16";
    case ComputeDType::Auto:
      break;
  }
  return "auto";
}

const ModelDescription& describe(const ModelBundle& bundle) {
  return bundle.description;
}

}  // namespace lienzo
