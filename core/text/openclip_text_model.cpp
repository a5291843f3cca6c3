// Ref: open_clip transformer.py (TextTransformer, ResidualAttentionBlock, build_causal_mask,
//      text_global_pool "argmax"); Stability generative-models encoders/modules.py
//      (FrozenOpenCLIPEmbedder2 penultimate / pooled); SD2 ldm FrozenOpenCLIPEmbedder.
#include "core/text/openclip_text_model.h"

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
    throw std::invalid_argument("OpenCLIP text model: " + file.path().string() +
                                " has no tensor '" + key + "'");
  }
  const auto& shape = file.info(key).shape;
  if (shape.size() != rank) {
    throw std::invalid_argument("OpenCLIP text model: tensor '" + key + "' has rank " +
                                std::to_string(shape.size()) + ", expected " +
                                std::to_string(rank));
  }
  return shape;
}

}  // namespace

OpenClipTextConfig OpenClipTextConfig::fromWeights(const SafetensorsFile& file,
                                                   const std::string& prefix,
                                                   std::optional<int64_t> heads) {
  OpenClipTextConfig config;
  const auto token = requireShape(file, prefix + "token_embedding.weight", 2);
  const auto position = requireShape(file, prefix + "positional_embedding", 2);
  const auto projection = requireShape(file, prefix + "text_projection", 2);
  config.vocabSize = token[0];
  config.width = token[1];
  config.contextLength = position[0];
  config.embedDim = projection[1];
  if (position[1] != config.width || projection[0] != config.width) {
    throw std::invalid_argument(
        "OpenCLIP text model: positional_embedding / text_projection do "
        "not match the token embedding width " +
        std::to_string(config.width));
  }
  int64_t layers = 0;
  while (file.contains(prefix + "transformer.resblocks." + std::to_string(layers) +
                       ".attn.in_proj_weight")) {
    ++layers;
  }
  if (layers == 0) {
    throw std::invalid_argument("OpenCLIP text model: " + file.path().string() +
                                " has no tensor '" + prefix +
                                "transformer.resblocks.0.attn.in_proj_weight'");
  }
  config.layers = layers;
  config.mlpWidth = requireShape(file, prefix + "transformer.resblocks.0.mlp.c_fc.weight", 2)[0];
  if (heads) {
    config.heads = *heads;
  } else if (config.width % 64 == 0) {
    config.heads = config.width / 64;  // ViT-H: 1024/16, ViT-bigG: 1280/20
  } else {
    throw std::invalid_argument("OpenCLIP text model: cannot infer the head count for width " +
                                std::to_string(config.width) +
                                " (not a multiple of 64); pass it explicitly");
  }
  config.validate();
  return config;
}

