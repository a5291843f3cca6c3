// ControlNet units: scales, both window rules, the key maps of the three layouts, an SDXL
// ControlNet in the diffusers layout built here (structure, 10 residuals, into an SDXL U-Net),
// the refusal of an SD 1.x ControlNet on SDXL, the U-Net's residual checks, request validation
// and the sd-webui-controlnet infotext both ways.
#include "core/control/control_schedule.h"
#include "core/control/controlnet_file.h"
#include "core/io/infotext.h"
#include "core/io/safetensors.h"
#include "core/pipeline/control_infotext.h"
#include "core/pipeline/control_stage.h"
#include "core/pipeline/params_infotext.h"
#include "core/sampling/schedule.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>

namespace lienzo {
namespace {

TEST(ControlSchedule, PlainAndSoftScales) {
  const auto plain = controlScales(13, 0.5, false);
  ASSERT_EQ(plain.size(), 13u);
  for (float s : plain) EXPECT_EQ(s, 0.5f);
  const auto soft = controlScales(13, 1.0, true);
  EXPECT_EQ(soft[12], 1.0f);  // the middle block
  EXPECT_EQ(soft[11], 0.825f);
  EXPECT_NEAR(soft[0], 0.0994, 5e-5);                          // 0.825^12
  EXPECT_EQ(soft[3], static_cast<float>(std::pow(0.825, 9)));  // float32 of the double
  const auto sdxl = controlScales(10, 2.0, true);              // 9 skips + middle
  ASSERT_EQ(sdxl.size(), 10u);
  EXPECT_EQ(sdxl[9], 2.0f);
  EXPECT_EQ(sdxl[0], static_cast<float>(2.0 * std::pow(0.825, 9)));
}

TEST(ControlSchedule, A1111WindowLagsByOneStep) {
  auto pattern = [](int steps, double start, double end) {
    std::string out;
    for (int i = 0; i < steps; ++i)
      out += a1111ControlActive(a1111SamplingStep(i), steps, start, end) ? '1' : '0';
    return out;
  };
  EXPECT_EQ(pattern(8, 0.0, 0.5), "11111100");  // not 11110000
  EXPECT_EQ(pattern(8, 0.0, 1.0), "11111111");
  EXPECT_EQ(pattern(8, 0.5, 1.0), "00000111");  // sampling_step 4 is step 5
  EXPECT_EQ(pattern(4, 0.0, 0.0), "1100");
}

TEST(ControlSchedule, ComfyWindowOnSigmas) {
  const DiscreteSchedule schedule = DiscreteSchedule::scaledLinear(1000, 0.00085, 0.012);
  EXPECT_EQ(comfyPercentToSigma(schedule, 0.0), 999999999.9);
  EXPECT_EQ(comfyPercentToSigma(schedule, -1.0), 999999999.9);
  EXPECT_EQ(comfyPercentToSigma(schedule, 1.0), 0.0);
  const double mid = comfyPercentToSigma(schedule, 0.5);
  EXPECT_NEAR(mid, schedule.tToSigma(at::tensor({499.5f})).item<double>(), 0.0);
  EXPECT_TRUE(comfyControlActive(mid + 1.0, 999999999.9, mid));
  EXPECT_TRUE(comfyControlActive(mid, 999999999.9, mid));
  EXPECT_FALSE(comfyControlActive(mid - 1e-3, 999999999.9, mid));
  EXPECT_FALSE(comfyControlActive(2.0, 1.0, 0.0));  // before the start
}

// ---- key layouts ----------------------------------------------------------------------------

/// A ControlNet with random weights (named by the original layout).
ControlNet randomNet(const ControlNetConfig& config, uint64_t seed) {
  ControlNet net(config);
  at::manual_seed(seed);
  torch::NoGradGuard noGrad;
  for (auto& p : net->named_parameters()) p.value().uniform_(-0.2, 0.2);
  return net;
}

NamedTensors stateOf(torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.key(), p.value().contiguous());
  return out;
}

/// A tiny SDXL-shaped ControlNet: 3 levels, no attention at the first, a `y` vector.
ControlNetConfig tinySdxlConfig() {
  ControlNetConfig c;
  UNetConfig& u = c.unet;
  u.family = UNetFamily::SDXL;
  u.modelChannels = 64;
  u.channelMult = {1, 2, 2};
  u.numResBlocks = {2, 2, 2};
  u.transformerDepth = {0, 1, 1};
  u.transformerDepthMiddle = 1;
  u.contextDim = 32;
  u.linearProjection = true;
  u.admInChannels = 16;
  u.numHeads = -1;
  u.numHeadChannels = 64;
  c.hintWidths = {16, 16, 32, 32, 96, 96, 256, 64};
  return c;
}

TEST(ControlNetKeys, DiffusersNamesMapBothWays) {
  const ControlNetConfig config = tinySdxlConfig();
  ControlNet net = randomNet(config, 1);
  const NamedTensors original = stateOf(*net);
  const NamedTensors diffusers = controlNetOriginalToDiffusers(original);
  std::map<std::string, std::string> renamed;  // original -> diffusers, by tensor identity
  for (const auto& [k, t] : original)
    for (const auto& [dk, dt] : diffusers)
      if (dt.is_same(t)) renamed[k] = dk;
  ASSERT_EQ(renamed.size(), original.size());
  EXPECT_EQ(renamed["input_hint_block.0.weight"], "controlnet_cond_embedding.conv_in.weight");
  EXPECT_EQ(renamed["input_hint_block.2.bias"], "controlnet_cond_embedding.blocks.0.bias");
  EXPECT_EQ(renamed["input_hint_block.12.weight"], "controlnet_cond_embedding.blocks.5.weight");
  EXPECT_EQ(renamed["input_hint_block.14.weight"], "controlnet_cond_embedding.conv_out.weight");
  EXPECT_EQ(renamed["zero_convs.8.0.weight"], "controlnet_down_blocks.8.weight");
  EXPECT_EQ(renamed["middle_block_out.0.bias"], "controlnet_mid_block.bias");
  EXPECT_EQ(renamed["input_blocks.0.0.weight"], "conv_in.weight");
  EXPECT_EQ(renamed["time_embed.0.weight"], "time_embedding.linear_1.weight");
  EXPECT_EQ(renamed["label_emb.0.2.weight"], "add_embedding.linear_2.weight");
  EXPECT_EQ(renamed["input_blocks.4.0.in_layers.0.weight"], "down_blocks.1.resnets.0.norm1.weight");
  EXPECT_EQ(renamed["input_blocks.3.0.op.weight"], "down_blocks.0.downsamplers.0.conv.weight");
  EXPECT_EQ(renamed["middle_block.2.out_layers.3.weight"], "mid_block.resnets.1.conv2.weight");
  EXPECT_EQ(renamed["input_blocks.5.1.proj_in.weight"],
            "down_blocks.1.attentions.1.proj_in.weight");
  // And back again, name for name.
  const NamedTensors back = controlNetDiffusersToOriginal(diffusers);
  std::map<std::string, at::Tensor> byName(back.begin(), back.end());
  for (const auto& [k, t] : original) {
    ASSERT_TRUE(byName.count(k)) << k;
    EXPECT_TRUE(byName[k].is_same(t)) << k;
  }
  // Keys this table does not know (e.g. a "union" ControlNet) are named, never dropped.
  try {
    controlNetDiffusersToOriginal({{"controlnet_cond_embedding.blocks.9.weight", at::zeros({1})}});
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("blocks.9"), std::string::npos);
  }
  EXPECT_THROW(controlNetDiffusersToOriginal({{"task_embedding", at::zeros({1})}}),
               std::invalid_argument);
}

