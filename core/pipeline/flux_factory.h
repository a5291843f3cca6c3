// The Flux.1 factory (dev and schnell): a Flux transformer file — BFL's `flux1-dev.safetensors` /
// `flux1-schnell.safetensors` (names at the root) or a ComfyUI all-in-one checkpoint (under
// `model.diffusion_model.`, optionally with `vae.*` and `text_encoders.{clip_l,t5xxl}.*`) — and
// its separately distributed parts into a ModelBundle's components:
//   text       FluxTextConditioner: T5-XXL (HF layout, 512 dev / 256 schnell) + CLIP-L pooled
//   diffusion  FluxDiffusionModel (guidance 3.5; generate() takes a per-request view with
//              GenerationParams::guidance, DiffusionModel::withDistilledGuidance)
//   schedule   FlowNoiseSchedule(FlowSchedule::flux(shift = dev))
//   vae        the 16-channel AutoEncoder (loadAutoencoderKlCodec, LatentFormat::Flux)
// Precision: transformer and VAE in the compute dtype; CLIP-L float32 on the CPU; T5 float32
// with a float32 compute dtype, else bfloat16 (never float16: it overflows in T5).
// dev vs schnell: the presence of `guidance_in.*` (FluxConfig::guidanceEmbed).
//
// What the shapes cannot tell comes from a sidecar `<stem>.config.json` beside the transformer
// (readFluxSidecar): the RoPE axes split (`axes_dim`; without it the released models' [16, 56, 56]
// for head dim 128, any other head dim is refused), θ (`theta`, default 10000), and CLIP-L's
// heads / activation / LayerNorm eps (`clip_l`: num_attention_heads, hidden_act, layer_norm_eps;
// default 12 heads of 64, quick_gelu, 1e-5). The FluxParams may sit at the root or under
// `flux_dev` / `flux_schnell` (the variant the weights are), as the test fixtures' file has them.
//
// Contract: runs on the calling thread and fills a bundle no other thread sees yet. Failure:
// GenerationError (ModelLoad) naming the file for a bad sidecar, a missing part (naming the CLI
// flag that gives it), a CLIP vocabulary that is not found, or a build without SentencePiece
// (UnsupportedModel); std::invalid_argument / std::runtime_error from the weight loaders propagate
// for the caller to translate.
#pragma once

#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class GgufWeights;

/// Facts of a Flux model that its shapes cannot tell (see the file comment). Everything optional.
struct FluxSidecar {
  std::optional<std::vector<int64_t>> axesDim;
  std::optional<double> theta;
  std::optional<int64_t> numHeads;  ///< checked against the weights when given
  std::optional<int64_t> clipHeads;
  std::optional<bool> clipQuickGelu;  ///< hidden_act "quick_gelu" (true) or "gelu"
  std::optional<double> clipLayerNormEps;
};

/// Reads `<stem>.config.json` beside `transformer` when present (`dev` picks `flux_dev` or
/// `flux_schnell` when the FluxParams are not at the root). Throws GenerationError(ModelLoad)
/// naming the file when it is not JSON or a field has the wrong type.
FluxSidecar readFluxSidecar(const std::filesystem::path& transformer, bool dev);

/// What the Flux factory builds from: the transformer file and every part already resolved.
struct FluxModelSource {
  const SafetensorsFile* file = nullptr;  ///< holds the transformer (null when `gguf` does)
  /// The transformer from a GGUF file instead (ComfyUI-GGUF / sd.cpp): its quantized linear
  /// weights stay packed (core/model/dit_gguf.h); every part is then a file of its own.
  const GgufWeights* gguf = nullptr;
  std::string prefix;  ///< "" (BFL) or "model.diffusion_model." (ComfyUI)
  FluxSidecar sidecar;
  /// Parts. A null file: bundled in `file` (ComfyUI all-in-one: `vae.`,
  /// `text_encoders.clip_l.transformer.text_model.`, kT5BundledPrefix).
  const SafetensorsFile* t5 = nullptr;
  const SafetensorsFile* clipL = nullptr;
  const SafetensorsFile* vae = nullptr;
  std::filesystem::path t5Tokenizer;             ///< spiece.model (never bundled)
  std::vector<std::filesystem::path> vocabDirs;  ///< CLIP BPE vocabulary, in search order
  /// Host RAM the memory plan may use (plannableHostMemory, memory_plan.h); nullopt: not checked.
  std::optional<uint64_t> hostMemory;
};

/// T5 token lengths of the two variants. Ref: black-forest-labs/flux cli.py (max_length 256 for
/// schnell, else 512). Here rather than in t5_tokenizer.h so that builds without SentencePiece
/// describe Flux files with them too.
inline constexpr int kFluxDevT5Length = 512;
inline constexpr int kFluxSchnellT5Length = 256;

/// The model's facts by variant: T5 length (kFluxDevT5Length / kFluxSchnellT5Length),
/// the schedule's resolution shift, and the defaults a picker shows (1024², dev 28 steps with
/// guidance 3.5, schnell 4 steps; CFG 1, Euler).
struct FluxVariantFacts {
  bool dev = true;
  int t5Length = 512;
  bool resolutionShift = true;
  int defaultSize = 1024;
  int defaultSteps = 28;
  double defaultCfg = 1.0;
  std::optional<double> defaultGuidance;
  const char* defaultSampler = "Euler";
};
FluxVariantFacts fluxVariantFacts(bool dev);

/// Whether the transformer under `prefix` is guidance-distilled (has guidance_in.*).
bool fluxIsDev(const SafetensorsFile& file, const std::string& prefix);

/// The bundled-part key prefixes of ComfyUI all-in-one Flux files.
inline constexpr const char* kFluxBundledVaePrefix = "vae.";
inline constexpr const char* kFluxBundledClipLPrefix =
    "text_encoders.clip_l.transformer.text_model.";

/// Fills family, dtype, device, the four components of `bundle` and the description's Flux facts
/// (defaults, guidance, T5 length, parts); not its name, path or hash.
void buildFluxBundle(ModelBundle& bundle, const FluxModelSource& source, c10::ScalarType dtype,
                     c10::Device device);

/// model_loader.cpp's Flux branch: the parts of the transformer `file` at `path` —
/// LoadOptions::parts first, else bundled in the file, else found beside the model (and in
/// ComfyUI's sibling `text_encoders/`, `clip/`, `vae/` folders) — its sidecar, then
/// buildFluxBundle. Throws GenerationError(ModelLoad) naming the CLI flag (--t5, --clip-l, --vae)
/// of a part not found.
void loadFluxModel(ModelBundle& bundle, const std::filesystem::path& path,
                   const SafetensorsFile& file, const LoadOptions& options, c10::ScalarType dtype,
                   c10::Device device);
/// The same for a GGUF transformer (nothing bundled: every part is found or given).
void loadFluxModel(ModelBundle& bundle, const std::filesystem::path& path, const GgufWeights& gguf,
                   const LoadOptions& options, c10::ScalarType dtype, c10::Device device);
/// Whether the Flux transformer in `gguf` is guidance-distilled (dev: guidance_in.*).
bool fluxGgufIsDev(const GgufWeights& gguf);

/// The defaults and facts of a Flux model (dev or schnell) into `d` (family, size, steps, CFG,
/// sampler, guidance, T5 length, flow shift): the one place describeModelFile and the loader
/// take them from.
void describeFlux(ModelDescription& d, bool dev);
/// describeFlux for the variant the transformer in `file` is (describeModelFile's Flux branch).
void describeFluxFile(ModelDescription& d, const SafetensorsFile& file);

}  // namespace lienzo