void OpenClipTextConfig::validate() const {
  if (vocabSize <= 0 || contextLength <= 0 || width <= 0 || layers <= 0 || heads <= 0 ||
      mlpWidth <= 0 || embedDim <= 0 || !(layerNormEps > 0)) {
    throw std::invalid_argument("OpenCLIP text model: every size in the config must be positive");
  }
  if (width % heads != 0) {
    throw std::invalid_argument("OpenCLIP text model: width " + std::to_string(width) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  }
}

const at::Tensor& OpenClipTextOutput::fromEnd(int64_t n) const {
  const auto size = static_cast<int64_t>(hiddenStates.size());
  if (n < 1 || n > size) {
    throw std::out_of_range("OpenCLIP text model: hidden state " + std::to_string(n) +
                            " from the end does not exist (" + std::to_string(size) + " states)");
  }
  return hiddenStates[size - n];
}

// --- Internal modules (names = checkpoint keys) -------------------------------------------------

/// torch.nn.MultiheadAttention parameters: in_proj_weight [3W,W] (q;k;v), in_proj_bias [3W],
/// out_proj Linear.
class OpenClipAttentionImpl : public torch::nn::Module {
 public:
  OpenClipAttentionImpl(int64_t width, int64_t heads) : m_heads(heads) {
    in_proj_weight = registerEmptyParameter(*this, "in_proj_weight", {3 * width, width});
    in_proj_bias = registerEmptyParameter(*this, "in_proj_bias", {3 * width});
    out_proj = register_module("out_proj", Linear(LinearOptions(width, width)));
  }

  at::Tensor forward(const at::Tensor& x) {                                     // [B,N,W]
    const auto qkv = at::linear(x, in_proj_weight, in_proj_bias).chunk(3, -1);  // 3×[B,N,W]
    AttentionOptions options;
    options.heads = m_heads;
    options.causal = true;  // Ref: open_clip build_causal_mask (-inf above the diagonal)
    return out_proj(multiHeadAttention(qkv[0], qkv[1], qkv[2], options));
  }

  at::Tensor in_proj_weight;
  at::Tensor in_proj_bias;
  Linear out_proj{nullptr};

 private:
  int64_t m_heads;
};
TORCH_MODULE(OpenClipAttention);

class OpenClipMlpImpl : public torch::nn::Module {
 public:
  OpenClipMlpImpl(int64_t width, int64_t hidden, ClipActivation activation)
      : m_activation(activation) {
    c_fc = register_module("c_fc", Linear(LinearOptions(width, hidden)));
    c_proj = register_module("c_proj", Linear(LinearOptions(hidden, width)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,N,W] → [B,N,W]
    auto h = c_fc(x);                        // [B,N,M]
    h = m_activation == ClipActivation::Gelu ? at::gelu(h) : h * at::sigmoid(h * 1.702);
    return c_proj(h);
  }

  Linear c_fc{nullptr}, c_proj{nullptr};

 private:
  ClipActivation m_activation;
};
TORCH_MODULE(OpenClipMlp);

class OpenClipResidualBlockImpl : public torch::nn::Module {
 public:
  explicit OpenClipResidualBlockImpl(const OpenClipTextConfig& c) {
    ln_1 = register_module("ln_1", LayerNorm(LayerNormOptions(c.width, c.layerNormEps)));
    attn = register_module("attn", OpenClipAttention(c.width, c.heads));
    ln_2 = register_module("ln_2", LayerNorm(LayerNormOptions(c.width, c.layerNormEps)));
    mlp = register_module("mlp", OpenClipMlp(c.width, c.mlpWidth, c.activation));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,N,W]; no ls_1/ls_2 layer scale in SD models
    auto h = x + attn(ln_1(x));
    return h + mlp(ln_2(h));
  }

  LayerNorm ln_1{nullptr};
  OpenClipAttention attn{nullptr};
  LayerNorm ln_2{nullptr};
  OpenClipMlp mlp{nullptr};
};

// --- The model ----------------------------------------------------------------------------------

OpenClipTextModelImpl::OpenClipTextModelImpl(const OpenClipTextConfig& config) : m_config(config) {
  m_config.validate();
  m_tokenEmbedding =
      register_module("token_embedding", TokenEmbedding(m_config.vocabSize, m_config.width));
  m_positionalEmbedding = registerEmptyParameter(*this, "positional_embedding",
                                                 {m_config.contextLength, m_config.width});
  auto transformer = register_module("transformer", std::make_shared<torch::nn::Module>());
  auto resblocks = transformer->register_module("resblocks", std::make_shared<torch::nn::Module>());
  for (int64_t i = 0; i < m_config.layers; ++i) {
    m_blocks.push_back(resblocks->register_module(
        std::to_string(i), std::make_shared<OpenClipResidualBlockImpl>(m_config)));
  }
  m_lnFinal = register_module("ln_final",
                              LayerNorm(LayerNormOptions(m_config.width, m_config.layerNormEps)));
  m_textProjection =
      registerEmptyParameter(*this, "text_projection", {m_config.width, m_config.embedDim});
}

c10::ScalarType OpenClipTextModelImpl::dtype() const {
  return m_tokenEmbedding->weight.scalar_type();
}

c10::Device OpenClipTextModelImpl::device() const {
  return m_tokenEmbedding->weight.device();
}

at::Tensor OpenClipTextModelImpl::tokenEmbeddings(const at::Tensor& idsIn) {
  return m_tokenEmbedding(checkTokenIds(idsIn, m_config.vocabSize, m_config.contextLength,
                                        device()));  // [B,N,W]
}

OpenClipTextOutput OpenClipTextModelImpl::forward(const at::Tensor& idsIn, int64_t numLayers,
                                                  const at::Tensor& inputsEmbeds) {
  if (numLayers > m_config.layers) {
    throw std::invalid_argument("OpenCLIP text model: asked for " + std::to_string(numLayers) +
                                " layers, the model has " + std::to_string(m_config.layers));
  }
  if (numLayers < 0) numLayers = m_config.layers;
  const auto ids = checkTokenIds(idsIn, m_config.vocabSize, m_config.contextLength, device());
  const int64_t n = ids.size(1);

  OpenClipTextOutput out;
  out.hiddenStates.reserve(numLayers + 1);
  const auto tokens = inputsEmbeds.defined()
                          ? checkInputsEmbeds(inputsEmbeds, ids, m_config.width, dtype(), device())
                          : m_tokenEmbedding(ids);         // [B,N,W]
  auto x = tokens + m_positionalEmbedding.slice(0, 0, n);  // [B,N,W]
  out.hiddenStates.push_back(x);
  for (int64_t i = 0; i < numLayers; ++i) {
    x = m_blocks[i]->forward(x);  // [B,N,W]
    out.hiddenStates.push_back(x);
  }
  if (numLayers == m_config.layers) {
    out.lastLn = m_lnFinal(x);                                // [B,N,W]
    out.pooled = project(gatherAtEndToken(out.lastLn, ids));  // [B,E]
  }
  return out;
}

at::Tensor OpenClipTextModelImpl::lnFinal(const at::Tensor& hidden) {
  return m_lnFinal(hidden);
}

at::Tensor OpenClipTextModelImpl::project(const at::Tensor& x) {
  return at::matmul(x, m_textProjection);  // [...,W] @ [W,E] → [...,E]
}

OpenClipTextModel loadOpenClipTextModel(const SafetensorsFile& file, const std::string& prefix,
                                        c10::ScalarType dtype, c10::Device device,
                                        std::optional<int64_t> heads) {
  OpenClipTextModel model(OpenClipTextConfig::fromWeights(file, prefix, heads));
  loadModuleWeights(*model, file, prefix, dtype, device);
  model->eval();
  return model;
}

}  // namespace lienzo