TEST(ControlNetSdxl, DiffusersLayoutStructureAndTenResiduals) {
  c10::InferenceMode guard;
  const ControlNetConfig config = tinySdxlConfig();
  EXPECT_EQ(config.residualCount(), 10);
  ControlNet reference = randomNet(config, 2);
  // Written as diffusers distributes SDXL ControlNets, in bf16.
  NamedTensors tensors = controlNetOriginalToDiffusers(stateOf(*reference));
  for (auto& kt : tensors) kt.second = kt.second.to(at::kBFloat16);
  const auto dir = testing::makeTempDir("controlnet-sdxl");
  writeSafetensors(dir / "cn-sdxl.safetensors", tensors);
  const ControlNetFile file = openControlNetFile(dir / "cn-sdxl.safetensors");
  EXPECT_EQ(file.layout, ControlNetLayout::Diffusers);
  EXPECT_EQ(file.storedDtype, "BF16");
  EXPECT_EQ(file.config.unet.family, UNetFamily::SDXL);
  EXPECT_EQ(file.config.unet.admInChannels, 16);
  EXPECT_EQ(file.config.unet.channelMult, config.unet.channelMult);
  EXPECT_EQ(file.config.unet.numResBlocks, config.unet.numResBlocks);
  EXPECT_EQ(file.config.unet.transformerDepth, config.unet.transformerDepth);
  EXPECT_TRUE(file.config.unet.linearProjection);
  EXPECT_EQ(file.config.hintWidths, config.hintWidths);
  EXPECT_EQ(file.config.residualCount(), 10);
  ControlNet net = loadControlNet(file, file.config, at::kFloat);

  // The reference with the same bf16-rounded weights gives the same residuals.
  {
    torch::NoGradGuard noGrad;
    for (auto& p : reference->named_parameters())
      p.value().copy_(p.value().to(at::kBFloat16).to(at::kFloat));
  }
  const int64_t b = 2, h = 8, w = 12;
  at::manual_seed(3);
  const at::Tensor x = at::randn({b, 4, h, w});
  const at::Tensor hint = at::rand({1, 3, 8 * h, 8 * w});
  const at::Tensor t = at::tensor({900.5f, 10.0f});
  const at::Tensor ctx = at::randn({b, 77, 32});
  const at::Tensor y = at::randn({b, 16});
  const UNetResiduals r = net->forward(x, net->hintEmbedding(hint), t, ctx, y);
  const UNetResiduals e = reference->forward(x, reference->hintEmbedding(hint), t, ctx, y);
  ASSERT_EQ(r.skips.size(), 9u);  // + the middle = 10
  ASSERT_TRUE(r.middle.defined());
  const std::vector<int64_t> channels = {64, 64, 64, 64, 128, 128, 128, 128, 128};
  const std::vector<int64_t> scale = {1, 1, 1, 2, 2, 2, 4, 4, 4};
  for (std::size_t i = 0; i < r.skips.size(); ++i) {
    EXPECT_EQ(r.skips[i].sizes(), at::IntArrayRef({b, channels[i], h / scale[i], w / scale[i]}))
        << i;
    testing::expectTensorNear(r.skips[i], e.skips[i], 1e-5, "skip " + std::to_string(i));
  }
  EXPECT_EQ(r.middle.sizes(), at::IntArrayRef({b, 128, h / 4, w / 4}));
  testing::expectTensorNear(r.middle, e.middle, 1e-5, "middle");

  // Into an SDXL U-Net of the same shape: accepted, and it changes the prediction.
  UNetConfig unetConfig = config.unet;
  UNet unet(unetConfig);
  {
    torch::NoGradGuard noGrad;
    for (auto& p : unet->named_parameters()) p.value().uniform_(-0.2, 0.2);
  }
  const at::Tensor plain = unet->forward(x, t, ctx, y);
  const at::Tensor controlled = unet->forward(x, t, ctx, y, &r);
  EXPECT_EQ(controlled.sizes(), plain.sizes());
  EXPECT_GT((controlled - plain).abs().max().item<double>(), 1e-3);
  // A residual list of another architecture is refused by the U-Net.
  UNetResiduals wrong = r;
  wrong.skips.pop_back();
  EXPECT_THROW(unet->forward(x, t, ctx, y, &wrong), std::invalid_argument);
  wrong = r;
  wrong.middle = at::zeros({b, 64, h / 4, w / 4});
  EXPECT_THROW(unet->forward(x, t, ctx, y, &wrong), std::invalid_argument);
  // A hint that is not 8x the latent.
  EXPECT_THROW(net->forward(x, net->hintEmbedding(at::rand({1, 3, 8 * h, 8 * w + 8})), t, ctx, y),
               std::invalid_argument);
}

