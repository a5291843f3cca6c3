// The SD3 / SD3.5 factory: an MMDiT checkpoint and its separately distributed parts into a
// ModelBundle's components:
//   text       Sd3TextConditioner: CLIP-L + CLIP-G (core/text/sd3_conditioning.h) and T5-XXL
//              (T5Encoder + the SentencePiece T5Tokenizer's SD3.5 reference layout)
//   diffusion  MmditDiffusionModel (loadMmditDiffusionModel; MMDiT and MMDiT-X)
//   schedule   FlowNoiseSchedule(FlowSchedule::sd3(shift)), shift 3.0 unless a sidecar states it
//   vae        the 16-channel AutoencoderKL in the SD3 latent space (scale 1.5305, shift 0.0609)
// Where each part comes from, in order: the file given in LoadOptions::parts; the part bundled in
// the checkpoint (`first_stage_model.*`, `text_encoders.{clip_l,clip_g,t5xxl}.transformer.*`);
// the usual files beside the checkpoint and in the ComfyUI / A1111 sibling folders
// (model_parts.h). The T5 tokenizer (spiece.model) is never inside the weights: findT5Spiece.
//
// Precision and placement: the MMDiT and the VAE in the compute dtype on the device; the CLIPs in
// float32 on the CPU (the compute dtype on CUDA); T5 never in float16 (it overflows: bfloat16
// instead), on the device (sd3T5Placement, the one place that decides).
//
// Contract: runs on the calling thread and fills a bundle no other thread sees yet. Failure:
// GenerationError(ModelLoad) for a missing part (naming the part, its flag and every place
// looked), a missing spiece.model or CLIP vocabulary, a sidecar that cannot be read;
// GenerationError(UnsupportedModel) when this build has no SentencePiece;
// GenerationError(OutOfMemory) with the estimate per part when the memory plan (memory_plan.h)
// does not fit source.hostMemory — decided from the headers, before any weight is read; loader and
// torch errors (std::exception) propagate for the caller to translate.
#pragma once

#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

class GgufWeights;

/// What a sidecar `<stem>.config.json` may state for SD3 (the fixture configs' vocabulary):
/// `shift`, `clip_l.num_attention_heads`, `clip_g.num_attention_heads`.
struct Sd3Overrides {
  std::optional<double> shift;
  std::optional<int64_t> clipLHeads;
  std::optional<int64_t> clipGHeads;
};

/// Reads the sidecar beside `checkpoint` when present. Throws GenerationError(ModelLoad) for a
/// malformed file or a shift that is not a positive number.
Sd3Overrides readSd3Sidecar(const std::filesystem::path& checkpoint);

/// SD3.5's default shift (sd3_infer.py CONFIGS: 3.0 for SD3.5 Medium / Large / Turbo).
inline constexpr double kSd3DefaultShift = 3.0;

/// What the SD3 factory builds from.
struct Sd3ModelSource {
  const SafetensorsFile* file = nullptr;  ///< the checkpoint (MMDiT under model.diffusion_model.)
  /// The MMDiT from a GGUF file instead (ComfyUI-GGUF / sd.cpp; `file` null): quantized linear
  /// weights stay packed (core/model/dit_gguf.h); every other part is a file of its own.
  const GgufWeights* gguf = nullptr;
  std::filesystem::path path;  ///< its path: parts are looked for around it
  ModelParts parts;            ///< given explicitly (LoadOptions::parts)
  Sd3Overrides overrides;
  std::vector<std::filesystem::path> vocabDirs;  ///< CLIP BPE vocabulary, in search order
  /// Host RAM the memory plan may use (plannableHostMemory); nullopt: not checked.
  std::optional<uint64_t> hostMemory;
};

/// Where T5 runs for an MMDiT computing in `dtype` on `device`: float16 becomes bfloat16.
std::pair<c10::ScalarType, c10::Device> sd3T5Placement(c10::ScalarType dtype, c10::Device device);

/// Fills family, dtype, device and the four components of `bundle`; returns the parts as the
/// description lists them ("mmdit", "vae (bundled)", "t5xxl: /path/t5xxl_fp16.safetensors", …).
std::vector<std::string> buildSd3Bundle(ModelBundle& bundle, const Sd3ModelSource& source,
                                        c10::ScalarType dtype, c10::Device device);

/// SD3's defaults in a description: family name, 1024², 28 steps (sd3.5 reference: 28–40), CFG
/// 4.5 (SD3.5 Large), sampler "Euler" (a flow sampler, core/sampling/sampler.h flowSamplerNames).
void describeSd3Defaults(ModelDescription& description);

/// The parts of the SD3 model at `path` as `lienzo info` and pickers list them, without reading
/// weights: "mmdit", then per part "<name> (bundled)", "<name>: <file found>" or "<name>: not
/// found (give --flag FILE)"; never throws for a missing part.
std::vector<std::string> describeSd3Parts(const SafetensorsFile& file,
                                          const std::filesystem::path& path,
                                          const ModelParts& given = {});

/// Whether `file` bundles the part under the all-in-one names (text_encoders.*.transformer.*,
/// first_stage_model.*): "clip_l", "clip_g", "t5xxl", "vae".
bool sd3Bundles(const SafetensorsFile& file, const std::string& part);

}  // namespace lienzo
