// End-to-end txt2img goldens (fixtures README §3.7, §4): tokenizer → text encoder → seeded CPU
// noise → k-diffusion Euler with batched CFG → VAE decode → 8-bit pixels, every intermediate
// compared. Prompt, seed, steps, CFG, sampler and latent size come from the fixture metadata.
#include "core/io/safetensors.h"
#include "core/pipeline/model_calls.h"
#include "core/sampling/rng.h"
#include "core/sampling/schedule.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienzo {
namespace {

struct Golden {
  SafetensorsFile file;
  std::string prompt, negative, sampler;
  int64_t seed = 0;
  int steps = 0;
  double cfg = 0;
  int64_t h = 0, w = 0;

  explicit Golden(const std::string& rel) : file(SafetensorsFile::open(testing::fixturePath(rel))) {
    const auto& m = file.metadata();
    prompt = m.at("prompt");
    negative = m.at("negative_prompt");
    seed = std::stoll(m.at("seed"));
    steps = std::stoi(m.at("steps"));
    cfg = std::stod(m.at("cfg_scale"));
    sampler = m.at("sampler").substr(0, m.at("sampler").find(' '));  // "euler (k-diffusion …)"
    const auto hw = nlohmann::json::parse(m.at("latent_hw"));
    h = hw[0].get<int64_t>();
    w = hw[1].get<int64_t>();
  }
  at::Tensor t(const std::string& name) const { return file.load(name, at::kFloat); }
};

struct Trace {
  std::vector<at::Tensor> x, denoised;
};

/// Runs the sampler of the golden through the pipeline's guided model, recording every step.
at::Tensor sample(const ModelBundle& bundle, const Golden& g, const Conditioning& cond,
                  const Conditioning& uncond, Trace& trace) {
  Generator gen(static_cast<uint64_t>(g.seed));
  SamplingContext ctx;
  ctx.schedule = bundle.schedule->discrete();
  ctx.prediction = bundle.schedule->prediction();
  ctx.steps = g.steps;
  ctx.unitNoise = randn(gen, {1, 4, g.h, g.w});
  ctx.model = makeGuidedModel(bundle, cond, uncond, g.cfg, g.h, g.w);
  ctx.noise = makeNoiseFn(gen);
  ctx.onStep = [&](const SamplerStep& s) {
    trace.x.push_back(s.x.clone());
    trace.denoised.push_back(s.denoised.clone());
    return true;
  };
  return makeSampler(g.sampler)->sample(ctx);
}

void checkTrajectory(const ModelBundle& bundle, const Golden& g, const std::string& family) {
  c10::InferenceMode guard;
  // Text conditioning and token ids.
  const Conditioning cond = encodePrompt(bundle, g.prompt, 1);
  const Conditioning uncond = encodePrompt(bundle, g.negative, 1);
  testing::expectTensorNear(cond.context, g.t("cond"), 1e-4, family + " cond");
  testing::expectTensorNear(uncond.context, g.t("uncond"), 1e-4, family + " uncond");
  const PadStyle pad = family == "sd1" ? PadStyle::Sd1 : PadStyle::Sd2;
  const auto* text = dynamic_cast<const ClipFamilyConditioner*>(bundle.text.get());
  ASSERT_NE(text, nullptr);
  const auto ids = text->tokenizer().encodePadded(g.prompt, pad);
  testing::expectTensorEqual(at::tensor(ids).unsqueeze(0), g.file.load("cond_ids"),
                             family + " cond_ids");

  // Schedule, sigmas and seeded noise.
  const DiscreteSchedule& schedule = *bundle.schedule->discrete();
  testing::expectAllClose(schedule.alphasCumprod(), g.t("alphas_cumprod"), 0, 1e-6,
                          family + " alphas_cumprod");
  testing::expectAllClose(sigmasNormal(schedule, g.steps), g.t("sigmas"), 0, 2e-6,
                          family + " sigmas");
  Generator gen(static_cast<uint64_t>(g.seed));
  testing::expectAllClose(randn(gen, {1, 4, g.h, g.w}), g.t("noise"), 4e-6, 0, family + " noise");

  // Step 0's batched U-Net call, directly.
  const auto dev = bundle.device;
  const auto out =
      bundle.diffusion->forward(g.t("step0.unet_in").to(dev), g.t("step0.unet_t").to(dev),
                                at::cat({uncond.context, cond.context}, 0).to(dev));
  testing::expectTensorNear(out.narrow(0, 0, 1), g.t("step0.unet_out_uncond"), 1e-4,
                            family + " step0.unet_out_uncond");
  testing::expectTensorNear(out.narrow(0, 1, 1), g.t("step0.unet_out_cond"), 1e-4,
                            family + " step0.unet_out_cond");

  // The whole trajectory through the sampler registry.
  Trace trace;
  const at::Tensor x0 = sample(bundle, g, cond, uncond, trace);
  ASSERT_EQ(static_cast<int>(trace.x.size()), g.steps);
  for (int i = 0; i < g.steps; ++i) {
    const std::string step = "step" + std::to_string(i);
    testing::expectTensorNear(trace.denoised[i], g.t(step + ".denoised"), 1e-3,
                              family + " " + step + ".denoised");
    testing::expectTensorNear(trace.x[i], g.t(step + ".x_out"), 1e-3,
                              family + " " + step + ".x_out");
  }
  testing::expectTensorNear(x0, g.t("x_0"), 1e-3, family + " x_0");
}

TEST(Txt2ImgGolden, Sd1EveryIntermediateAndPixels) {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.device = testing::testDevice().str();  // $LIENZO_TEST_DEVICE (cpu unless set)
  const auto bundle = loadModelBundle(testing::fixturePath("sd1/tiny-sd1.safetensors"), options);
  const Golden g("sd1/golden_txt2img.safetensors");
  checkTrajectory(*bundle, g, "sd1");

  c10::InferenceMode guard;
  // Decoder input scaling is exact; the decoded image within 1e-3; pixels within ±1.
  const auto& codec = dynamic_cast<const AutoencoderKlCodec&>(*bundle->vae);
  testing::expectAllClose(codec.scaling().toVae(g.t("x_0")), g.t("decoder_in"), 0, 0, "decoder_in");
  const at::Tensor image = decodeLatent(*bundle, g.t("x_0"));
  testing::expectTensorNear(image, g.t("image"), 1e-3, "image");
  const RgbImage rgb = imageToRgb(g.t("image"));
  const auto expected = g.file.load("image_u8").to(at::kInt)[0];  // [H,W,3]
  const auto ours =
      at::from_blob(const_cast<uint8_t*>(rgb.pixels.data()), {rgb.height, rgb.width, 3}, at::kByte)
          .to(at::kInt);
  EXPECT_LE((ours - expected).abs().max().item<int>(), 1);
}

TEST(Txt2ImgGolden, Sd2VPredictionTrajectory) {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.device = testing::testDevice().str();  // $LIENZO_TEST_DEVICE (cpu unless set)
  const auto bundle = loadModelBundle(testing::fixturePath("sd2/tiny-sd2.safetensors"), options);
  EXPECT_EQ(bundle->schedule->prediction(), Prediction::V);
  const Golden g("sd2/golden_txt2img.safetensors");
  checkTrajectory(*bundle, g, "sd2");
}

}  // namespace
}  // namespace lienzo
