// T5 v1.1 encoder (the T5-XXL text encoder of SD3/SD3.5 and Flux.1) in the Hugging Face
// `T5EncoderModel` layout: `shared.weight` and/or `encoder.embed_tokens.weight`,
// `encoder.block.N.layer.0.SelfAttention.{q,k,v,o}.weight` (block 0 also
// `relative_attention_bias.weight` [buckets, heads]), `encoder.block.N.layer.0.layer_norm.weight`,
// `encoder.block.N.layer.1.DenseReluDense.{wi_0,wi_1,wo}.weight`,
// `encoder.block.N.layer.1.layer_norm.weight`, `encoder.final_layer_norm.weight`. Single-file
// text encoders (t5xxl_fp16 / t5xxl_fp8_e4m3fn) have no prefix; all-in-one SD3 checkpoints put
// them under kT5BundledPrefix.
//
// Math: x = embed[ids] (no scaling); per block x += o(attn(rms(x)·w)), x += wo(gelu_tanh(wi_0 h) ·
// wi_1 h) with h = rms(x)·w2; rms(x) = x·rsqrt(mean(x²) + 1e-6) (no mean, no bias); attention
// scores = q·kᵀ + position bias with NO 1/sqrt(d_kv) scaling; the relative position bias is
// computed from block 0's table and reused by every block; final_layer_norm after the last block.
//
// Ref: Stability-AI/sd3.5 other_impls.py (T5, T5Stack, T5Block, T5Attention, T5LayerNorm,
//      T5DenseGatedActDense); transformers models/t5/modeling_t5.py (_relative_position_bucket,
//      T5EncoderModel with attention_mask: finfo(dtype).min added to the keys of padding).
//
// Contract
// - The architecture comes from the weights (T5EncoderConfig::fromWeights); relative
//   max distance (128) is not stored in files and stays at its default unless set.
// - Compute dtype: float32 or bfloat16 only. Float16 is refused with std::invalid_argument
//   (checkT5ComputeDType): T5 v1.1's activations overflow float16. Weight files may be F32, F16,
//   BF16 or F8_E4M3/F8_E5M2; they are converted to the compute dtype on load.
// - forward() computes in the dtype and on the device of the loaded weights; ids (and the mask)
//   are moved there. Pads are attended unless an attention mask is given (SD3.5, Flux and
//   ComfyUI pass none, so the sequence length changes every output row).
// - Failure: std::invalid_argument for bad ids/mask/config or a file without a T5 encoder
//   (naming the missing key); std::runtime_error (loadModuleWeights) naming the file and key for
//   a missing or mis-shaped tensor.
// - Threads: forward() mutates nothing; concurrent calls on one loaded model are safe (run them
//   under c10::InferenceMode). Loading is not thread-safe.
#pragma once

#include "core/model/layers.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;
class TokenEmbeddingImpl;

/// Key prefix of T5-XXL inside all-in-one SD3/SD3.5 checkpoints.
inline constexpr const char* kT5BundledPrefix = "text_encoders.t5xxl.transformer.";

struct T5EncoderConfig {
  int64_t vocabSize = 32128;
  int64_t dModel = 4096;
  int64_t heads = 64;
  int64_t dKv = 64;  ///< per head; heads · dKv = the q/k/v/o inner width
  int64_t dFf = 10240;
  int64_t layers = 24;
  int64_t numBuckets = 32;    ///< relative_attention_num_buckets
  int64_t maxDistance = 128;  ///< relative_attention_max_distance (not in the weights)
  double layerNormEps = 1e-6;

  int64_t innerDim() const { return heads * dKv; }
  /// Reads vocabSize/dModel (embedding), numBuckets/heads (block 0's relative_attention_bias
  /// [buckets, heads]), dKv (q rows / heads), dFf (wi_0 rows) and layers (blocks with a q
  /// weight) under `prefix`. Throws std::invalid_argument naming a missing key.
  static T5EncoderConfig fromWeights(const SafetensorsFile& file, const std::string& prefix = "");
  /// Throws std::invalid_argument when a size is not positive.
  void validate() const;
};

