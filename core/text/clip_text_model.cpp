// Ref: transformers models/clip/modeling_clip.py (CLIPTextTransformer, CLIPEncoderLayer,
//      CLIPAttention, CLIPMLP); openai/CLIP model.py (QuickGELU, causal mask, EOT pooling).
#include "core/text/clip_text_model.h"

#include "core/io/safetensors.h"
#include "core/model/attention.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

std::vector<int64_t> requireShape(const SafetensorsFile& file, const std::string& key,
                                  std::size_t rank) {
  if (!file.contains(key)) {
    throw std::invalid_argument("CLIP text model: " + file.path().string() + " has no tensor '" +
                                key + "'");
  }
  const auto& shape = file.info(key).shape;
  if (shape.size() != rank) {
    throw std::invalid_argument("CLIP text model: tensor '" + key + "' has rank " +
                                std::to_string(shape.size()) + ", expected " +
                                std::to_string(rank));
  }
  return shape;
}

}  // namespace

ClipTextConfig ClipTextConfig::fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                           std::optional<int64_t> heads) {
  ClipTextConfig config;
  const auto token = requireShape(file, prefix + "embeddings.token_embedding.weight", 2);
  const auto position = requireShape(file, prefix + "embeddings.position_embedding.weight", 2);
  config.vocabSize = token[0];
  config.width = token[1];
  config.maxPositions = position[0];
  if (position[1] != config.width) {
    throw std::invalid_argument("CLIP text model: position embedding width " +
                                std::to_string(position[1]) + " != token embedding width " +
                                std::to_string(config.width));
  }
  int64_t layers = 0;
  while (file.contains(prefix + "encoder.layers." + std::to_string(layers) +
                       ".self_attn.q_proj.weight")) {
    ++layers;
  }
  if (layers == 0) {
    throw std::invalid_argument("CLIP text model: " + file.path().string() + " has no tensor '" +
                                prefix + "encoder.layers.0.self_attn.q_proj.weight'");
  }
  config.layers = layers;
  config.intermediate = requireShape(file, prefix + "encoder.layers.0.mlp.fc1.weight", 2)[0];
  if (heads) {
    config.heads = *heads;
  } else if (config.width % 64 == 0) {
    config.heads = config.width / 64;  // every released CLIP text tower uses 64-wide heads
  } else {
    throw std::invalid_argument("CLIP text model: cannot infer the head count for width " +
                                std::to_string(config.width) +
                                " (not a multiple of 64); pass it explicitly");
  }
  config.validate();
  return config;
}

