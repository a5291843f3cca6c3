// OpenCLIP text tower in its native layout: the SD 2.x text encoder (ViT-H/14,
// `cond_stage_model.model.*`) and SDXL's second text encoder (ViT-bigG/14,
// `conditioner.embedders.1.model.*`).
//
// Contract
// - The architecture comes from the weights: OpenClipTextConfig::fromWeights() reads widths, layer
//   count, MLP width and projection size from tensor shapes; heads = width / 64 (all released
//   OpenCLIP text towers) unless overridden.
// - Module paths are the checkpoint keys below the prefix: `token_embedding.weight`,
//   `positional_embedding`, `transformer.resblocks.N.attn.in_proj_weight` (q, k, v stacked by
//   rows) / `in_proj_bias`, `attn.out_proj.*`, `ln_1`, `ln_2`, `mlp.c_fc`, `mlp.c_proj`,
//   `ln_final`, `text_projection` [width, embedDim] (applied as x @ text_projection). `logit_scale`
//   and `attn_mask` are not used (the causal mask is built at run time).
// - forward() computes in the dtype/device of the loaded weights and returns every hidden state:
//   SD2 context = lnFinal(hiddenStates[size - 2]) ("penultimate"), SDXL context =
//   hiddenStates[size - 2] without ln_final, SDXL pooled vector = `pooled`.
// - Failure: std::invalid_argument for bad ids or a config/checkpoint it cannot describe;
//   loadModuleWeights throws std::runtime_error on shape mismatches.
// - Threads: as ClipTextModel (forward mutates nothing; run it under c10::InferenceMode).
#pragma once

#include "core/model/layers.h"
#include "core/text/clip_text_model.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct OpenClipTextConfig {
  int64_t vocabSize = 49408;
  int64_t contextLength = 77;
  int64_t width = 1024;
  int64_t layers = 24;
  int64_t heads = 16;
  int64_t mlpWidth = 4096;
  int64_t embedDim = 1024;  ///< text_projection output size
  double layerNormEps = 1e-5;
  ClipActivation activation = ClipActivation::Gelu;

  /// Reads the sizes from `prefix + "token_embedding.weight"`, `positional_embedding`,
  /// `transformer.resblocks.N.*` and `text_projection`. Throws std::invalid_argument naming a
  /// missing key, or when heads cannot be inferred (width not a multiple of 64, no override).
  static OpenClipTextConfig fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                        std::optional<int64_t> heads = std::nullopt);
  void validate() const;
};

struct OpenClipTextOutput {
  /// hiddenStates[0] = token + positional embeddings, hiddenStates[i] = output of resblock i-1,
  /// all [B,N,W], before ln_final.
  std::vector<at::Tensor> hiddenStates;
  /// ln_final(hiddenStates.back()) [B,N,W]; undefined when forward() stopped early.
  at::Tensor lastLn;
  /// lastLn at the first end token @ text_projection → [B,embedDim]; undefined when stopped.
  at::Tensor pooled;

  /// hiddenStates[size - n]; n = 2 is the penultimate layer. Throws std::out_of_range.
  const at::Tensor& fromEnd(int64_t n) const;
};

class OpenClipResidualBlockImpl;  // defined in openclip_text_model.cpp

class OpenClipTextModelImpl : public torch::nn::Module {
 public:
  explicit OpenClipTextModelImpl(const OpenClipTextConfig& config);

  /// ids [B,N] (N <= contextLength). Runs the first `numLayers` resblocks (all when < 0);
  /// lastLn and pooled only when all ran. `inputsEmbeds` [B,N,W], when defined, replaces the
  /// token embeddings of `ids` (textual inversion); the ids still choose the pooled position.
  OpenClipTextOutput forward(const at::Tensor& ids, int64_t numLayers = -1,
                             const at::Tensor& inputsEmbeds = {});

  /// token_embedding(ids) [B,N] → [B,N,W] (before the positional embedding).
  at::Tensor tokenEmbeddings(const at::Tensor& ids);

  /// ln_final(hidden), hidden [...,W].
  at::Tensor lnFinal(const at::Tensor& hidden);
  /// x @ text_projection, x [...,W] → [...,embedDim].
  at::Tensor project(const at::Tensor& x);

  const OpenClipTextConfig& config() const { return m_config; }
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  OpenClipTextConfig m_config;
  TokenEmbedding m_tokenEmbedding{nullptr};
  at::Tensor m_positionalEmbedding;  // [contextLength, W]
  std::vector<std::shared_ptr<OpenClipResidualBlockImpl>> m_blocks;
  LayerNorm m_lnFinal{nullptr};
  at::Tensor m_textProjection;  // [W, embedDim]
};
TORCH_MODULE(OpenClipTextModel);

/// fromWeights + construct + loadModuleWeights in `dtype` on `device`.
OpenClipTextModel loadOpenClipTextModel(const SafetensorsFile& file, const std::string& prefix,
                                        c10::ScalarType dtype,
                                        c10::Device device = c10::Device(c10::kCPU),
                                        std::optional<int64_t> heads = std::nullopt);

}  // namespace lienzo
