// Loading a checkpoint or diffusers folder into a ModelBundle (model_loader.h): identify what the
// path holds, then hand it to its family's factory (sd_factory.h for single-file SD and diffusers
// folders, sd3_factory.h for SD3 / SD3.5 single files, builtin_model.h for the built-in model);
// the family's facts come from family_facts.h (SD), sd3_factory.h (SD3).
#include "core/pipeline/model_loader.h"

#include "core/io/diffusers_folder.h"
#include "core/io/gguf_weights.h"
#include "core/io/safetensors.h"
#include "core/io/sha256.h"
#include "core/model/dit_gguf.h"
#include "core/pipeline/builtin_model.h"  // built-in model branch (trainer area)
#include "core/pipeline/diffusers_config.h"
#include "core/pipeline/family_facts.h"
#include "core/pipeline/flux_factory.h"
#include "core/pipeline/memory_plan.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/sd3_factory.h"
#include "core/pipeline/sd_factory.h"

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

/// Whether single files of `family` load through a factory of their own (not the U-Net's).
bool ownFactory(ModelFamily family) {
  return family == ModelFamily::SD3 || family == ModelFamily::Flux;
}

/// Throws UnsupportedModel unless `info` is a family and U-Net Lienzo runs (SD1/SD2/SDXL base,
/// 4 input channels, or 9 for inpainting; single files of the families with their own factory,
/// ownFactory). `what` names the model in the message.
void checkSupported(const std::string& what, const CheckpointInfo& info) {
  if (ownFactory(info.family)) return;
  if (info.family != ModelFamily::SD1 && info.family != ModelFamily::SD2 &&
      info.family != ModelFamily::SDXL)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": " + familyName(info.family) +
                              " models are not supported; Lienzo runs SD 1.x, SD 2.x, SDXL "
                              "base and SD3 / SD3.5 and Flux.1 single files (found: " +
                              partList(info) + ")");
  // 4: txt2img models; 9: inpainting models ([x | mask | masked-image latent], edit_stage.h).
  if (info.unetInChannels != 4 && info.unetInChannels != 9)
    throw GenerationError(Code::UnsupportedModel,
                          what + ": U-Net with " + std::to_string(info.unetInChannels) +
                              " input channels (instruct-pix2pix models) is not supported");
}

void describeLoaded(ModelBundle& bundle, const CheckpointInfo& info, const std::string& name,
                    const std::filesystem::path& path, const std::string& hash) {
  ModelDescription& d = bundle.description;
  d.family = familyName(info.family);
  d.name = name;
  d.path = path;
  d.hash = hash;
  for (const auto& p : info.parts) d.parts.push_back(p.name);
  d.defaultWidth = d.defaultHeight =
      familyFacts(info.family, bundle.schedule->prediction()).defaultSize;
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
  if (ownFactory(folderInfo.family))
    throw GenerationError(Code::UnsupportedModel,
                          what + ": diffusers folders of " + familyName(folderInfo.family) +
                              " are not supported yet; load the single-file checkpoint");
  checkSupported(what, folderInfo);
  const SafetensorsFile file = diffusersAsOriginal(folder, folderInfo.family);
  CheckpointInfo info = identifyCheckpoint(file);
  if (info.family != folderInfo.family)
    throw GenerationError(Code::ModelLoad, what + ": the weights look like " +
                                               familyName(info.family) + ", the pipeline like " +
                                               familyName(folderInfo.family));
  SdModelSource source;
  source.file = &file;
  source.info = info;
  source.overrides = diffusersOverrides(folder);
  // Ref: diffusers convert_original_stable_diffusion_to_diffusers.py keeps 23 of OpenCLIP-H's 24
  // layers for SD2, and StableDiffusionPipeline conditions on the last of them (+ final LN).
  if (folderInfo.family == ModelFamily::SD2) source.textLayersDropped = 1;
  const auto sched = folder.config("scheduler");
  if (!sched.empty()) {
    // Ref: diffusers pipelines build the scheduler from this file; the k-diffusion samplers
    // need its training table, the diffusers-style ones the rest.
    source.scheduler =
        parseSchedulerConfig(sched, (path / "scheduler" / "scheduler_config.json").string());
    source.schedulerClass = sched.value("_class_name", std::string());
    bundle.description.defaultSampler = kModelSchedulerName;  // as diffusers would sample it
  }
  // The folder's own tokenizer/ first (vocab.json + merges.txt), then the usual places.
  source.vocabDirs = {path / "tokenizer"};
  for (const auto& d : clipVocabSearchDirs(path / "model_index.json"))
    source.vocabDirs.push_back(d);
  const c10::Device device = parseDevice(options.device);
  buildSdBundle(bundle, source, resolveDType(options.dtype, device), device);
  const std::string hash = options.computeHash && folder.has("unet")
                               ? sha256FileHex(folder.weights.at("unet")).substr(0, 10)
                               : std::string();
  info.parts = folderInfo.parts;  // report the folder's components
  auto name = std::filesystem::absolute(path).lexically_normal();
  if (name.filename().empty()) name = name.parent_path();  // "folder/"
  describeLoaded(bundle, info, name.filename().string(), path, hash);
}

