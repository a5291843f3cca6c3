// Ref: Stability-AI/sd3.5 other_impls.py (T5XXLModel, T5, T5Stack, T5Block, T5Attention,
//      T5LayerNorm, T5DenseGatedActDense); transformers models/t5/modeling_t5.py
//      (T5Attention._relative_position_bucket, compute_bias, get_extended_attention_mask).
#include "core/text/t5_encoder.h"

#include "core/io/safetensors.h"
#include "core/text/clip_text_model.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

std::vector<int64_t> requireShape(const SafetensorsFile& file, const std::string& key,
                                  std::size_t rank) {
  if (!file.contains(key)) {
    throw std::invalid_argument("T5 encoder: " + file.path().string() + " has no tensor '" + key +
                                "'");
  }
  const auto& shape = file.info(key).shape;
  if (shape.size() != rank) {
    throw std::invalid_argument("T5 encoder: tensor '" + key + "' has rank " +
                                std::to_string(shape.size()) + ", expected " +
                                std::to_string(rank));
  }
  return shape;
}

std::string blockKey(const std::string& prefix, int64_t block, const std::string& rest) {
  return prefix + "encoder.block." + std::to_string(block) + "." + rest;
}

/// T5LayerNorm: x · rsqrt(mean(x²) + eps) · w, the statistics in float32 (no mean subtraction,
/// no bias). Returns the weight's dtype (HF T5LayerNorm), unlike layers.h rmsNorm (x's dtype).
at::Tensor t5LayerNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const at::Tensor xf = x.to(at::kFloat);
  const at::Tensor variance = xf.pow(2).mean(-1, /*keepdim=*/true);           // [..., 1]
  return weight * (xf * at::rsqrt(variance + eps)).to(weight.scalar_type());  // [..., d]
}

}  // namespace

// --- Config -----------------------------------------------------------------------------------

std::string t5EmbeddingKey(const SafetensorsFile& file, const std::string& prefix) {
  const std::string shared = prefix + "shared.weight";
  const std::string embed = prefix + "encoder.embed_tokens.weight";
  if (file.contains(shared)) return shared;
  if (file.contains(embed)) return embed;
  throw std::invalid_argument("T5 encoder: " + file.path().string() +
                              " has no token embedding (neither '" + shared + "' nor '" + embed +
                              "')");
}

T5EncoderConfig T5EncoderConfig::fromWeights(const SafetensorsFile& file,
                                             const std::string& prefix) {
  T5EncoderConfig config;
  const auto embedding = requireShape(file, t5EmbeddingKey(file, prefix), 2);
  config.vocabSize = embedding[0];
  config.dModel = embedding[1];
  const auto bias = requireShape(
      file, blockKey(prefix, 0, "layer.0.SelfAttention.relative_attention_bias.weight"), 2);
  config.numBuckets = bias[0];
  config.heads = bias[1];
  const auto q = requireShape(file, blockKey(prefix, 0, "layer.0.SelfAttention.q.weight"), 2);
  if (config.heads <= 0 || q[0] % config.heads != 0) {
    throw std::invalid_argument("T5 encoder: attention width " + std::to_string(q[0]) +
                                " is not divisible by " + std::to_string(config.heads) + " heads");
  }
  config.dKv = q[0] / config.heads;
  config.dFf = requireShape(file, blockKey(prefix, 0, "layer.1.DenseReluDense.wi_0.weight"), 2)[0];
  int64_t layers = 0;
  while (file.contains(blockKey(prefix, layers, "layer.0.SelfAttention.q.weight"))) ++layers;
  config.layers = layers;
  config.validate();
  return config;
}

void T5EncoderConfig::validate() const {
  if (vocabSize <= 0 || dModel <= 0 || heads <= 0 || dKv <= 0 || dFf <= 0 || layers <= 0 ||
      numBuckets < 2 || maxDistance <= 0 || !(layerNormEps > 0)) {
    throw std::invalid_argument("T5 encoder: every size in the config must be positive");
  }
}

