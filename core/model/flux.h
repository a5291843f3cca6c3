// The Flux.1 transformer (dev and schnell): a rectified-flow DiT on 2×2-packed 16-channel latents
// (core/model/flux_packing.h), conditioned on T5 tokens (`txt`) and a CLIP-L pooled vector (`y`),
// with rotary positions over (t, h, w) ids. Blocks: core/model/flux_blocks.h; docs/flux.md.
//
// Keys: the module tree equals BFL's `Flux.state_dict()` (img_in, time_in.{in,out}_layer,
// vector_in, guidance_in (dev only), txt_in, double_blocks.N.*, single_blocks.N.*, final_layer.*),
// bare in `flux1-dev.safetensors` / `flux1-schnell.safetensors` and under `model.diffusion_model.`
// in all-in-one ComfyUI files (findFluxPrefix()). So
//   const std::string prefix = *findFluxPrefix(file);
//   Flux flux(FluxConfig::fromWeights(file, prefix));
//   loadModuleWeights(*flux, file, prefix, at::kBFloat16);
// loads every parameter with exact shape checks (loadFlux() does the three steps).
//
// Contract
// - Construction allocates uninitialised float32 parameters; load weights before forward(). The
//   compute dtype and device are those of the loaded parameters (F32 or BF16; F16 works where the
//   device has half kernels). LayerNorm, RMSNorm, RoPE and the timestep sinusoid run in float32.
// - forward() is a pure function of its inputs; call it from one thread at a time per instance
//   (under c10::InferenceMode for speed). Inputs of any floating dtype are moved to the parameter
//   dtype/device; the result is returned in img's dtype on the parameter device.
// - Invalid inputs (ranks, widths, batch or length mismatches, a dev model without guidance)
//   throw std::invalid_argument naming the input; a file without a Flux transformer makes
//   fromWeights() throw std::invalid_argument; loadModuleWeights() throws std::runtime_error on a
//   missing key or a shape mismatch.
//
// Ref: black-forest-labs/flux src/flux/model.py (Flux, FluxParams), src/flux/util.py (configs).
#pragma once

#include "core/io/checkpoint_family.h"  // TensorShapes
#include "core/model/flux_blocks.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct FluxConfig {
  int64_t inChannels = 64;  ///< packed latent channels (16 · 2 · 2)
  int64_t outChannels = 64;
  int64_t vecInDim = 768;       ///< CLIP-L pooled width
  int64_t contextInDim = 4096;  ///< T5 d_model
  int64_t hidden = 3072;
  int64_t heads = 24;
  int64_t mlpHidden = 12288;                 ///< hidden · mlp_ratio (4)
  int64_t depth = 19;                        ///< double-stream blocks
  int64_t depthSingle = 38;                  ///< single-stream blocks
  std::vector<int64_t> axesDim{16, 56, 56};  ///< RoPE width per id axis; sum = head dim
  double theta = 10000.0;
  bool qkvBias = true;
  bool guidanceEmbed = true;  ///< dev (guidance-distilled): has guidance_in; schnell: not

  /// Reads every width and count from the tensors under `prefix`: in/out channels (img_in,
  /// final_layer.linear), vec/context widths (vector_in, txt_in), hidden (img_in rows), head dim
  /// (the query_norm.scale length) and heads = hidden / head dim, mlp width (img_mlp.0 rows),
  /// depths (counting double_blocks.N / single_blocks.N), qkv bias and guidance_in presence.
  /// The RoPE split cannot be read from shapes: `axesDim` when given, else
  /// fluxDefaultAxesDim(head dim). theta is always 10000 (every released Flux.1). Throws
  /// std::invalid_argument naming the file and the missing key when there is no Flux model under
  /// `prefix`, or when the shapes disagree.
  static FluxConfig fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                const std::optional<std::vector<int64_t>>& axesDim = std::nullopt);
  /// The same rules on a name → torch shape map (a GGUF file's GgufFile::shapes(), with
  /// comfy.gguf.orig_shape honoured); `source` names the file in messages.
  static FluxConfig fromShapes(const TensorShapes& shapes, const std::string& prefix,
                               const std::string& source,
                               const std::optional<std::vector<int64_t>>& axesDim = std::nullopt);
  /// FLUX.1 [dev] and [schnell] (same as fromWeights on the released files).
  static FluxConfig dev();
  static FluxConfig schnell();

  int64_t headDim() const { return heads > 0 ? hidden / heads : 0; }
  /// Throws std::invalid_argument when a width is non-positive, hidden does not split into heads,
  /// an axis width is odd or the axes do not sum to the head dim.
  void validate() const;
};