TEST(ControlNetFiles, NotAControlNetIsNamed) {
  const auto dir = testing::makeTempDir("controlnet-bad");
  writeSafetensors(dir / "lora.safetensors", {{"lora_unet_x.lora_up.weight", at::zeros({2, 2})}});
  try {
    openControlNetFile(dir / "lora.safetensors");
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("is not a ControlNet"), std::string::npos);
  }
}

// ---- the request ----------------------------------------------------------------------------

TEST(ControlStage, Sd1ControlNetOnSdxlIsRefusedByName) {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.computeHash = false;
  const auto bundle = loadModelBundle(testing::fixturePath("sdxl/tiny-sdxl.safetensors"), options);
  GenerationParams p;
  ControlUnit u;
  u.model = testing::fixturePath("controlnet/tiny-controlnet-sd1.safetensors").string();
  u.image = RgbImage{64, 64, std::vector<uint8_t>(64 * 64 * 3, 0)};
  p.controls = {u};
  c10::InferenceMode guard;
  try {
    ActiveControl control(*bundle, p, 64, 64);
    FAIL() << "no throw";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
    const std::string what = e.what();
    EXPECT_NE(what.find("tiny-controlnet-sd1"), std::string::npos) << what;
    EXPECT_NE(what.find("ControlNet for SD 1.x"), std::string::npos) << what;
    EXPECT_NE(what.find("is SDXL"), std::string::npos) << what;
  }
  // A name that finds no file.
  p.controls[0].model = "no-such-controlnet";
  try {
    ActiveControl control(*bundle, p, 64, 64);
    FAIL() << "no throw";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
    EXPECT_NE(std::string(e.what()).find("no-such-controlnet"), std::string::npos);
  }
}

