// The SD3 / SD3.5 diffusion transformer: MMDiT (SD3 Medium, SD3.5 Large / Large Turbo) and
// MMDiT-X (SD3.5 Medium: an extra x-only self-attention `attn2` in some blocks), built from a
// configuration read from the checkpoint's shapes and keys as the reference `BaseModel` does.
//
// Keys: the module tree equals the reference layout below `model.diffusion_model.` (x_embedder.
// proj, pos_embed, t_embedder.mlp.{0,2}, y_embedder.mlp.{0,2}, context_embedder, joint_blocks.N.
// {context_block,x_block}.*, final_layer.{adaLN_modulation.1,linear}), so
//   const std::string prefix = findMmditPrefix(file).value();  // "model.diffusion_model." or ""
//   Mmdit mmdit(MmditConfig::fromWeights(file, prefix));
//   loadModuleWeights(*mmdit, file, prefix, at::kBFloat16);
// loads every parameter with exact shape checks. `pos_embed` (the fixed 2-D sin-cos grid) is
// read from the file like any weight, in the compute dtype (as the reference loads it).
//
// Ref: Stability-AI/sd3.5 mmditx.py (MMDiTX), sd3_impls.py (BaseModel).
//
// Contract
// - Construction allocates uninitialised float32 parameters; load weights before forward(). The
//   compute dtype/device is that of the loaded parameters (F32, BF16; F16 where the device has
//   half kernels).
// - forward() is a pure function of its inputs; call it from one thread at a time per instance
//   (run it under c10::InferenceMode). Inputs may be any floating dtype: they are cast to the
//   parameter dtype; the result is returned in x's dtype.
// - Invalid inputs (rank, channels, sizes not multiples of the patch or beyond the pos_embed grid,
//   batch mismatch, missing/unexpected y, a skip layer outside [0, depth)) throw
//   std::invalid_argument naming the input; a file that holds no MMDiT makes fromWeights() throw
//   std::invalid_argument naming the key; loadModuleWeights() throws on any missing key or shape.
#pragma once

#include "core/io/checkpoint_family.h"  // TensorShapes
#include "core/model/mmdit_blocks.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct MmditConfig {
  int64_t patchSize = 2;
  int64_t inChannels = 16;
  int64_t outChannels = 16;
  /// Joint blocks; the reference's "magic": hidden = 64·depth, heads = depth (64-wide heads).
  int64_t depth = 24;
  int64_t hiddenSize = 1536;
  int64_t heads = 24;
  int64_t mlpHidden = 6144;  ///< mlp.fc1 width (mlp_ratio 4)
  /// Side of the square pos_embed grid (pos_embed [1, max², hidden]); latents up to
  /// (max·patch)² fit (SD3: 192 → 384×384 latent, 3072×3072 pixels).
  int64_t posEmbedMaxSize = 192;
  int64_t frequencyEmbeddingSize = 256;  ///< t_embedder.mlp.0 input (sinusoid width)
  int64_t admInChannels = 2048;          ///< y width (pooled CLIP-L ‖ CLIP-G); 0 = no y_embedder
  int64_t contextInChannels = 4096;      ///< context_embedder input (T5 width)
  bool qkNorm = false;                   ///< RMS ln_q / ln_k in every attention (SD3.5)
  /// Blocks whose x_block has `attn2` (MMDiT-X), ascending.
  std::vector<int64_t> selfAttn2Layers;

  /// Reads everything from the tensors under `prefix` as sd3_impls.py BaseModel does:
  /// patch = x_embedder.proj.weight.shape[2], hidden = shape[0], depth = heads = hidden/64,
  /// in channels = shape[1], max size = sqrt(pos_embed.shape[1]), adm = y_embedder.mlp.0.weight.
  /// shape[1], context width = context_embedder.weight.shape[1], qkNorm iff joint_blocks.0.
  /// context_block.attn.ln_k.weight exists, attn2 layers = the N with joint_blocks.N.x_block.
  /// attn2.ln_k.weight (or .qkv.weight without qk norm); also checks that joint_blocks.
  /// {0..depth-1} exist and no more. Throws std::invalid_argument naming the missing or odd key.
  static MmditConfig fromWeights(const SafetensorsFile& file, const std::string& prefix);
  /// The same rules on a name → torch shape map (a GGUF file's GgufFile::shapes()); `source`
  /// names the file in messages.
  static MmditConfig fromShapes(const TensorShapes& shapes, const std::string& prefix,
                                const std::string& source);

  int64_t headDim() const { return hiddenSize / heads; }
  bool hasSelfAttn2(int64_t layer) const;
  /// Throws std::invalid_argument when inconsistent (non-positive sizes, heads, attn2 layers).
  void validate() const;
};

