#include "core/model/flux.h"

#include "core/io/safetensors.h"
#include "core/model/buffer_recycling.h"
#include "core/model/layers.h"
#include "core/model/unet_blocks.h"  // registerNested

#include <ATen/ATen.h>

#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

namespace {

constexpr int64_t kTimestepDim = 256;  // Flux.time_in / guidance_in input width

[[noreturn]] void configError(const std::string& why) {
  throw std::invalid_argument("FluxConfig: " + why);
}

}  // namespace

// ---- configuration --------------------------------------------------------------------------

std::vector<int64_t> fluxDefaultAxesDim(int64_t headDim) {
  // Ref: flux/util.py configs["flux-dev"/"flux-schnell"] axes_dim [16, 56, 56] (hidden 3072,
  // 24 heads); diffusers FluxTransformer2DModel axes_dims_rope default (16, 56, 56).
  if (headDim == 128) return {16, 56, 56};
  throw std::invalid_argument("Flux: no known RoPE axes split for head dim " +
                              std::to_string(headDim) +
                              " (released models use 128 = 16+56+56); give axes_dim explicitly");
}

std::optional<std::string> findFluxPrefix(const SafetensorsFile& file) {
  for (const std::string prefix : {"", "model.diffusion_model."}) {
    if (file.contains(prefix + "img_in.weight") &&
        file.contains(prefix + "double_blocks.0.img_attn.qkv.weight"))
      return prefix;
  }
  return std::nullopt;
}

// Ref: flux/model.py Flux.__init__ (the shapes each FluxParams field gives).
FluxConfig FluxConfig::fromShapes(const TensorShapes& shapes, const std::string& prefix,
                                  const std::string& source,
                                  const std::optional<std::vector<int64_t>>& axesDim) {
  auto contains = [&](const std::string& key) { return shapes.count(key) != 0; };
  auto shape = [&](const std::string& key) -> const std::vector<int64_t>& {
    if (!contains(prefix + key))
      throw std::invalid_argument(source + ": no Flux transformer under prefix '" + prefix +
                                  "' (missing " + prefix + key + ")");
    const auto& s = shapes.at(prefix + key);
    if (s.empty()) throw std::invalid_argument(source + ": " + prefix + key + " is a scalar");
    return s;
  };
  auto dim = [&](const std::string& key, std::size_t axis) {
    const auto& s = shape(key);
    if (s.size() <= axis)
      throw std::invalid_argument(source + ": " + prefix + key + " has rank " +
                                  std::to_string(s.size()));
    return s[axis];
  };
  FluxConfig c;
  c.hidden = dim("img_in.weight", 0);  // [hidden, in]
  c.inChannels = dim("img_in.weight", 1);
  c.outChannels = dim("final_layer.linear.weight", 0);  // [out, hidden]
  c.vecInDim = dim("vector_in.in_layer.weight", 1);     // [hidden, vec]
  c.contextInDim = dim("txt_in.weight", 1);             // [hidden, ctx]
  const int64_t headDim = dim("double_blocks.0.img_attn.norm.query_norm.scale", 0);
  if (headDim <= 0 || c.hidden % headDim != 0)
    throw std::invalid_argument(source + ": hidden width " + std::to_string(c.hidden) +
                                " is not a multiple of the head dim " + std::to_string(headDim));
  c.heads = c.hidden / headDim;
  c.mlpHidden = dim("double_blocks.0.img_mlp.0.weight", 0);  // [mlp, hidden]
  c.qkvBias = contains(prefix + "double_blocks.0.img_attn.qkv.bias");
  c.guidanceEmbed = contains(prefix + "guidance_in.in_layer.weight");
  c.depth = 0;
  while (contains(prefix + "double_blocks." + std::to_string(c.depth) + ".img_attn.qkv.weight"))
    ++c.depth;
  c.depthSingle = 0;
  while (contains(prefix + "single_blocks." + std::to_string(c.depthSingle) + ".linear1.weight"))
    ++c.depthSingle;
  c.axesDim = axesDim ? *axesDim : fluxDefaultAxesDim(headDim);
  c.theta = 10000.0;
  c.validate();
  return c;
}