/// The RoPE axes of released models for a head dim: 128 → {16, 56, 56} (FLUX.1 dev, schnell,
/// Kontext, Fill; diffusers `axes_dims_rope` default). Throws std::invalid_argument for any other
/// head dim (no documented split: pass it to FluxConfig::fromWeights).
std::vector<int64_t> fluxDefaultAxesDim(int64_t headDim);

/// The prefix under which `file` holds a Flux transformer: "" (BFL files) or
/// "model.diffusion_model." (ComfyUI single files); nullopt when neither has
/// `double_blocks.0.img_attn.qkv.weight` and `img_in.weight`.
std::optional<std::string> findFluxPrefix(const SafetensorsFile& file);

/// Receives named intermediates of one forward() call, in order: "vec" [B, hidden], "pe"
/// [B, 1, L, headDim/2, 2, 2] (L = Lt + N, txt first), "double{i}.img" [B, N, hidden] and
/// "double{i}.txt" [B, Lt, hidden] after double block i, "single{i}" [B, L, hidden] after single
/// block i, "final_layer_in" [B, N, hidden]. Tensors are in the compute dtype; the callback may
/// keep them (they are not modified afterwards). Called on forward()'s thread.
using FluxTraceFn = std::function<void(const std::string& name, const at::Tensor& value)>;

class FluxImpl : public torch::nn::Module {
 public:
  /// Validates the config; parameters are uninitialised (see the file comment).
  explicit FluxImpl(FluxConfig config);

  /// img [B, N, inChannels] packed latent tokens, imgIds [B, N, axes], txt [B, Lt, contextInDim],
  /// txtIds [B, Lt, axes], timesteps [B] (or [1], broadcast) in [0, 1] (σ; multiplied by 1000
  /// inside), y [B, vecInDim], guidance [B] (or [1]) required when config().guidanceEmbed and
  /// ignored otherwise (as the reference). → velocity [B, N, outChannels] in img's dtype.
  at::Tensor forward(const at::Tensor& img, const at::Tensor& imgIds, const at::Tensor& txt,
                     const at::Tensor& txtIds, const at::Tensor& timesteps, const at::Tensor& y,
                     const at::Tensor& guidance = {}, const FluxTraceFn* trace = nullptr);

  const FluxConfig& config() const { return m_config; }
  /// Dtype / device of the (loaded) parameters = the compute dtype / device.
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  FluxConfig m_config;
  PackedLinear m_imgIn{nullptr}, m_txtIn{nullptr};
  FluxMlpEmbedder m_timeIn{nullptr}, m_guidanceIn{nullptr}, m_vectorIn{nullptr};
  std::vector<FluxDoubleBlock> m_double;
  std::vector<FluxSingleBlock> m_single;
  FluxLastLayer m_finalLayer{nullptr};
};
TORCH_MODULE(Flux);

/// findFluxPrefix (throws std::invalid_argument when absent) + fromWeights + construct +
/// loadModuleWeights in `dtype` on `device`. Throws like those.
Flux loadFlux(const SafetensorsFile& file, c10::ScalarType dtype,
              c10::Device device = c10::Device(c10::kCPU),
              const std::optional<std::vector<int64_t>>& axesDim = std::nullopt);

}  // namespace lienzo
