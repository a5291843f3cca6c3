// Unit tests of the U-Net building blocks and configuration (no fixtures): timestep embedding
// formula, key layout, real-model parameter counts, odd latent sizes, memory formats, errors.
#include "core/model/unet.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

namespace lienzo {
namespace {

using testing::expectAllClose;
using testing::expectTensorNear;

/// A small SD1-like U-Net (3 levels, attention on the first two, conv projections).
UNetConfig tinyConfig() {
  UNetConfig c;
  c.modelChannels = 32;
  c.channelMult = {1, 2, 2};
  c.numResBlocks = {1, 1, 1};
  c.transformerDepth = {1, 1, 0};
  c.transformerDepthMiddle = 1;
  c.contextDim = 24;
  c.numHeads = 4;
  c.numHeadChannels = -1;
  return c;
}

void randomise(torch::nn::Module& module, uint64_t seed) {
  at::NoGradGuard noGrad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& p : module.parameters()) p.normal_(0.0, 0.2, gen);
}

int64_t parameterCount(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

TEST(TimestepEmbedding, CosFirstSinusoidsInDouble) {
  const at::Tensor t = at::tensor({0.0f, 1.0f, 250.5f, 999.0f});
  const int64_t dim = 32, half = dim / 2;
  const at::Tensor emb = timestepEmbedding(t, dim);
  ASSERT_EQ(emb.sizes(), (std::vector<int64_t>{4, dim}));
  at::Tensor expected = at::empty({4, dim}, at::kDouble);
  for (int64_t b = 0; b < 4; ++b) {
    for (int64_t i = 0; i < half; ++i) {
      const double freq = std::exp(-std::log(10000.0) * static_cast<double>(i) / half);
      const double arg = t[b].item<double>() * freq;
      expected[b][i] = std::cos(arg);
      expected[b][half + i] = std::sin(arg);
    }
  }
  // float32 arguments up to ~1000 rad carry ~6e-5 absolute phase error.
  expectAllClose(emb.to(at::kDouble), expected, 2e-4, 0.0, "timestep embedding");
  // t = 0: cos = 1, sin = 0 exactly.
  EXPECT_TRUE(at::equal(emb[0].narrow(0, 0, half), at::ones({half})));
  EXPECT_TRUE(at::equal(emb[0].narrow(0, half, half), at::zeros({half})));
}

TEST(TimestepEmbedding, OddDimensionGetsZeroColumn) {
  const at::Tensor emb = timestepEmbedding(at::tensor({3.0f, 7.0f}), 9);
  ASSERT_EQ(emb.sizes(), (std::vector<int64_t>{2, 9}));
  EXPECT_TRUE(at::equal(emb.select(1, 8), at::zeros({2})));
}

TEST(UNetConfig, PresetsMatchReleasedParameterCounts) {
  // Parameter counts of the released U-Nets (diffusers UNet2DConditionModel.num_parameters()).
  // The modules are built with uninitialised storage, so this costs no real memory.
  EXPECT_EQ(parameterCount(*UNet(UNetConfig::sd15())), 859520964);
  EXPECT_EQ(parameterCount(*UNet(UNetConfig::sd21())), 865910724);
  EXPECT_EQ(parameterCount(*UNet(UNetConfig::sdxlBase())), 2567463684);
}

TEST(UNetConfig, HeadsFollowReferenceRule) {
  UNetConfig c = UNetConfig::sd15();
  EXPECT_EQ(c.headsFor(320), (std::pair<int64_t, int64_t>{8, 40}));
  EXPECT_EQ(c.headsFor(1280), (std::pair<int64_t, int64_t>{8, 160}));
  c = UNetConfig::sdxlBase();
  EXPECT_EQ(c.headsFor(640), (std::pair<int64_t, int64_t>{10, 64}));
  EXPECT_EQ(c.headsFor(1280), (std::pair<int64_t, int64_t>{20, 64}));
}

TEST(UNetConfig, ValidateRejectsInconsistentConfigs) {
  UNetConfig c = tinyConfig();
  c.numResBlocks = {1, 1};
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = tinyConfig();
  c.numHeads = 5;  // 32 channels do not split into 5 heads
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = tinyConfig();
  c.contextDim = 0;
  EXPECT_THROW(UNet{c}, std::invalid_argument);
  EXPECT_NO_THROW(tinyConfig().validate());
}

TEST(UNet, KeyLayoutFollowsOriginalCheckpoints) {
  UNetConfig c = tinyConfig();
  c.admInChannels = 12;
  c.linearProjection = true;
  UNet unet(c);
  std::set<std::string> keys;
  for (const auto& p : unet->named_parameters(true)) keys.insert(p.key());
  for (const char* key : {"time_embed.0.weight",
                          "time_embed.2.bias",
                          "label_emb.0.0.weight",
                          "label_emb.0.2.bias",
                          "input_blocks.0.0.weight",
                          "input_blocks.1.0.in_layers.0.weight",
                          "input_blocks.1.0.in_layers.2.weight",
                          "input_blocks.1.0.emb_layers.1.weight",
                          "input_blocks.1.0.out_layers.0.bias",
                          "input_blocks.1.0.out_layers.3.weight",
                          "input_blocks.1.1.norm.weight",
                          "input_blocks.1.1.proj_in.weight",
                          "input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight",
                          "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight",
                          "input_blocks.1.1.transformer_blocks.0.attn2.to_out.0.bias",
                          "input_blocks.1.1.transformer_blocks.0.ff.net.0.proj.weight",
                          "input_blocks.1.1.transformer_blocks.0.ff.net.2.weight",
                          "input_blocks.1.1.transformer_blocks.0.norm3.bias",
                          "input_blocks.2.0.op.weight",
                          "input_blocks.3.0.skip_connection.weight",
                          "middle_block.0.in_layers.0.weight",
                          "middle_block.1.transformer_blocks.0.norm1.weight",
                          "middle_block.2.out_layers.3.bias",
                          "output_blocks.0.0.skip_connection.weight",
                          "output_blocks.1.1.conv.weight",
                          "output_blocks.3.2.conv.weight",
                          "out.0.weight",
                          "out.2.bias"}) {
    EXPECT_TRUE(keys.count(key)) << key;
  }
  EXPECT_FALSE(keys.count("input_blocks.1.0.skip_connection.weight"));  // 32 -> 32: identity
  EXPECT_FALSE(keys.count("input_blocks.1.1.transformer_blocks.0.attn1.to_q.bias"));
  EXPECT_EQ(unet->named_parameters(true)["input_blocks.1.1.proj_in.weight"].dim(), 2);
}

TEST(UNet, OddAndNonSquareLatentsKeepTheirSize) {
  UNet unet(tinyConfig());
  randomise(*unet, 7);
  c10::InferenceMode guard;
  const at::Tensor ctx = at::randn({1, 77, 24});
  // 5x7 -> 3x4 -> 2x2: every Upsample must resize to its skip's size.
  for (auto hw : {std::pair<int64_t, int64_t>{5, 7}, {8, 12}, {3, 3}}) {
    const at::Tensor x = at::randn({1, 4, hw.first, hw.second});
    const at::Tensor out = unet->forward(x, at::tensor({500.0f}), ctx);
    EXPECT_EQ(out.sizes(), x.sizes());
    EXPECT_TRUE(at::isfinite(out).all().item<bool>());
  }
}

TEST(UNet, UpsampleToExplicitDoubleSizeEqualsScaleTwo) {
  Upsample up(32);
  randomise(*up, 3);
  const at::Tensor x = at::randn({2, 32, 3, 5});
  expectTensorNear(up->forward(x, std::vector<int64_t>{6, 10}), up->forward(x), 0.0, "upsample");
  EXPECT_EQ(up->forward(x, std::vector<int64_t>{5, 9}).sizes(),
            (std::vector<int64_t>{2, 32, 5, 9}));
}

TEST(UNet, ChannelsLastBatchAndBroadcastTimestepAgree) {
  UNet unet(tinyConfig());
  randomise(*unet, 11);
  c10::InferenceMode guard;
  const at::Tensor x = at::randn({2, 4, 8, 16});
  const at::Tensor ctx = at::randn({2, 77, 24});
  const at::Tensor ref = unet->forward(x, at::tensor({321.0f, 321.0f}), ctx);
  const at::Tensor cl =
      unet->forward(x.contiguous(at::MemoryFormat::ChannelsLast), at::tensor({321.0f}), ctx);
  expectTensorNear(cl, ref, 1e-5, "channels_last + broadcast timestep");
  // Batch items are independent: the second item alone gives the same result.
  const at::Tensor single =
      unet->forward(x.narrow(0, 1, 1), at::tensor({321.0f}), ctx.narrow(0, 1, 1));
  expectTensorNear(single, ref.narrow(0, 1, 1), 1e-5, "batch independence");
  // Longer context (77 * 2 tokens) is accepted.
  EXPECT_EQ(unet->forward(x, at::tensor({1.0f}), at::randn({2, 154, 24})).sizes(), x.sizes());
}

TEST(UNet, InvalidInputsThrow) {
  UNetConfig c = tinyConfig();
  UNet plain(c);
  randomise(*plain, 1);
  c.admInChannels = 12;
  UNet withY(c);
  randomise(*withY, 2);
  c10::InferenceMode guard;
  const at::Tensor x = at::randn({2, 4, 8, 8});
  const at::Tensor t = at::tensor({10.0f, 20.0f});
  const at::Tensor ctx = at::randn({2, 77, 24});
  EXPECT_THROW(plain->forward(at::randn({2, 3, 8, 8}), t, ctx), std::invalid_argument);
  EXPECT_THROW(plain->forward(at::randn({4, 8, 8}), t, ctx), std::invalid_argument);
  EXPECT_THROW(plain->forward(x, at::tensor({1.0f, 2.0f, 3.0f}), ctx), std::invalid_argument);
  EXPECT_THROW(plain->forward(x, t, at::randn({1, 77, 24})), std::invalid_argument);
  EXPECT_THROW(plain->forward(x, t, at::randn({2, 77, 16})), std::invalid_argument);
  EXPECT_THROW(plain->forward(x, t, at::Tensor()), std::invalid_argument);
  EXPECT_THROW(plain->forward(x, t, ctx, at::randn({2, 12})), std::invalid_argument);
  EXPECT_THROW(withY->forward(x, t, ctx), std::invalid_argument);
  EXPECT_THROW(withY->forward(x, t, ctx, at::randn({2, 11})), std::invalid_argument);
  EXPECT_EQ(withY->forward(x, t, ctx, at::randn({2, 12})).sizes(), x.sizes());
}

}  // namespace
}  // namespace lienzo