FluxConfig FluxConfig::fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                   const std::optional<std::vector<int64_t>>& axesDim) {
  TensorShapes shapes;
  for (const auto& name : file.names()) shapes.emplace(name, file.info(name).shape);
  return fromShapes(shapes, prefix, file.path().string(), axesDim);
}

FluxConfig FluxConfig::dev() {
  return FluxConfig{};  // the member defaults are FLUX.1 [dev]
}

FluxConfig FluxConfig::schnell() {
  FluxConfig c;
  c.guidanceEmbed = false;
  return c;
}

void FluxConfig::validate() const {
  if (inChannels <= 0 || outChannels <= 0 || vecInDim <= 0 || contextInDim <= 0 || hidden <= 0 ||
      heads <= 0 || mlpHidden <= 0)
    configError("non-positive width or head count");
  if (depth < 0 || depthSingle < 0) configError("negative depth");
  if (hidden % heads != 0)
    configError("hidden " + std::to_string(hidden) + " does not split into " +
                std::to_string(heads) + " heads");
  if (axesDim.empty()) configError("axesDim is empty");
  for (int64_t d : axesDim)
    if (d <= 0 || d % 2 != 0) configError("every RoPE axis width must be positive and even");
  const int64_t sum = std::accumulate(axesDim.begin(), axesDim.end(), int64_t{0});
  if (sum != headDim())
    configError("RoPE axes sum to " + std::to_string(sum) + " but the head dim is " +
                std::to_string(headDim()));
  if (!(theta > 0.0)) configError("theta must be positive");
}

// ---- model ----------------------------------------------------------------------------------

// Ref: flux/model.py Flux.__init__.
FluxImpl::FluxImpl(FluxConfig config) : m_config(std::move(config)) {
  const FluxConfig& c = m_config;
  c.validate();
  m_imgIn = register_module("img_in", PackedLinear(LinearOptions(c.inChannels, c.hidden)));
  m_timeIn = register_module("time_in", FluxMlpEmbedder(kTimestepDim, c.hidden));
  m_vectorIn = register_module("vector_in", FluxMlpEmbedder(c.vecInDim, c.hidden));
  if (c.guidanceEmbed)
    m_guidanceIn = register_module("guidance_in", FluxMlpEmbedder(kTimestepDim, c.hidden));
  m_txtIn = register_module("txt_in", PackedLinear(LinearOptions(c.contextInDim, c.hidden)));
  FluxBlockOptions o;
  o.hidden = c.hidden;
  o.heads = c.heads;
  o.mlpHidden = c.mlpHidden;
  o.qkvBias = c.qkvBias;
  for (int64_t i = 0; i < c.depth; ++i) {
    m_double.emplace_back(o);
    registerNested(*this, "double_blocks." + std::to_string(i), m_double.back().ptr());
  }
  for (int64_t i = 0; i < c.depthSingle; ++i) {
    m_single.emplace_back(o);
    registerNested(*this, "single_blocks." + std::to_string(i), m_single.back().ptr());
  }
  m_finalLayer = register_module("final_layer", FluxLastLayer(c.hidden, c.outChannels));
}

c10::ScalarType FluxImpl::dtype() const {
  return m_imgIn->weight.scalar_type();
}

c10::Device FluxImpl::device() const {
  return m_imgIn->weight.device();
}

