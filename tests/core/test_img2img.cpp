// img2img goldens (fixtures README §6): A1111's k-diffusion img2img (posterior mean encode,
// t_enc / sigma_sched slicing, x_start = init + noise·sigma_sched[0], the trajectory with its
// ancestral noise, decode) and CompVis DDIM img2img (stochastic_encode at index t_enc, t_enc
// steps below it). Every case, size, step count and setting is read from the fixture file.
#include "core/io/safetensors.h"
#include "core/pipeline/model_calls.h"
#include "core/sampling/ddim.h"
#include "core/sampling/kdiffusion_sampler.h"
#include "core/sampling/rng.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienzo {
namespace {

using nlohmann::json;

struct Golden {
  SafetensorsFile file;
  json settings, cases;
  explicit Golden(const std::string& rel) : file(SafetensorsFile::open(testing::fixturePath(rel))) {
    settings = json::parse(file.metadata().at("settings"));
    cases = json::parse(file.metadata().at("cases"));
  }
  at::Tensor t(const std::string& name) const { return file.load(name, at::kFloat); }
  bool has(const std::string& name) const { return file.contains(name); }
};

std::shared_ptr<const ModelBundle> tinySd1() {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.device = testing::testDevice().str();
  options.computeHash = false;
  return loadModelBundle(testing::fixturePath("sd1/tiny-sd1.safetensors"), options);
}

/// [1,H,W,3] uint8 tensor → RgbImage.
RgbImage rgbOf(const at::Tensor& u8) {
  const auto c = u8.to(at::kByte).contiguous();
  RgbImage out;
  out.height = static_cast<int>(c.size(1));
  out.width = static_cast<int>(c.size(2));
  out.pixels.assign(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  return out;
}

/// Max |ours − expected| over the bytes of two pictures of one size.
int maxPixelDiff(const RgbImage& ours, const at::Tensor& expectedU8) {
  const auto e = expectedU8.to(at::kInt).reshape({-1});
  const auto o = at::tensor(std::vector<int>(ours.pixels.begin(), ours.pixels.end()), at::kInt);
  if (o.numel() != e.numel()) return 1 << 20;
  return (o - e).abs().max().item<int>();
}

/// The fixture's schedule names → A1111 "Schedule type".
std::string scheduleType(const std::string& fixture) {
  if (fixture == "normal") return "Uniform";
  if (fixture == "karras") return "Karras";
  ADD_FAILURE() << "unknown schedule in fixture: " << fixture;
  return fixture;
}

struct Trace {
  std::vector<at::Tensor> x, denoised;
};

TEST(Img2ImgGolden, EncodeTextAndNoise) {
  const auto bundle = tinySd1();
  const Golden g("img2img/golden_img2img.safetensors");
  c10::InferenceMode guard;
  const RgbImage init = rgbOf(g.file.load("init_image_u8"));
  EXPECT_EQ(init.width, g.settings.at("width").get<int>());
  EXPECT_EQ(init.height, g.settings.at("height").get<int>());
  const at::Tensor image = rgbToImage(init);
  testing::expectAllClose(image, g.t("init_image"), 0, 0, "init_image");
  testing::expectTensorNear(encodeImage(*bundle, image), g.t("init_latent"), 1e-4, "init_latent");
  EXPECT_DOUBLE_EQ(dynamic_cast<const AutoencoderKlCodec&>(*bundle->vae).scaling().scale,
                   std::stod(g.file.metadata().at("scale_factor")));
  const auto cond = encodePrompt(*bundle, g.settings.at("prompt").get<std::string>(), 1);
  const auto uncond = encodePrompt(*bundle, g.settings.at("negative_prompt").get<std::string>(), 1);
  testing::expectTensorNear(cond.context, g.t("cond"), 1e-4, "cond");
  testing::expectTensorNear(uncond.context, g.t("uncond"), 1e-4, "uncond");
  const auto noise = g.t("noise");
  Generator gen(g.settings.at("seed").get<uint64_t>());
  testing::expectTensorEqual(randn(gen, noise.sizes()), noise, "noise");
}

TEST(Img2ImgGolden, KDiffusionCases) {
  const auto bundle = tinySd1();
  const Golden g("img2img/golden_img2img.safetensors");
  ASSERT_FALSE(g.cases.empty());
  c10::InferenceMode guard;
  const at::Tensor initLatent = g.t("init_latent");  // the reference's, to isolate the sampler
  const int height = g.settings.at("height").get<int>(), width = g.settings.at("width").get<int>();
  for (size_t k = 0; k < g.cases.size(); ++k) {
    const json& c = g.cases[k];
    const std::string name = "case" + std::to_string(k);
    SCOPED_TRACE(name + " " + c.dump());
    const int steps = c.at("steps").get<int>();
    const double strength = c.at("strength").get<double>();
    const DenoiseWindow window = denoiseWindow(steps, strength, false);
    EXPECT_EQ(window.runSteps, c.at("sampling_steps").get<int>());
    EXPECT_EQ(window.runSteps - 1, c.at("t_enc").get<int>());

    auto sampler = makeSampler(c.at("sampler").get<std::string>());
    auto* k_sampler = dynamic_cast<KDiffusionSampler*>(sampler.get());
    ASSERT_NE(k_sampler, nullptr);
    const auto cond = encodePrompt(*bundle, g.settings.at("prompt").get<std::string>(), 1);
    const auto uncond =
        encodePrompt(*bundle, g.settings.at("negative_prompt").get<std::string>(), 1);
    Generator gen(c.at("seed").get<uint64_t>());
    SamplingContext ctx;
    ctx.schedule = bundle->schedule->discrete();
    ctx.prediction = bundle->schedule->prediction();
    ctx.steps = steps;
    ctx.scheduleType = scheduleType(c.at("schedule").get<std::string>());
    ctx.unitNoise = randn(gen, initLatent.sizes());
    ctx.initLatent = initLatent;
    ctx.strength = strength;
    ctx.model =
        makeGuidedModel(*bundle, cond, uncond, c.at("cfg_scale").get<double>(), height, width);
    ctx.noise = makeNoiseFn(gen);
    Trace trace;
    ctx.onStep = [&](const SamplerStep& s) {
      trace.x.push_back(s.x.clone());
      trace.denoised.push_back(s.denoised.clone());
      return true;
    };
    // The full schedule and its slice.
    SamplingContext full = ctx;
    full.initLatent = at::Tensor();
    testing::expectAllClose(k_sampler->sigmasFor(full), g.t(name + ".sigmas"), 0, 1e-6,
                            name + ".sigmas");
    const at::Tensor sched = k_sampler->sigmasFor(ctx);
    testing::expectAllClose(sched, g.t(name + ".sigma_sched"), 0, 1e-6, name + ".sigma_sched");
    testing::expectTensorNear(initLatent + ctx.unitNoise * sched[0], g.t(name + ".x_start"), 1e-3,
                              name + ".x_start");

    const at::Tensor samples = sampler->sample(ctx);
    const int n = window.runSteps;
    ASSERT_EQ(static_cast<int>(trace.x.size()), n);
    for (int i = 0; i < n; ++i) {
      const std::string step = name + ".step" + std::to_string(i);
      testing::expectTensorNear(trace.denoised[i], g.t(step + ".denoised"), 1e-3,
                                step + ".denoised");
      if (i + 1 < n) {  // the golden's x is the denoiser's input: ours after the previous step
        testing::expectTensorNear(trace.x[i], g.t(name + ".step" + std::to_string(i + 1) + ".x"),
                                  1e-3, step + " x after the step");
      }
    }
    testing::expectTensorNear(samples, g.t(name + ".samples"), 1e-3, name + ".samples");
    const at::Tensor image = decodeLatent(*bundle, samples);
    testing::expectTensorNear(image, g.t(name + ".image"), 1e-3, name + ".image");
    EXPECT_LE(maxPixelDiff(imageToRgb(g.t(name + ".image")), g.file.load(name + ".image_u8")), 1);
  }
}

TEST(Img2ImgGolden, GenerateEndToEndMatchesEveryCase) {
  const auto bundle = tinySd1();
  const Golden g("img2img/golden_img2img.safetensors");
  for (size_t k = 0; k < g.cases.size(); ++k) {
    const json& c = g.cases[k];
    const std::string name = "case" + std::to_string(k);
    SCOPED_TRACE(name);
    GenerationParams p;
    p.prompt = g.settings.at("prompt").get<std::string>();
    p.negativePrompt = g.settings.at("negative_prompt").get<std::string>();
    p.seed = c.at("seed").get<int64_t>();
    p.steps = c.at("steps").get<int>();
    p.cfgScale = c.at("cfg_scale").get<double>();
    p.sampler = c.at("sampler").get<std::string>();
    p.schedule = scheduleType(c.at("schedule").get<std::string>());
    p.width = g.settings.at("width").get<int>();
    p.height = g.settings.at("height").get<int>();
    p.dtype = ComputeDType::F32;
    p.previews = false;
    p.edit.initImage = rgbOf(g.file.load("init_image_u8"));
    p.edit.strength = c.at("strength").get<double>();
    const GenerationResult r = generate(*bundle, p);
    ASSERT_EQ(r.images.size(), 1u);
    EXPECT_LE(maxPixelDiff(r.images[0].image, g.file.load(name + ".image_u8")), 1);
  }
}

TEST(Img2ImgGolden, CompVisDdim) {
  const auto bundle = tinySd1();
  const Golden g("img2img/golden_img2img.safetensors");
  const json& d = g.settings.at("ddim");
  c10::InferenceMode guard;
  const int steps = d.at("steps").get<int>();
  const double strength = d.at("strength").get<double>();
  const double eta = d.at("eta").get<double>();
  const int height = g.settings.at("height").get<int>(), width = g.settings.at("width").get<int>();
  const at::Tensor& ac = bundle->schedule->discrete()->alphasCumprod();
  const CompVisDdimTables tables =
      compvisDdimTables(ac, compvisDdimTimesteps(steps, ac.numel(), DdimRangePolicy::Clamp), eta);
  testing::expectAllClose(tables.alphas, g.t("ddim.alphas"), 0, 1e-6, "ddim.alphas");
  testing::expectAllClose(tables.alphasPrev, g.t("ddim.alphas_prev"), 0, 1e-6, "ddim.alphas_prev");
  testing::expectAllClose(tables.sqrtOneMinusAlphas, g.t("ddim.sqrt_one_minus_alphas"), 0, 1e-6,
                          "ddim.sqrt_one_minus_alphas");

  const auto cond = encodePrompt(*bundle, d.at("prompt").get<std::string>(), 1);
  const auto uncond = encodePrompt(*bundle, "", 1);
  testing::expectTensorNear(cond.context, g.t("ddim.cond"), 1e-4, "ddim.cond");
  testing::expectTensorNear(uncond.context, g.t("ddim.uncond"), 1e-4, "ddim.uncond");
  const at::Tensor initLatent = g.t("init_latent");
  Generator gen(d.at("seed").get<uint64_t>());
  SamplingContext ctx;
  ctx.schedule = bundle->schedule->discrete();
  ctx.prediction = bundle->schedule->prediction();
  ctx.steps = steps;
  ctx.eta = eta;
  ctx.unitNoise = randn(gen, initLatent.sizes());
  testing::expectTensorEqual(ctx.unitNoise, g.t("ddim.noise"), "ddim.noise");
  ctx.initLatent = initLatent;
  ctx.strength = strength;
  ctx.model = makeGuidedModel(*bundle, cond, uncond, d.at("scale").get<double>(), height, width);
  ctx.noise = makeNoiseFn(gen);

  const CompVisStart start = compvisStart(tables, ctx);
  const int64_t tEnc = g.file.load("ddim.t_enc").item<int64_t>();
  EXPECT_EQ(start.tables.timesteps.numel(), tEnc);
  testing::expectTensorNear(start.x, g.t("ddim.z_enc"), 1e-3, "ddim.z_enc");

  std::vector<at::Tensor> xs, x0s;
  ctx.onStep = [&](const SamplerStep& s) {
    xs.push_back(s.x.clone());
    x0s.push_back(s.denoised.clone());
    return true;
  };
  const at::Tensor samples = makeSampler("DDIM")->sample(ctx);
  ASSERT_EQ(static_cast<int64_t>(xs.size()), tEnc);
  for (int64_t i = 0; i < tEnc; ++i) {
    const std::string step = "ddim.step" + std::to_string(i);
    if (!g.has(step + ".x_prev")) {
      ADD_FAILURE() << "missing " << step;
      break;
    }
    testing::expectTensorEqual(at::tensor({start.tables.timesteps[tEnc - 1 - i].item<int64_t>()}),
                               g.file.load(step + ".ts").reshape({-1}).narrow(0, 0, 1),
                               step + ".ts");
    testing::expectTensorNear(x0s[i], g.t(step + ".pred_x0"), 1e-3, step + ".pred_x0");
    testing::expectTensorNear(xs[i], g.t(step + ".x_prev"), 1e-3, step + ".x_prev");
  }
  testing::expectTensorNear(samples, g.t("ddim.samples"), 1e-3, "ddim.samples");
  testing::expectTensorNear(decodeLatent(*bundle, samples), g.t("ddim.image"), 1e-3, "ddim.image");
}

}  // namespace
}  // namespace lienzo