void checkT5ComputeDType(c10::ScalarType dtype) {
  if (dtype == at::kFloat || dtype == at::kBFloat16) return;
  if (dtype == at::kHalf) {
    throw std::invalid_argument(
        "T5 encoder: float16 compute is refused: T5 v1.1's activations overflow float16 (they "
        "exceed its largest value, 65504) and turn into inf/NaN. Use bfloat16 or float32 (float16 "
        "and float8 weight files are fine: they are converted when loaded)");
  }
  throw std::invalid_argument(std::string("T5 encoder: compute dtype ") + c10::toString(dtype) +
                              " is not supported (float32 or bfloat16)");
}

// Ref: transformers T5Attention._relative_position_bucket (bidirectional=True).
int64_t t5RelativePositionBucket(int64_t relative, int64_t numBuckets, int64_t maxDistance) {
  const int64_t half = numBuckets / 2;
  const int64_t bucket = relative > 0 ? half : 0;
  const int64_t distance = relative < 0 ? -relative : relative;
  const int64_t maxExact = half / 2;
  if (distance < maxExact) return bucket + distance;
  // float32 throughout, as torch computes it on a float tensor; .to(long) truncates.
  const float scaled = std::log(static_cast<float>(distance) / static_cast<float>(maxExact)) /
                       static_cast<float>(std::log(static_cast<double>(maxDistance) / maxExact)) *
                       static_cast<float>(half - maxExact);
  const int64_t large = maxExact + static_cast<int64_t>(scaled);
  return bucket + std::min(large, half - 1);
}

// --- Modules (names = checkpoint keys) --------------------------------------------------------

class T5LayerNormImpl : public torch::nn::Module {
 public:
  explicit T5LayerNormImpl(int64_t dim) { weight = registerEmptyParameter(*this, "weight", {dim}); }
  at::Tensor weight;
};

class T5RelativeBiasImpl : public torch::nn::Module {
 public:
  T5RelativeBiasImpl(int64_t buckets, int64_t heads) {
    weight = registerEmptyParameter(*this, "weight", {buckets, heads});
  }
  at::Tensor weight;
};

class T5AttentionImpl : public torch::nn::Module {
 public:
  T5AttentionImpl(const T5EncoderConfig& c, bool hasBias) : m_heads(c.heads), m_dKv(c.dKv) {
    const int64_t inner = c.innerDim();
    q = register_module("q", Linear(LinearOptions(c.dModel, inner).withBias(false)));
    k = register_module("k", Linear(LinearOptions(c.dModel, inner).withBias(false)));
    v = register_module("v", Linear(LinearOptions(c.dModel, inner).withBias(false)));
    o = register_module("o", Linear(LinearOptions(inner, c.dModel).withBias(false)));
    if (hasBias) {
      relativeBias = register_module("relative_attention_bias",
                                     std::make_shared<T5RelativeBiasImpl>(c.numBuckets, c.heads));
    }
  }

  /// x [B,L,d], bias [1 or B, H, L, L] → [B,L,d]. No 1/sqrt(d_kv) scaling (T5).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& bias) {
    const int64_t b = x.size(0);
    const int64_t n = x.size(1);
    auto heads = [&](const at::Tensor& t) {  // [B,L,H·D] → [B,H,L,D]
      return t.view({b, n, m_heads, m_dKv}).transpose(1, 2);
    };
    const at::Tensor qh = heads(q(x));
    const at::Tensor kh = heads(k(x));
    const at::Tensor vh = heads(v(x));
    const at::Tensor scores = at::matmul(qh, kh.transpose(-1, -2)) + bias;  // [B,H,L,L]
    // Softmax in float32 (HF: softmax(scores.float()).type_as(scores)).
    const at::Tensor weights = at::softmax(scores.to(at::kFloat), -1).to(x.scalar_type());
    const at::Tensor context = at::matmul(weights, vh);  // [B,H,L,D]
    return o(context.transpose(1, 2).reshape({b, n, m_heads * m_dKv}));
  }

  Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  std::shared_ptr<T5RelativeBiasImpl> relativeBias;  ///< block 0 only

 private:
  int64_t m_heads;
  int64_t m_dKv;
};

