// CLIP text transformer in the Hugging Face `CLIPTextModel` layout: the SD 1.x text encoder
// (`cond_stage_model.transformer.text_model.*`) and SDXL's first text encoder, CLIP ViT-L
// (`conditioner.embedders.0.transformer.text_model.*`).
//
// Contract
// - The architecture comes from the weights: ClipTextConfig::fromWeights() reads widths and layer
//   counts from tensor shapes. Heads cannot be read from shapes; real CLIP models use a head
//   width of 64 (heads = width / 64), which is the default; pass an override otherwise.
// - Construction allocates uninitialised float32 CPU parameters whose module paths are the
//   checkpoint keys below the prefix (`embeddings.token_embedding.weight`,
//   `encoder.layers.N.self_attn.q_proj.weight`, `final_layer_norm.bias`, ...), so
//   loadModuleWeights(model, file, prefix, dtype, device) fills it; loadClipTextModel() does both.
//   `embeddings.position_ids` is not used: positions are always 0..N-1 (some merged checkpoints
//   carry damaged float position ids; real SD1 ones hold exactly 0..76).
// - forward() computes in the dtype and on the device of the loaded weights (token ids are moved
//   there); its outputs are in that dtype. It returns every hidden state so that callers choose:
//   SD1 = lastHiddenState, A1111 "CLIP skip N" = finalLayerNorm(hiddenStates[size - N]),
//   SDXL = hiddenStates[size - 2] without the final LayerNorm.
// - Failure: std::invalid_argument for bad ids (rank, length, range) or an impossible config;
//   loadModuleWeights throws std::runtime_error for a checkpoint of another shape.
// - Threads: forward() reads the weights and mutates nothing, so concurrent calls on one loaded
//   model are safe (run them under c10::InferenceMode). Loading is not thread-safe.
#pragma once

#include "core/model/layers.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

enum class ClipActivation {
  QuickGelu,  ///< x * sigmoid(1.702 x) (OpenAI CLIP, HF "quick_gelu": SD1, SDXL CLIP-L)
  Gelu,       ///< exact erf GELU (OpenCLIP, HF "gelu")
};

struct ClipTextConfig {
  int64_t vocabSize = 49408;
  int64_t maxPositions = 77;
  int64_t width = 768;
  int64_t layers = 12;
  int64_t heads = 12;
  int64_t intermediate = 3072;
  double layerNormEps = 1e-5;
  ClipActivation activation = ClipActivation::QuickGelu;

  /// Reads vocabSize, maxPositions, width, layers and intermediate from the tensors named
  /// `prefix + "embeddings.token_embedding.weight"` etc. Heads = `heads` when given, otherwise
  /// width / 64 (throws std::invalid_argument when width is not a multiple of 64). Throws
  /// std::invalid_argument naming the missing key when the file has no such model.
  static ClipTextConfig fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                    std::optional<int64_t> heads = std::nullopt);
  /// Throws std::invalid_argument when a field is non-positive or width % heads != 0.
  void validate() const;
};

/// Lookup table `weight` [count, dim] (torch.nn.Embedding layout), uninitialised until loaded.
/// Shared by the CLIP and OpenCLIP text models.
class TokenEmbeddingImpl : public torch::nn::Module {
 public:
  TokenEmbeddingImpl(int64_t count, int64_t dim);
  /// ids [...] integer → [..., dim] in the weight dtype.
  at::Tensor forward(const at::Tensor& ids);
  at::Tensor weight;
};
TORCH_MODULE(TokenEmbedding);

/// Checks token ids for a text model: rank 2 [B,N], integer, 1 <= N <= maxPositions, every id in
/// [0, vocabSize). Returns them as int64 on `device`. Throws std::invalid_argument.
at::Tensor checkTokenIds(const at::Tensor& ids, int64_t vocabSize, int64_t maxPositions,
                         c10::Device device);

