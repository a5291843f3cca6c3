// makeGuidedModel (core/pipeline/model_calls.h) with cond and uncond contexts of different
// lengths: a cross-attention model (DiffusionModel::contextTilable) gets one batch with both
// contexts tiled to a common length; a joint-attention model (MMDiT, Flux) must see each context
// as it is, so the halves run one after the other. The fake model's output depends on the
// number of context tokens (a sum over them), so tiling would change the guided result.
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_calls.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

class PooledText final : public TextConditioner {
 public:
  Conditioning encode(const std::string&, const TextOptions&) const override { return {}; }
  at::Tensor vector(const at::Tensor& pooled, int64_t, int64_t) const override { return pooled; }
};

/// out[b] = x[b] + Σ context[b] + Σ y[b]: repeated context tokens change it.
class SumModel final : public DiffusionModel {
 public:
  explicit SumModel(bool tilable) : m_tilable(tilable) {}
  at::Tensor forward(const at::Tensor& x, const at::Tensor&, const at::Tensor& context,
                     const at::Tensor& y, const UNetResiduals*) const override {
    calls.emplace_back(x.size(0), context.size(1));
    const at::Tensor s = context.sum({1, 2}) + y.sum(1);  // [B]
    return x + s.view({-1, 1, 1, 1});
  }
  bool contextTilable() const override { return m_tilable; }
  int64_t inChannels() const override { return 4; }
  int64_t latentChannels() const override { return 4; }
  int64_t widthHint() const override { return 1; }
  c10::ScalarType dtype() const override { return at::kFloat; }
  c10::Device device() const override { return at::kCPU; }
  mutable std::vector<std::pair<int64_t, int64_t>> calls;  ///< (batch, context tokens)

 private:
  bool m_tilable;
};

struct Case {
  ModelBundle bundle;
  std::shared_ptr<SumModel> model;
  Conditioning cond, uncond;
};

Case makeCase(bool tilable, int64_t condTokens, int64_t uncondTokens) {
  Case c;
  c.model = std::make_shared<SumModel>(tilable);
  c.bundle.diffusion = c.model;
  c.bundle.text = std::make_shared<PooledText>();
  c.cond.context = at::full({1, condTokens, 3}, 2.0f);
  c.cond.pooled = at::full({1, 5}, 0.5f);
  c.uncond.context = at::full({1, uncondTokens, 3}, 1.0f);
  c.uncond.pooled = at::full({1, 5}, 0.25f);
  return c;
}

/// The guided output with each half's own context: u + (c − u)·cfg.
at::Tensor expected(const Case& c, const at::Tensor& x, double cfg) {
  const double u = c.uncond.context.sum().item<double>() + c.uncond.pooled.sum().item<double>();
  const double co = c.cond.context.sum().item<double>() + c.cond.pooled.sum().item<double>();
  return x + (u + (co - u) * cfg);
}

TEST(GuidedModel, JointAttentionWithDifferentLengthsRunsTheHalvesUntiled) {
  c10::InferenceMode guard;
  const double cfg = 4.5;
  Case c = makeCase(/*tilable=*/false, 6, 4);  // lcm 12: tiling would repeat both
  const ModelFn f = makeGuidedModel(c.bundle, c.cond, c.uncond, cfg, 64, 64);
  const at::Tensor x = at::randn({1, 4, 2, 3});
  const at::Tensor out = f(x, at::ones({1}));
  EXPECT_TRUE(at::allclose(out, expected(c, x, cfg), 1e-5, 1e-5))
      << "guided output changed by tiling";
  ASSERT_EQ(c.model->calls.size(), 2u);
  EXPECT_EQ(c.model->calls[0], std::make_pair(int64_t{1}, int64_t{4}));  // uncond as it is
  EXPECT_EQ(c.model->calls[1], std::make_pair(int64_t{1}, int64_t{6}));  // cond as it is
}

TEST(GuidedModel, JointAttentionWithEqualLengthsStillBatches) {
  c10::InferenceMode guard;
  Case c = makeCase(/*tilable=*/false, 5, 5);
  const ModelFn f = makeGuidedModel(c.bundle, c.cond, c.uncond, 3.0, 64, 64);
  const at::Tensor x = at::randn({1, 4, 2, 3});
  EXPECT_TRUE(at::allclose(f(x, at::ones({1})), expected(c, x, 3.0), 1e-5, 1e-5));
  ASSERT_EQ(c.model->calls.size(), 1u);
  EXPECT_EQ(c.model->calls[0], std::make_pair(int64_t{2}, int64_t{5}));
}

TEST(GuidedModel, CrossAttentionWithDifferentLengthsBatchesTiled) {
  c10::InferenceMode guard;
  Case c = makeCase(/*tilable=*/true, 6, 4);
  const ModelFn f = makeGuidedModel(c.bundle, c.cond, c.uncond, 3.0, 64, 64);
  (void)f(at::randn({1, 4, 2, 3}), at::ones({1}));
  ASSERT_EQ(c.model->calls.size(), 1u);
  EXPECT_EQ(c.model->calls[0], std::make_pair(int64_t{2}, int64_t{12}));  // lcm(6, 4)
}

}  // namespace
}  // namespace lienzo