/// The token-embedding key under `prefix`: `shared.weight` when present, else
/// `encoder.embed_tokens.weight` (HF's tied copy). Throws std::invalid_argument naming both.
std::string t5EmbeddingKey(const SafetensorsFile& file, const std::string& prefix = "");

/// Throws std::invalid_argument unless `dtype` is float32 or bfloat16 (float16 with the reason:
/// T5's activations overflow it).
void checkT5ComputeDType(c10::ScalarType dtype);

/// HF T5's bidirectional relative-position bucket of `relative` = key − query: half the buckets
/// for positive offsets, exact below numBuckets/4, then logarithmic (float32 log, truncated) up
/// to maxDistance, clamped to the last bucket.
int64_t t5RelativePositionBucket(int64_t relative, int64_t numBuckets, int64_t maxDistance);

struct T5EncodeOptions {
  /// [B, L], nonzero = attend (HF `attention_mask`). Undefined (default): every token, padding
  /// included, is attended, as the SD3.5 and Flux references do. With a mask, padding keys get
  /// the compute dtype's lowest value added to the block-0 bias (reused by all blocks); padding
  /// rows are still computed.
  at::Tensor attentionMask;
  /// Keep the embeddings and every block's raw output in T5EncoderOutput::hiddenStates
  /// ((layers + 1) · B · L · dModel values).
  bool keepHiddenStates = false;
};

struct T5EncoderOutput {
  /// final_layer_norm(output of the last block) [B, L, dModel]: what SD3 and Flux condition on.
  at::Tensor lastHiddenState;
  /// With keepHiddenStates: [0] = token embeddings, [n + 1] = raw output of block n (before the
  /// final norm), all [B, L, dModel]. Empty otherwise.
  std::vector<at::Tensor> hiddenStates;
};

class T5BlockImpl;  // one encoder block, defined in t5_encoder.cpp

class T5EncoderImpl : public torch::nn::Module {
 public:
  /// Validates the config; parameters are uninitialised float32 CPU tensors whose module paths
  /// are the checkpoint keys (`shared.weight`, `encoder.block.N....`), filled by loadT5Encoder().
  explicit T5EncoderImpl(const T5EncoderConfig& config);

  /// ids [B, L] integer (any L >= 1; ids in [0, vocabSize)). Throws std::invalid_argument for
  /// bad ids or mask, or a float16 model.
  T5EncoderOutput forward(const at::Tensor& ids, const T5EncodeOptions& options = {});
  /// forward(ids).lastHiddenState.
  at::Tensor encode(const at::Tensor& ids);

  /// shared.weight[ids] → [B, L, dModel].
  at::Tensor tokenEmbeddings(const at::Tensor& ids);
  /// Block 0's relative position bias for `length` tokens: [1, heads, length, length].
  at::Tensor positionBias(int64_t length);

  const T5EncoderConfig& config() const { return m_config; }
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  T5EncoderConfig m_config;
  std::shared_ptr<TokenEmbeddingImpl> m_shared;
  std::vector<std::shared_ptr<T5BlockImpl>> m_blocks;
  at::Tensor m_finalNorm;
};
TORCH_MODULE(T5Encoder);

/// fromWeights + construct + load in `dtype` on `device`: the embedding from whichever of
/// `shared.weight` / `encoder.embed_tokens.weight` the file has (t5EmbeddingKey), everything
/// else from `prefix + "encoder."`. `prefix` is "" for single files, kT5BundledPrefix inside SD3
/// checkpoints. Throws like checkT5ComputeDType, fromWeights and loadModuleWeights.
T5Encoder loadT5Encoder(const SafetensorsFile& file, const std::string& prefix,
                        c10::ScalarType dtype, c10::Device device = c10::Device(c10::kCPU));

}  // namespace lienzo