class T5GatedFeedForwardImpl : public torch::nn::Module {
 public:
  explicit T5GatedFeedForwardImpl(const T5EncoderConfig& c) {
    wi_0 = register_module("wi_0", Linear(LinearOptions(c.dModel, c.dFf).withBias(false)));
    wi_1 = register_module("wi_1", Linear(LinearOptions(c.dModel, c.dFf).withBias(false)));
    wo = register_module("wo", Linear(LinearOptions(c.dFf, c.dModel).withBias(false)));
  }
  /// wo(gelu_tanh(wi_0 h) · wi_1 h) (HF "gated-gelu" = gelu_new, the tanh approximation).
  at::Tensor forward(const at::Tensor& h) { return wo(at::gelu(wi_0(h), "tanh") * wi_1(h)); }
  Linear wi_0{nullptr}, wi_1{nullptr}, wo{nullptr};
};

class T5BlockImpl : public torch::nn::Module {
 public:
  T5BlockImpl(const T5EncoderConfig& c, bool hasBias) : m_eps(c.layerNormEps) {
    auto layer = register_module("layer", std::make_shared<torch::nn::Module>());
    auto attentionLayer = layer->register_module("0", std::make_shared<torch::nn::Module>());
    attention = attentionLayer->register_module("SelfAttention",
                                                std::make_shared<T5AttentionImpl>(c, hasBias));
    attentionNorm =
        attentionLayer->register_module("layer_norm", std::make_shared<T5LayerNormImpl>(c.dModel));
    auto feedForwardLayer = layer->register_module("1", std::make_shared<torch::nn::Module>());
    feedForward = feedForwardLayer->register_module("DenseReluDense",
                                                    std::make_shared<T5GatedFeedForwardImpl>(c));
    feedForwardNorm = feedForwardLayer->register_module(
        "layer_norm", std::make_shared<T5LayerNormImpl>(c.dModel));
  }

  at::Tensor forward(const at::Tensor& x, const at::Tensor& bias) {  // [B,L,d]
    at::Tensor h = x + attention->forward(t5LayerNorm(x, attentionNorm->weight, m_eps), bias);
    return h + feedForward->forward(t5LayerNorm(h, feedForwardNorm->weight, m_eps));
  }

  std::shared_ptr<T5AttentionImpl> attention;
  std::shared_ptr<T5LayerNormImpl> attentionNorm;
  std::shared_ptr<T5GatedFeedForwardImpl> feedForward;
  std::shared_ptr<T5LayerNormImpl> feedForwardNorm;

 private:
  double m_eps;
};

// --- The model ----------------------------------------------------------------------------------

T5EncoderImpl::T5EncoderImpl(const T5EncoderConfig& config) : m_config(config) {
  m_config.validate();
  m_shared = register_module("shared", TokenEmbedding(m_config.vocabSize, m_config.dModel));
  auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
  auto blocks = encoder->register_module("block", std::make_shared<torch::nn::Module>());
  for (int64_t i = 0; i < m_config.layers; ++i) {
    m_blocks.push_back(blocks->register_module(
        std::to_string(i), std::make_shared<T5BlockImpl>(m_config, /*hasBias=*/i == 0)));
  }
  m_finalNorm =
      encoder
          ->register_module("final_layer_norm", std::make_shared<T5LayerNormImpl>(m_config.dModel))
          ->weight;
}

c10::ScalarType T5EncoderImpl::dtype() const {
  return m_shared->weight.scalar_type();
}

c10::Device T5EncoderImpl::device() const {
  return m_shared->weight.device();
}

at::Tensor T5EncoderImpl::tokenEmbeddings(const at::Tensor& ids) {
  return m_shared->forward(
      checkTokenIds(ids, m_config.vocabSize, std::numeric_limits<int64_t>::max(), device()));
}