/// Checks replacement token embeddings for ids [B,N]: [B,N,width], floating. Returns them in
/// `dtype` on `device`. Throws std::invalid_argument.
at::Tensor checkInputsEmbeds(const at::Tensor& embeds, const at::Tensor& ids, int64_t width,
                             c10::ScalarType dtype, c10::Device device);

/// hidden[b, argmax(ids[b])] → [B, W]: the feature at the first end-of-text token (the highest id
/// in CLIP's vocabulary), as CLIP / HF / OpenCLIP pool. hidden [B,N,W], ids [B,N].
at::Tensor gatherAtEndToken(const at::Tensor& hidden, const at::Tensor& ids);

struct ClipTextOutput {
  /// hiddenStates[0] = token + position embeddings, hiddenStates[i] = output of encoder layer i
  /// (1-based), all [B,N,W] before the final LayerNorm (HF `output_hidden_states`).
  std::vector<at::Tensor> hiddenStates;
  /// final_layer_norm(hiddenStates.back()) [B,N,W]; undefined when forward() stopped early.
  at::Tensor lastHiddenState;
  /// lastHiddenState at the first end token [B,W] (HF `pooler_output`); undefined when stopped.
  at::Tensor pooled;

  /// hiddenStates[size - n]: n = 1 is the last computed layer, n = 2 the penultimate.
  /// Throws std::out_of_range when n < 1 or n > size.
  const at::Tensor& fromEnd(int64_t n) const;
};

class ClipEncoderLayerImpl;  // one pre-LN transformer layer, defined in clip_text_model.cpp

class ClipTextModelImpl : public torch::nn::Module {
 public:
  /// Validates the config; parameters are uninitialised (see the file comment).
  explicit ClipTextModelImpl(const ClipTextConfig& config);

  /// ids [B,N] (int64 or int32, N <= maxPositions). Runs the first `numLayers` encoder layers
  /// (all when < 0; must be <= config().layers). lastHiddenState and pooled are filled only when
  /// every layer ran. `inputsEmbeds` [B,N,W] (HF `inputs_embeds`), when defined, replaces the
  /// token embeddings of `ids` (textual inversion); position embeddings are added to it and the
  /// ids still choose the pooled position.
  ClipTextOutput forward(const at::Tensor& ids, int64_t numLayers = -1,
                         const at::Tensor& inputsEmbeds = {});

  /// A1111 "CLIP skip": final_layer_norm(output of layer `layers - skip + 1`), skip >= 1
  /// (1 = lastHiddenState). Runs only the layers it needs. Returns [B,N,W]. `inputsEmbeds` as in
  /// forward().
  at::Tensor encodeWithClipSkip(const at::Tensor& ids, int64_t skip,
                                const at::Tensor& inputsEmbeds = {});

  /// The token embeddings of ids [B,N] → [B,N,W] (before position embeddings), in the model's
  /// dtype on its device.
  at::Tensor tokenEmbeddings(const at::Tensor& ids);

  /// final_layer_norm(hidden), hidden [...,W].
  at::Tensor finalLayerNorm(const at::Tensor& hidden);

  const ClipTextConfig& config() const { return m_config; }
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  ClipTextConfig m_config;
  TokenEmbedding m_tokenEmbedding{nullptr};
  TokenEmbedding m_positionEmbedding{nullptr};
  std::vector<std::shared_ptr<ClipEncoderLayerImpl>> m_layers;
  LayerNorm m_finalLayerNorm{nullptr};
};
TORCH_MODULE(ClipTextModel);

/// fromWeights + construct + loadModuleWeights in `dtype` on `device`. Throws like those.
ClipTextModel loadClipTextModel(const SafetensorsFile& file, const std::string& prefix,
                                c10::ScalarType dtype, c10::Device device = c10::Device(c10::kCPU),
                                std::optional<int64_t> heads = std::nullopt);

}  // namespace lienzo