// Ref: flux/model.py Flux.forward.
at::Tensor FluxImpl::forward(const at::Tensor& img, const at::Tensor& imgIds, const at::Tensor& txt,
                             const at::Tensor& txtIds, const at::Tensor& timesteps,
                             const at::Tensor& y, const at::Tensor& guidance,
                             const FluxTraceFn* trace) {
  const FluxConfig& c = m_config;
  const int64_t axes = static_cast<int64_t>(c.axesDim.size());
  auto fail = [](const std::string& what, const std::string& want, const at::Tensor& got) {
    throw std::invalid_argument("Flux: " + what + " must be " + want + ", got " + shapeText(got));
  };
  if (!img.defined() || img.dim() != 3 || img.size(2) != c.inChannels)
    fail("img", "[B, N, " + std::to_string(c.inChannels) + "]", img);
  const int64_t batch = img.size(0), n = img.size(1);
  if (!txt.defined() || txt.dim() != 3 || txt.size(0) != batch || txt.size(2) != c.contextInDim)
    fail("txt", "[B, Lt, " + std::to_string(c.contextInDim) + "]", txt);
  const int64_t lt = txt.size(1);
  if (!imgIds.defined() || imgIds.dim() != 3 || imgIds.size(0) != batch || imgIds.size(1) != n ||
      imgIds.size(2) != axes)
    fail("img_ids", "[B, N, " + std::to_string(axes) + "]", imgIds);
  if (!txtIds.defined() || txtIds.dim() != 3 || txtIds.size(0) != batch || txtIds.size(1) != lt ||
      txtIds.size(2) != axes)
    fail("txt_ids", "[B, Lt, " + std::to_string(axes) + "]", txtIds);
  auto perSample = [&](const at::Tensor& t, const char* what) {
    if (!t.defined() || (t.numel() != batch && t.numel() != 1)) fail(what, "[B] or [1]", t);
    return t.to(device(), at::kFloat).reshape({-1}).expand({batch});
  };
  const at::Tensor tVec = perSample(timesteps, "timesteps");
  if (!y.defined() || y.dim() != 2 || y.size(0) != batch || y.size(1) != c.vecInDim)
    fail("y", "[B, " + std::to_string(c.vecInDim) + "]", y);
  if (c.guidanceEmbed && !guidance.defined())
    throw std::invalid_argument("Flux: this guidance-distilled (dev) model needs a guidance value");
  auto emit = [&](const std::string& name, const at::Tensor& value) {
    if (trace && *trace) (*trace)(name, value);
  };

  // Large activations and the per-layer expanded weights of packed GGUF layers are freed and
  // reallocated at every block: recycle them instead of page-faulting fresh mappings (measured:
  // 11.6 M minor faults per Flux Q4_0 step without; docs/gguf.md).
  const BufferRecyclingScope recycling(std::size_t{256} << 20);
  const auto dt = dtype();
  const auto dev = device();
  at::Tensor x = m_imgIn->forward(img.to(dev, dt));  // [B, N, hidden]
  at::Tensor vec = m_timeIn->forward(fluxTimestepEmbedding(tVec, kTimestepDim).to(dt));
  if (c.guidanceEmbed) {
    const at::Tensor g = perSample(guidance, "guidance");
    vec = vec + m_guidanceIn->forward(fluxTimestepEmbedding(g, kTimestepDim).to(dt));
  }
  vec = vec + m_vectorIn->forward(y.to(dev, dt));          // [B, hidden]
  at::Tensor context = m_txtIn->forward(txt.to(dev, dt));  // [B, Lt, hidden]
  emit("vec", vec);

  const at::Tensor ids = at::cat({txtIds.to(dev, at::kFloat), imgIds.to(dev, at::kFloat)}, 1);
  const FluxRope rope = fluxRope(ids, c.axesDim, c.theta);  // over [txt; img]
  if (trace && *trace) emit("pe", rope.asMatrices());

  for (std::size_t i = 0; i < m_double.size(); ++i) {
    m_double[i]->forward(x, context, vec, rope);
    emit("double" + std::to_string(i) + ".img", x);
    emit("double" + std::to_string(i) + ".txt", context);
  }
  at::Tensor joint = at::cat({context, x}, 1);  // [B, Lt + N, hidden]
  for (std::size_t i = 0; i < m_single.size(); ++i) {
    joint = m_single[i]->forward(joint, vec, rope);
    emit("single" + std::to_string(i), joint);
  }
  const at::Tensor imgTokens = joint.narrow(1, lt, n);
  emit("final_layer_in", imgTokens);
  return m_finalLayer->forward(imgTokens, vec).to(img.scalar_type());  // [B, N, out]
}

Flux loadFlux(const SafetensorsFile& file, c10::ScalarType dtype, c10::Device device,
              const std::optional<std::vector<int64_t>>& axesDim) {
  const auto prefix = findFluxPrefix(file);
  if (!prefix)
    throw std::invalid_argument(file.path().string() +
                                ": no Flux transformer (neither img_in.weight nor "
                                "model.diffusion_model.img_in.weight with double_blocks)");
  Flux flux(FluxConfig::fromWeights(file, *prefix, axesDim));
  loadModuleWeights(*flux, file, *prefix, dtype, device);
  return flux;
}

}  // namespace lienzo