void loadSd3(ModelBundle& bundle, const SafetensorsFile* file, const GgufWeights* gguf,
             const std::filesystem::path& path, const LoadOptions& options);

/// A GGUF diffusion model (ComfyUI-GGUF, sd.cpp): Flux and SD3 / SD3.5 transformers load with
/// their linear weights packed (flux_factory.h, sd3_factory.h, core/model/dit_gguf.h); other
/// families are refused by name.
void loadGguf(ModelBundle& bundle, const std::filesystem::path& path, const LoadOptions& options) {
  const GgufWeights weights = GgufWeights::open(path);
  const ModelFamily family = ggufDitFamily(weights);
  const c10::Device device = parseDevice(options.device);
  const c10::ScalarType dtype = resolveDType(options.dtype, device);
  if (family == ModelFamily::Flux) {
    loadFluxModel(bundle, path, weights, options, dtype, device);
    bundle.description.path = path;
    bundle.description.hash =
        options.computeHash ? sha256FileHex(path).substr(0, 10) : std::string();
    return;
  }
  if (family == ModelFamily::SD3) {
    loadSd3(bundle, nullptr, &weights, path, options);
    return;
  }
  throw GenerationError(Code::UnsupportedModel,
                        path.string() + ": a GGUF of " +
                            (weights.file().architecture().empty()
                                 ? std::string(familyName(weights.file().family()))
                                 : "architecture \"" + weights.file().architecture() + "\"") +
                            "; Lienzo loads Flux.1 and SD3 / SD3.5 transformers from GGUF");
}

/// SD3 / SD3.5 single files (sd3_factory.h): the parts given, bundled or found around the file.
void loadSd3(ModelBundle& bundle, const SafetensorsFile* file, const GgufWeights* gguf,
             const std::filesystem::path& path, const LoadOptions& options) {
  Sd3ModelSource source;
  source.file = file;
  source.gguf = gguf;
  source.path = path;
  source.parts = options.parts;
  source.overrides = readSd3Sidecar(path);
  source.vocabDirs = clipVocabSearchDirs(path);
  source.hostMemory = plannableHostMemory(options);
  const c10::Device device = parseDevice(options.device);
  // SD3 on the CPU: float32 (F16 has no CPU kernels, resolveDType); BF16 when asked.
  std::vector<std::string> parts =
      buildSd3Bundle(bundle, source, resolveDType(options.dtype, device), device);
  ModelDescription& d = bundle.description;
  describeSd3Defaults(d);
  d.flowShift = source.overrides.shift.value_or(*d.flowShift);
  d.name = path.stem().string();
  d.path = path;
  d.hash = options.computeHash ? sha256FileHex(path).substr(0, 10) : std::string();
  d.parts = std::move(parts);
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
    if (looksLikeGguf(path)) {
      loadGguf(*bundle, path, options);
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
    if (info.family == ModelFamily::SD3) {
      loadSd3(*bundle, &file, nullptr, path, options);
      return bundle;
    }
    if (info.family == ModelFamily::Flux) {  // flux_factory.h: the transformer and its parts
      const c10::Device device = parseDevice(options.device);
      loadFluxModel(*bundle, path, file, options, resolveDType(options.dtype, device), device);
      bundle->description.path = path;
      bundle->description.hash =
          options.computeHash ? sha256FileHex(path).substr(0, 10) : std::string();
      return bundle;
    }
    SdModelSource source;
    source.file = &file;
    source.info = info;
    source.overrides = readSidecarConfig(path);
    source.vocabDirs = clipVocabSearchDirs(path);
    const c10::Device device = parseDevice(options.device);
    buildSdBundle(*bundle, source, resolveDType(options.dtype, device), device);
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
    } else if (looksLikeGguf(path)) {
      const GgufWeights weights = GgufWeights::open(path);
      d.family = familyName(weights.file().family());
      if (ggufDitFamily(weights) == ModelFamily::Flux) describeFlux(d, fluxGgufIsDev(weights));
      if (ggufDitFamily(weights) == ModelFamily::SD3) describeSd3Defaults(d);
      if (d.parts.empty()) d.parts.push_back("transformer");
      d.parts.front() = "transformer (GGUF, packed)";
      return d;
    } else {
      refuseUnsafeFormats(path);
      const SafetensorsFile file = SafetensorsFile::open(path);
      info = identifyCheckpoint(file);
      if (info.family == ModelFamily::LienzoBuiltin) {
        describeBuiltinDefaults(d, readBuiltinConfig(file));
      } else if (info.family == ModelFamily::SD3) {
        describeSd3Defaults(d);
        d.parts = describeSd3Parts(file, path);
        return d;
      } else if (info.family == ModelFamily::Flux) {
        describeFluxFile(d, file);
        return d;
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

std::optional<uint64_t> plannableHostMemory(const LoadOptions& options) {
  const std::optional<uint64_t> available = availableHostMemory();
  if (!options.hostMemoryLimit) return available;
  return available ? std::min(*available, *options.hostMemoryLimit) : *options.hostMemoryLimit;
}

const ModelDescription& describe(const ModelBundle& bundle) {
  return bundle.description;
}

}  // namespace lienzo