void ClipTextConfig::validate() const {
  if (vocabSize <= 0 || maxPositions <= 0 || width <= 0 || layers <= 0 || heads <= 0 ||
      intermediate <= 0 || !(layerNormEps > 0)) {
    throw std::invalid_argument("CLIP text model: every size in the config must be positive");
  }
  if (width % heads != 0) {
    throw std::invalid_argument("CLIP text model: width " + std::to_string(width) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  }
}

TokenEmbeddingImpl::TokenEmbeddingImpl(int64_t count, int64_t dim) {
  weight = registerEmptyParameter(*this, "weight", {count, dim});
}

at::Tensor TokenEmbeddingImpl::forward(const at::Tensor& ids) {
  return at::embedding(weight, ids);  // [..., dim]
}

at::Tensor checkTokenIds(const at::Tensor& ids, int64_t vocabSize, int64_t maxPositions,
                         c10::Device device) {
  if (!ids.defined() || ids.dim() != 2) {
    throw std::invalid_argument("text model: token ids must be a [batch, tokens] tensor");
  }
  if (!at::isIntegralType(ids.scalar_type(), /*includeBool=*/false)) {
    throw std::invalid_argument("text model: token ids must be integers");
  }
  if (ids.size(0) < 1 || ids.size(1) < 1 || ids.size(1) > maxPositions) {
    throw std::invalid_argument("text model: " + std::to_string(ids.size(1)) +
                                " tokens per sequence; expected 1.." +
                                std::to_string(maxPositions));
  }
  const int64_t low = ids.min().item<int64_t>();
  const int64_t high = ids.max().item<int64_t>();
  if (low < 0 || high >= vocabSize) {
    throw std::invalid_argument("text model: token id outside the vocabulary [0, " +
                                std::to_string(vocabSize) + ")");
  }
  return ids.to(device, at::kLong);
}

at::Tensor gatherAtEndToken(const at::Tensor& hidden, const at::Tensor& ids) {
  // argmax returns the first maximal index: the first end token (49407 is CLIP's largest id).
  const auto position = ids.to(hidden.device(), at::kLong).argmax(-1);  // [B]
  const auto batch = at::arange(hidden.size(0), position.options());    // [B]
  return hidden.index({batch, position});                               // [B,W]
}

const at::Tensor& ClipTextOutput::fromEnd(int64_t n) const {
  const auto size = static_cast<int64_t>(hiddenStates.size());
  if (n < 1 || n > size) {
    throw std::out_of_range("CLIP text model: hidden state " + std::to_string(n) +
                            " from the end does not exist (" + std::to_string(size) + " states)");
  }
  return hiddenStates[size - n];
}

// --- Internal modules (names = checkpoint keys) -------------------------------------------------

class ClipAttentionImpl : public torch::nn::Module {
 public:
  ClipAttentionImpl(int64_t width, int64_t heads) : m_heads(heads) {
    k_proj = register_module("k_proj", Linear(LinearOptions(width, width)));
    v_proj = register_module("v_proj", Linear(LinearOptions(width, width)));
    q_proj = register_module("q_proj", Linear(LinearOptions(width, width)));
    out_proj = register_module("out_proj", Linear(LinearOptions(width, width)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,N,W] → [B,N,W]
    AttentionOptions options;
    options.heads = m_heads;
    options.causal = true;  // token i attends to j <= i; padding is attended like SD does
    return out_proj(multiHeadAttention(q_proj(x), k_proj(x), v_proj(x), options));
  }

  Linear k_proj{nullptr}, v_proj{nullptr}, q_proj{nullptr}, out_proj{nullptr};

 private:
  int64_t m_heads;
};
TORCH_MODULE(ClipAttention);

class ClipMlpImpl : public torch::nn::Module {
 public:
  ClipMlpImpl(int64_t width, int64_t intermediate, ClipActivation activation)
      : m_activation(activation) {
    fc1 = register_module("fc1", Linear(LinearOptions(width, intermediate)));
    fc2 = register_module("fc2", Linear(LinearOptions(intermediate, width)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,N,W] → [B,N,W]
    auto h = fc1(x);                         // [B,N,I]
    if (m_activation == ClipActivation::QuickGelu) {
      h = h * at::sigmoid(h * 1.702);  // Ref: openai/CLIP QuickGELU
    } else {
      h = at::gelu(h);  // exact erf GELU
    }
    return fc2(h);
  }

  Linear fc1{nullptr}, fc2{nullptr};

 private:
  ClipActivation m_activation;
};
TORCH_MODULE(ClipMlp);

class ClipEncoderLayerImpl : public torch::nn::Module {
 public:
  explicit ClipEncoderLayerImpl(const ClipTextConfig& c) {
    self_attn = register_module("self_attn", ClipAttention(c.width, c.heads));
    layer_norm1 =
        register_module("layer_norm1", LayerNorm(LayerNormOptions(c.width, c.layerNormEps)));
    mlp = register_module("mlp", ClipMlp(c.width, c.intermediate, c.activation));
    layer_norm2 =
        register_module("layer_norm2", LayerNorm(LayerNormOptions(c.width, c.layerNormEps)));
  }

  at::Tensor forward(const at::Tensor& x) {  // pre-LN residual block, [B,N,W]
    auto h = x + self_attn(layer_norm1(x));
    return h + mlp(layer_norm2(h));
  }

  ClipAttention self_attn{nullptr};
  LayerNorm layer_norm1{nullptr};
  ClipMlp mlp{nullptr};
  LayerNorm layer_norm2{nullptr};
};

// --- The model ----------------------------------------------------------------------------------

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig& config) : m_config(config) {
  m_config.validate();
  auto embeddings = register_module("embeddings", std::make_shared<torch::nn::Module>());
  m_tokenEmbedding = embeddings->register_module(
      "token_embedding", TokenEmbedding(m_config.vocabSize, m_config.width));
  m_positionEmbedding = embeddings->register_module(
      "position_embedding", TokenEmbedding(m_config.maxPositions, m_config.width));

  auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
  auto layers = encoder->register_module("layers", std::make_shared<torch::nn::Module>());
  for (int64_t i = 0; i < m_config.layers; ++i) {
    m_layers.push_back(layers->register_module(std::to_string(i),
                                               std::make_shared<ClipEncoderLayerImpl>(m_config)));
  }
  m_finalLayerNorm = register_module(
      "final_layer_norm", LayerNorm(LayerNormOptions(m_config.width, m_config.layerNormEps)));
}

c10::ScalarType ClipTextModelImpl::dtype() const {
  return m_tokenEmbedding->weight.scalar_type();
}

c10::Device ClipTextModelImpl::device() const {
  return m_tokenEmbedding->weight.device();
}

at::Tensor ClipTextModelImpl::tokenEmbeddings(const at::Tensor& idsIn) {
  return m_tokenEmbedding(checkTokenIds(idsIn, m_config.vocabSize, m_config.maxPositions,
                                        device()));  // [B,N,W]
}

at::Tensor checkInputsEmbeds(const at::Tensor& embeds, const at::Tensor& ids, int64_t width,
                             c10::ScalarType dtype, c10::Device device) {
  if (!embeds.defined() || !at::isFloatingType(embeds.scalar_type()) || embeds.dim() != 3 ||
      embeds.size(0) != ids.size(0) || embeds.size(1) != ids.size(1) || embeds.size(2) != width) {
    throw std::invalid_argument("text model: inputs_embeds must be [" +
                                std::to_string(ids.size(0)) + ", " + std::to_string(ids.size(1)) +
                                ", " + std::to_string(width) + "]");
  }
  return embeds.to(device, dtype);
}

ClipTextOutput ClipTextModelImpl::forward(const at::Tensor& idsIn, int64_t numLayers,
                                          const at::Tensor& inputsEmbeds) {
  if (numLayers > m_config.layers) {
    throw std::invalid_argument("CLIP text model: asked for " + std::to_string(numLayers) +
                                " layers, the model has " + std::to_string(m_config.layers));
  }
  if (numLayers < 0) numLayers = m_config.layers;
  const auto ids = checkTokenIds(idsIn, m_config.vocabSize, m_config.maxPositions, device());
  const auto positions = at::arange(ids.size(1), ids.options());  // [N]

  ClipTextOutput out;
  out.hiddenStates.reserve(numLayers + 1);
  const auto tokens = inputsEmbeds.defined()
                          ? checkInputsEmbeds(inputsEmbeds, ids, m_config.width, dtype(), device())
                          : m_tokenEmbedding(ids);   // [B,N,W]
  auto x = tokens + m_positionEmbedding(positions);  // [B,N,W]
  out.hiddenStates.push_back(x);
  for (int64_t i = 0; i < numLayers; ++i) {
    x = m_layers[i]->forward(x);  // [B,N,W]
    out.hiddenStates.push_back(x);
  }
  if (numLayers == m_config.layers) {
    out.lastHiddenState = m_finalLayerNorm(x);                // [B,N,W]
    out.pooled = gatherAtEndToken(out.lastHiddenState, ids);  // [B,W]
  }
  return out;
}

at::Tensor ClipTextModelImpl::encodeWithClipSkip(const at::Tensor& ids, int64_t skip,
                                                 const at::Tensor& inputsEmbeds) {
  if (skip < 1 || skip > m_config.layers) {
    throw std::invalid_argument("CLIP skip must be in 1.." + std::to_string(m_config.layers) +
                                ", got " + std::to_string(skip));
  }
  // Ref: A1111 sd_hijack_clip.py FrozenCLIPEmbedderWithCustomWords.encode_with_transformers
  const auto out = forward(ids, m_config.layers - skip + 1, inputsEmbeds);
  if (out.lastHiddenState.defined()) return out.lastHiddenState;  // skip == 1
  return m_finalLayerNorm(out.hiddenStates.back());               // [B,N,W]
}

at::Tensor ClipTextModelImpl::finalLayerNorm(const at::Tensor& hidden) {
  return m_finalLayerNorm(hidden);
}

ClipTextModel loadClipTextModel(const SafetensorsFile& file, const std::string& prefix,
                                c10::ScalarType dtype, c10::Device device,
                                std::optional<int64_t> heads) {
  ClipTextModel model(ClipTextConfig::fromWeights(file, prefix, heads));
  loadModuleWeights(*model, file, prefix, dtype, device);
  model->eval();
  return model;
}

}  // namespace lienzo