// Ref: transformers T5Attention.compute_bias (relative_position = memory - context).
at::Tensor T5EncoderImpl::positionBias(int64_t length) {
  if (length < 1) throw std::invalid_argument("T5 encoder: position bias needs a length >= 1");
  // One bucket per offset j - i in [-(L-1), L-1], then [L,L] indices into it.
  std::vector<int64_t> byOffset(static_cast<std::size_t>(2 * length - 1));
  for (int64_t r = -(length - 1); r <= length - 1; ++r)
    byOffset[r + length - 1] =
        t5RelativePositionBucket(r, m_config.numBuckets, m_config.maxDistance);
  const at::Tensor offsets = at::tensor(byOffset, at::kLong);                 // [2L-1]
  const at::Tensor position = at::arange(length, at::kLong);                  // [L]
  const at::Tensor relative = position.unsqueeze(0) - position.unsqueeze(1);  // [L,L] = j - i
  const at::Tensor buckets = offsets.index({relative + (length - 1)}).to(device());
  const at::Tensor& table = m_blocks.front()->attention->relativeBias->weight;  // [buckets, H]
  return at::embedding(table, buckets).permute({2, 0, 1}).unsqueeze(0);         // [1,H,L,L]
}

T5EncoderOutput T5EncoderImpl::forward(const at::Tensor& idsIn, const T5EncodeOptions& options) {
  checkT5ComputeDType(dtype());
  const at::Tensor ids =
      checkTokenIds(idsIn, m_config.vocabSize, std::numeric_limits<int64_t>::max(), device());
  const int64_t length = ids.size(1);
  at::Tensor bias = positionBias(length);  // [1,H,L,L]
  if (options.attentionMask.defined()) {
    const at::Tensor& mask = options.attentionMask;
    if (mask.dim() != 2 || mask.size(0) != ids.size(0) || mask.size(1) != length) {
      throw std::invalid_argument("T5 encoder: the attention mask must be [" +
                                  std::to_string(ids.size(0)) + ", " + std::to_string(length) +
                                  "] like the ids");
    }
    // HF get_extended_attention_mask: (1 - mask) · finfo(dtype).min on the keys.
    const double lowest = dtype() == at::kBFloat16
                              ? static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest())
                              : static_cast<double>(std::numeric_limits<float>::lowest());
    const at::Tensor attend = mask.to(device()).ne(0).view({ids.size(0), 1, 1, length});
    bias = bias + at::where(attend, at::zeros({}, bias.options()),
                            at::full({}, lowest, bias.options()));  // [B,H,L,L]
  }
  T5EncoderOutput out;
  at::Tensor x = m_shared->forward(ids);  // [B,L,d]
  if (options.keepHiddenStates) out.hiddenStates.push_back(x);
  for (const auto& block : m_blocks) {
    x = block->forward(x, bias);
    if (options.keepHiddenStates) out.hiddenStates.push_back(x);
  }
  out.lastHiddenState = t5LayerNorm(x, m_finalNorm, m_config.layerNormEps);
  return out;
}

at::Tensor T5EncoderImpl::encode(const at::Tensor& ids) {
  return forward(ids).lastHiddenState;
}

T5Encoder loadT5Encoder(const SafetensorsFile& file, const std::string& prefix,
                        c10::ScalarType dtype, c10::Device device) {
  checkT5ComputeDType(dtype);
  T5Encoder model(T5EncoderConfig::fromWeights(file, prefix));
  // The embedding module is `shared`; its key is whichever of the two names the file has.
  const std::string embeddingKey = t5EmbeddingKey(file, prefix);
  const std::string embeddingPrefix = embeddingKey.substr(0, embeddingKey.size() - 6);  // "weight"
  for (auto& child : model->named_children()) {
    if (child.key() == "shared") {
      loadModuleWeights(*child.value(), file, embeddingPrefix, dtype, device);
    } else {
      loadModuleWeights(*child.value(), file, prefix + child.key() + ".", dtype, device);
    }
  }
  model->eval();
  return model;
}

}  // namespace lienzo