TEST(ControlStage, ValidationNamesTheUnit) {
  GenerationParams p;
  p.width = p.height = 64;
  ControlUnit u;
  u.model = "m";
  u.image = RgbImage{8, 8, std::vector<uint8_t>(8 * 8 * 3, 0)};
  auto refused = [&](const ControlUnit& unit, const std::string& words) {
    GenerationParams q = p;
    q.controls = {u, unit};
    try {
      validateParams(q);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const GenerationError& e) {
      EXPECT_NE(std::string(e.what()).find("ControlNet 1"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  ControlUnit bad = u;
  bad.weight = 11;
  refused(bad, "weight");
  bad = u;
  bad.start = 0.6;
  bad.end = 0.5;
  refused(bad, "start and end");
  bad = u;
  bad.preprocessor = "openpose";
  refused(bad, "openpose");
  bad = u;
  bad.image = RgbImage{};
  refused(bad, "no picture");
  bad = u;
  bad.model = "";
  refused(bad, "needs a model");
  p.controls = {u};
  EXPECT_NO_THROW(validateParams(p));
}

TEST(ControlInfotext, WritesAndReadsSdWebuiControlNetUnits) {
  GenerationParams p;
  p.prompt = "a house";
  p.seed = 5;
  ControlUnit a;
  a.model = "control_v11p_sd15_canny";
  a.preprocessor = "canny";
  a.lowThreshold = 50;
  a.highThreshold = 120;
  a.weight = 0.75;
  a.end = 0.5;
  a.resizeMode = ResizeMode::Fill;
  ControlUnit b;
  b.model = "tile";
  b.preprocessor = "tile_resample";
  b.tileRate = 2;
  b.mode = ControlMode::Control;
  b.window = ControlWindowRule::ComfyUI;
  b.start = 0.25;
  p.controls = {a, b};
  const std::string text = formatInfotext(toInfotext(p));
  EXPECT_NE(text.find("ControlNet 0: \"Module: canny, Model: control_v11p_sd15_canny, Weight: "
                      "0.75, Resize Mode: Resize and Fill, Threshold A: 50.0, Threshold B: "
                      "120.0, Guidance Start: 0.0, Guidance End: 0.5, Pixel Perfect: True, "
                      "Control Mode: Balanced\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Control Mode: ControlNet is more important, Guidance Rule: ComfyUI\""),
            std::string::npos)
      << text;
  GenerationParams base;
  base.controls = {ControlUnit{}};
  base.controls[0].image = RgbImage{1, 1, {1, 2, 3}};
  const RestoredParams r = applyInfotext(parseInfotext(text), base);
  EXPECT_TRUE(r.skipped.empty());
  ASSERT_EQ(r.params.controls.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const ControlUnit& x = r.params.controls[i];
    const ControlUnit& y = p.controls[i];
    EXPECT_EQ(x.model, y.model);
    EXPECT_EQ(x.preprocessor, y.preprocessor);
    EXPECT_EQ(x.weight, y.weight);
    EXPECT_EQ(x.start, y.start);
    EXPECT_EQ(x.end, y.end);
    EXPECT_EQ(x.mode, y.mode);
    EXPECT_EQ(x.window, y.window);
    EXPECT_EQ(x.resizeMode, y.resizeMode);
    EXPECT_EQ(x.lowThreshold, y.lowThreshold);
    EXPECT_EQ(x.highThreshold, y.highThreshold);
    EXPECT_EQ(x.tileRate, y.tileRate);
  }
  EXPECT_EQ(r.params.controls[0].image.pixels, base.controls[0].image.pixels);  // lent by base

  // sd-webui-controlnet's own text: model hash dropped, aliases resolved, extra items ignored.
  const ControlUnit u = parseControlUnit(
      "Module: inpaint_only, Model: control_v11p_sd15_inpaint [ebff9138], Weight: 1.0, Resize "
      "Mode: Crop and Resize, Low Vram: False, Processor Res: 512, Threshold A: -1.0, Threshold "
      "B: -1.0, Guidance Start: 0.1, Guidance End: 0.9, Pixel Perfect: False, Control Mode: My "
      "prompt is more important, Hr Option: Both");
  EXPECT_EQ(u.preprocessor, "inpaint");
  EXPECT_EQ(u.model, "control_v11p_sd15_inpaint");
  EXPECT_EQ(u.mode, ControlMode::Prompt);
  EXPECT_EQ(u.resizeMode, ResizeMode::Crop);
  EXPECT_DOUBLE_EQ(u.start, 0.1);
  EXPECT_DOUBLE_EQ(u.end, 0.9);
  EXPECT_THROW(parseControlUnit("Weight: 1.0"), std::invalid_argument);
  // A malformed unit is skipped, not fatal; a text without units keeps the base's.
  Infotext bad = parseInfotext("p\nSteps: 20, Seed: 1, Size: 64x64, ControlNet 0: \"Module: x\"");
  const RestoredParams skipped = applyInfotext(bad, base);
  EXPECT_EQ(skipped.skipped.size(), 1u);
  EXPECT_EQ(controlUnitIndex("ControlNet 12"), 12);
  EXPECT_EQ(controlUnitIndex("ControlNet x"), -1);
  EXPECT_EQ(controlUnitIndex("Lora hashes"), -1);
}

}  // namespace
}  // namespace lienzo