/// "model.diffusion_model." when the file has `model.diffusion_model.x_embedder.proj.weight`
/// and `...joint_blocks.0.x_block.attn.qkv.weight`, "" when it has them without a prefix,
/// nullopt otherwise (not an MMDiT).
std::optional<std::string> findMmditPrefix(const SafetensorsFile& file);

/// Intermediates of one forward() for tests and debugging (all in the compute dtype). Tensors of
/// steps that did not run (skipped blocks, the last block's context) stay undefined.
struct MmditTrace {
  at::Tensor tEmb;                       ///< t_embedder(sinusoid(timestep)) [B,H]
  at::Tensor yEmb;                       ///< y_embedder(y) [B,H] (undefined without y)
  at::Tensor cMod;                       ///< tEmb + yEmb [B,H]
  at::Tensor xPatch;                     ///< x_embedder(x) [B,N,H], before pos_embed
  at::Tensor posEmbedCropped;            ///< centre crop of pos_embed [1,N,H]
  at::Tensor contextEmb;                 ///< context_embedder(context) [B,M,H]
  std::vector<at::Tensor> jointContext;  ///< per block (size depth): context out [B,M,H]
  std::vector<at::Tensor> jointX;        ///< per block (size depth): x out [B,N,H]
  at::Tensor finalLayerOut;              ///< final_layer(x) [B,N,p·p·out], before unpatchify
};

class MmditImpl : public torch::nn::Module {
 public:
  /// Validates the config; parameters are uninitialised (see the file comment).
  explicit MmditImpl(MmditConfig config);

  /// x [B,inChannels,h,w] (h, w multiples of patchSize, h/p and w/p <= posEmbedMaxSize),
  /// timestep [B] or [1] (= sigma·1000, float), context [B,M,contextInChannels] (M any, e.g. 154),
  /// y [B,admInChannels] iff admInChannels > 0 → v [B,outChannels,h,w] (the flow velocity; the
  /// denoised latent is x − v·sigma) in x's dtype. `skipLayers`: joint blocks to skip entirely
  /// (SD3.5 skip-layer guidance). `trace`: when given, receives the intermediates.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& timestep, const at::Tensor& context,
                     const at::Tensor& y = {}, const std::vector<int64_t>& skipLayers = {},
                     MmditTrace* trace = nullptr);

  /// The centre crop of pos_embed for an h×w token grid [1, h·w, H] (row-major tokens):
  /// top = (max − h)//2, left = (max − w)//2. Throws std::invalid_argument when it does not fit.
  at::Tensor croppedPosEmbed(int64_t h, int64_t w) const;

  const MmditConfig& config() const { return m_config; }
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  void checkInputs(const at::Tensor& x, const at::Tensor& timestep, const at::Tensor& context,
                   const at::Tensor& y, const std::vector<int64_t>& skipLayers) const;

  MmditConfig m_config;
  Conv2d m_xEmbedder{nullptr};
  at::Tensor m_posEmbed;  // [1, max², H]
  PackedLinear m_tEmbed0{nullptr}, m_tEmbed2{nullptr};
  PackedLinear m_yEmbed0{nullptr}, m_yEmbed2{nullptr};
  PackedLinear m_contextEmbedder{nullptr};
  std::vector<MmditJointBlock> m_blocks;
  PackedLinear m_finalAdaLN{nullptr};
  PackedLinear m_finalLinear{nullptr};
};
TORCH_MODULE(Mmdit);

}  // namespace lienzo
