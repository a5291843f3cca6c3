// The flow-matching sampling trajectories of sd3/golden_txt2img.safetensors and
// flux/golden_txt2img_{dev,schnell}.safetensors, without the networks: a DiffusionModel that
// replays the stored network outputs (checking that each call's input is the stored one) runs
// inside the pipeline's own denoise stage (runDenoise: seeded noise, the model's flow schedule,
// the sampler, and for SD3 makeGuidedModel's batched classifier-free guidance). Every stored
// step output, the final latent, the VAE decode and the 8-bit pixels are compared; the noise of
// the seed is compared exactly. Prompt-independent: seeds, sizes, steps, CFG and shift come from
// the metadata and the config JSONs. Tolerances: the READMEs' (trajectory, image 1e-4 relative
// max error; timesteps 1e-6; pixels ±1; noise exact).
#include "core/io/safetensors.h"
#include "core/pipeline/denoise_stage.h"
#include "core/pipeline/forward_process.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/model_decorators.h"
#include "core/sampling/rng.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

constexpr double kTol = 1e-4;   // trajectory, latents, image
constexpr double kTTol = 1e-6;  // sigma / timestep

void check(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  if (actual.sizes() == expected.sizes())
    std::cout << "  " << what << ": rel err " << testing::relativeMaxError(actual, expected)
              << "\n";
  testing::expectTensorNear(actual, expected, kTol, what);
}

/// Flux's 2×2 packing: [1,C,h,w] → [1,(h/2)(w/2),C·4] ("b c (h ph) (w pw) -> b (h w) (c ph pw)").
at::Tensor pack(const at::Tensor& x) {
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({1, c, h / 2, 2, w / 2, 2}).permute({0, 2, 4, 1, 3, 5}).reshape({1, -1, c * 4});
}
at::Tensor unpack(const at::Tensor& tokens, int64_t c, int64_t h, int64_t w) {
  return tokens.view({1, h / 2, w / 2, c, 2, 2}).permute({0, 3, 1, 4, 2, 5}).reshape({1, c, h, w});
}

/// The pooled vector goes to the network as is (SD3 / Flux have no size conditioning).
class PassThroughText final : public TextConditioner {
 public:
  Conditioning encode(const std::string&, const TextOptions&) const override {
    throw std::logic_error("the replay test encodes no text");
  }
  at::Tensor vector(const at::Tensor& pooled, int64_t, int64_t) const override { return pooled; }
};

/// Replays a golden's network calls: call i must see the stored input of step i.
class ReplayModel final : public DiffusionModel {
 public:
  enum class Layout { Sd3Cfg, FluxPacked };
  ReplayModel(SafetensorsFile golden, Layout layout)
      : m_golden(std::move(golden)), m_layout(layout) {}

  at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                     const at::Tensor& y, const UNetResiduals*) const override {
    std::lock_guard<std::mutex> lock(m_mutex);
    const std::string s = "step" + std::to_string(m_calls++) + ".";
    if (!m_golden.contains(s + "x_in") && !m_golden.contains(s + "img_in")) {
      ADD_FAILURE() << "more network calls than stored steps";
      return at::zeros_like(x);
    }
    if (m_layout == Layout::Sd3Cfg) {
      // makeGuidedModel batches [uncond | cond] (the reference batches cond first; CFG is the
      // same linear combination).
      EXPECT_EQ(x.size(0), 2) << s << "cond and uncond in one batch";
      const at::Tensor sigma = m_golden.load(s + "sigma", at::kFloat);
      testing::expectAllClose(t, (sigma * 1000.0).expand({2}), kTTol * 1000.0, 0,
                              s + "timestep σ·1000");
      check(x.narrow(0, 0, 1), m_golden.load(s + "x_in", at::kFloat), s + "x_in (uncond row)");
      check(x.narrow(0, 1, 1), m_golden.load(s + "x_in", at::kFloat), s + "x_in (cond row)");
      testing::expectTensorEqual(context.narrow(0, 0, 1),
                                 m_golden.load("uncond.context", at::kFloat), s + "uncond context");
      testing::expectTensorEqual(context.narrow(0, 1, 1), m_golden.load("cond.context", at::kFloat),
                                 s + "cond context");
      testing::expectTensorEqual(y.narrow(0, 1, 1), m_golden.load("cond.pooled", at::kFloat),
                                 s + "cond pooled");
      return at::cat(
          {m_golden.load(s + "v_uncond", at::kFloat), m_golden.load(s + "v_cond", at::kFloat)});
    }
    EXPECT_EQ(x.size(0), 1) << s << "Flux runs without CFG";
    testing::expectAllClose(t, m_golden.load(s + "t_vec", at::kFloat), kTTol, 0, s + "t_vec");
    check(pack(x), m_golden.load(s + "img_in", at::kFloat), s + "img_in");
    testing::expectTensorEqual(context, m_golden.load("t5_out", at::kFloat), s + "txt");
    testing::expectTensorEqual(y, m_golden.load("clip_pooled", at::kFloat), s + "vec");
    return unpack(m_golden.load(s + "pred", at::kFloat), x.size(1), x.size(2), x.size(3));
  }
  int64_t inChannels() const override { return 16; }
  int64_t latentChannels() const override { return 16; }
  int64_t widthHint() const override { return 1; }
  c10::ScalarType dtype() const override { return at::kFloat; }
  c10::Device device() const override { return at::kCPU; }
  int calls() const { return m_calls; }

 private:
  SafetensorsFile m_golden;
  Layout m_layout;
  mutable std::mutex m_mutex;
  mutable int m_calls = 0;
};

int countSteps(const SafetensorsFile& golden, const char* field) {
  int n = 0;
  while (golden.contains("step" + std::to_string(n) + "." + field)) ++n;
  return n;
}

/// The pixels of `image` within ±1 of a golden NHWC u8 picture.
void checkPixels(const at::Tensor& ours, const at::Tensor& golden, const std::string& what) {
  ASSERT_EQ(ours.sizes(), golden.sizes()) << what;
  const at::Tensor diff = (ours.to(at::kInt) - golden.to(at::kInt)).abs();
  const int64_t off = diff.gt(0).sum().item<int64_t>();
  std::cout << "  " << what << ": max |Δ| " << diff.max().item<int>() << ", " << off
            << " pixels differ\n";
  EXPECT_LE(diff.max().item<int>(), 1) << what;
}

struct Trace {
  std::vector<at::Tensor> x, denoised;
  at::Tensor latent;
};

TEST(FlowTrajectory, Sd3EulerCfgMatchesGolden) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(testing::fixturePath("sd3/golden_txt2img.safetensors"));
  const auto config = testing::readJsonFixture("sd3/tiny-sd3.config.json");
  const auto& meta = golden.metadata();
  const int steps = std::stoi(meta.at("steps"));
  const int64_t seed = std::stoll(meta.at("seed"));
  const double cfg = std::stod(meta.at("cfg_scale"));
  const at::Tensor noise = golden.load("noise", at::kFloat);  // [1,16,h,w]
  const int64_t h = noise.size(2), w = noise.size(3);
  ASSERT_EQ(h * 8, std::stoll(meta.at("height")));
  ASSERT_EQ(w * 8, std::stoll(meta.at("width")));
  ASSERT_EQ(countSteps(golden, "x_out"), steps);

  // torch.randn with a CPU generator seeded with the seed (README §5.1).
  Generator gen(static_cast<uint64_t>(seed));
  testing::expectTensorEqual(randn(gen, noise.sizes()), noise, "noise of the seed");
  testing::expectTensorEqual(golden.load("x_T", at::kFloat), noise, "x_T = noise (σ0 = 1)");

  const auto weights = SafetensorsFile::open(
      testing::fixturePath("sd3/" + config.at("files").at("checkpoint").get<std::string>()));
  ModelBundle bundle;
  bundle.description.name = "tiny SD3 (replayed)";
  bundle.text = std::make_shared<PassThroughText>();
  auto replay = std::make_shared<ReplayModel>(golden, ReplayModel::Layout::Sd3Cfg);
  bundle.diffusion = replay;
  const FlowSchedule flow = FlowSchedule::sd3(config.at("shift").get<double>());
  bundle.schedule = std::make_shared<FlowNoiseSchedule>(flow);
  bundle.vae = loadAutoencoderKlCodec(weights, "first_stage_model.", LatentFormat::SD3, at::kFloat,
                                      at::kCPU);
  testing::expectAllClose(flow.sigmas(steps, h, w), golden.load("sigmas", at::kFloat), kTTol, 0,
                          "sigmas");

  Conditioning cond, uncond;
  cond.context = golden.load("cond.context", at::kFloat);
  cond.pooled = golden.load("cond.pooled", at::kFloat);
  uncond.context = golden.load("uncond.context", at::kFloat);
  uncond.pooled = golden.load("uncond.pooled", at::kFloat);
  DenoiseRequest r;
  r.sampler = requireSamplerName(meta.at("sampler")).sampler;  // "euler" → "Euler"
  r.steps = steps;
  r.seed = seed;
  r.latentH = h;
  r.latentW = w;
  r.previews = false;
  Trace run;
  r.afterStep = [&](const SamplerStep& s) {
    run.x.push_back(s.x.clone());
    run.denoised.push_back(s.denoised.clone());
  };
  const ModelFn model =
      bundle.schedule->decorate(makeGuidedModel(bundle, cond, uncond, cfg, 8 * h, 8 * w));
  const at::Tensor latent = runDenoise(bundle, r, model, nullptr, nullptr);
  EXPECT_EQ(replay->calls(), steps);
  ASSERT_EQ(static_cast<int>(run.x.size()), steps);
  for (int i = 0; i < steps; ++i) {
    const std::string s = "step" + std::to_string(i) + ".";
    check(run.denoised[i], golden.load(s + "denoised", at::kFloat), s + "denoised");
    check(run.x[i], golden.load(s + "x_out", at::kFloat), s + "x_out");
  }
  check(latent, golden.load("x_0", at::kFloat), "x_0");
  const auto& codec = dynamic_cast<const AutoencoderKlCodec&>(*bundle.vae);
  check(codec.scaling().toVae(latent), golden.load("latent_out", at::kFloat), "latent_out");
  const at::Tensor image = decodeLatent(bundle, latent);
  check(image, golden.load("image", at::kFloat), "image");
  // image_u8 rounds (imageToRgb), image_u8_trunc truncates 255·clamp((x+1)/2, 0, 1).
  const RgbImage rgb = imageToRgb(image);
  const at::Tensor u8 = at::from_blob(const_cast<uint8_t*>(rgb.pixels.data()),
                                      {1, rgb.height, rgb.width, 3}, at::kByte);
  checkPixels(u8, golden.load("image_u8"), "image_u8");
  const at::Tensor trunc =
      (((image + 1.0) / 2.0).clamp(0.0, 1.0) * 255.0).to(at::kByte).permute({0, 2, 3, 1});
  checkPixels(trunc, golden.load("image_u8_trunc"), "image_u8_trunc");
}

void runFlux(const std::string& goldenFile) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(testing::fixturePath(goldenFile));
  const auto config = testing::readJsonFixture("flux/tiny-flux.config.json");
  const auto& meta = golden.metadata();
  const int steps = std::stoi(meta.at("steps"));
  const int64_t seed = std::stoll(meta.at("seed"));
  const bool shift = meta.at("shift") == "true";
  const at::Tensor noise = golden.load("noise", at::kFloat);  // [1,16,h,w]
  const int64_t h = noise.size(2), w = noise.size(3);
  ASSERT_EQ(countSteps(golden, "img_out"), steps);

  // get_noise: torch.randn with torch.Generator("cpu").manual_seed(seed); packing is data movement.
  Generator gen(static_cast<uint64_t>(seed));
  testing::expectTensorEqual(randn(gen, noise.sizes()), noise, "noise of the seed");
  testing::expectTensorEqual(pack(noise), golden.load("img", at::kFloat), "packed noise");

  const auto weights = SafetensorsFile::open(
      testing::fixturePath("flux/" + config.at("files").at("ae").get<std::string>()));
  ModelBundle bundle;
  bundle.description.name = "tiny Flux (replayed)";
  bundle.text = std::make_shared<PassThroughText>();
  auto replay = std::make_shared<ReplayModel>(golden, ReplayModel::Layout::FluxPacked);
  bundle.diffusion = replay;
  const FlowSchedule flow = FlowSchedule::flux(shift);
  bundle.schedule = std::make_shared<FlowNoiseSchedule>(flow);
  bundle.vae = loadAutoencoderKlCodec(weights, "", LatentFormat::Flux, at::kFloat, at::kCPU);
  testing::expectAllClose(flow.sigmas(steps, h, w), golden.load("timesteps", at::kFloat), kTTol, 0,
                          "timesteps");

  Conditioning cond;  // distilled guidance lives in the network; CFG 1 runs one unguided call
  cond.context = golden.load("t5_out", at::kFloat);
  cond.pooled = golden.load("clip_pooled", at::kFloat);
  DenoiseRequest r;
  r.sampler = "Euler";  // flux sampling.py denoise: img + (t_next − t)·pred
  r.steps = steps;
  r.seed = seed;
  r.latentH = h;
  r.latentW = w;
  r.previews = false;
  Trace run;
  r.afterStep = [&](const SamplerStep& s) { run.x.push_back(s.x.clone()); };
  const ModelFn model =
      bundle.schedule->decorate(makeGuidedModel(bundle, cond, cond, 1.0, 8 * h, 8 * w));
  const at::Tensor latent = runDenoise(bundle, r, model, nullptr, nullptr);
  EXPECT_EQ(replay->calls(), steps);
  ASSERT_EQ(static_cast<int>(run.x.size()), steps);
  for (int i = 0; i < steps; ++i) {
    const std::string s = "step" + std::to_string(i) + ".";
    check(pack(run.x[i]), golden.load(s + "img_out", at::kFloat), s + "img_out");
  }
  check(pack(latent), golden.load("x_final", at::kFloat), "x_final");
  check(latent, golden.load("x_unpacked", at::kFloat), "x_unpacked");
  const auto& codec = dynamic_cast<const AutoencoderKlCodec&>(*bundle.vae);
  check(codec.scaling().toVae(latent), golden.load("decoder_in", at::kFloat), "decoder_in");
  const at::Tensor image = decodeLatent(bundle, latent);
  check(image, golden.load("image", at::kFloat), "image");
  const RgbImage rgb = imageToRgb(image);
  const at::Tensor u8 = at::from_blob(const_cast<uint8_t*>(rgb.pixels.data()),
                                      {1, rgb.height, rgb.width, 3}, at::kByte);
  checkPixels(u8, golden.load("image_u8"), "image_u8");
  // BFL save_image: uint8(127.5·(clamp(x, −1, 1) + 1)) (truncation).
  const at::Tensor trunc =
      ((image.clamp(-1.0, 1.0) + 1.0) * 127.5).to(at::kByte).permute({0, 2, 3, 1});
  checkPixels(trunc, golden.load("image_u8_trunc"), "image_u8_trunc");
}

TEST(FlowTrajectory, FluxDevMatchesGolden) {
  runFlux("flux/golden_txt2img_dev.safetensors");
}

TEST(FlowTrajectory, FluxSchnellMatchesGolden) {
  runFlux("flux/golden_txt2img_schnell.safetensors");
}

TEST(FlowTrajectory, FlowModelsRefuseVpSamplersSchedulesAndTheForwardView) {
  ModelBundle bundle;
  bundle.description.name = "a flow model";
  bundle.schedule = std::make_shared<FlowNoiseSchedule>(FlowSchedule::sd3());
  for (const char* name : {"Euler a", "DDIM", "UniPC", "DPM++ 2M SDE", kModelSchedulerName}) {
    try {
      (void)samplerFor(bundle, name);
      ADD_FAILURE() << name << " accepted for a flow model";
    } catch (const GenerationError& e) {
      EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
      const std::string what = e.what();
      EXPECT_NE(what.find(name), std::string::npos) << what;
      EXPECT_NE(what.find("flow-matching"), std::string::npos) << what;
      EXPECT_NE(what.find("DPM++ 2M"), std::string::npos) << what;
    }
  }
  EXPECT_TRUE(samplerFor(bundle, "DPM++ 2M")->runsFlow());
  EXPECT_TRUE(samplerFor(bundle, "Euler")->runsFlow());

  bundle.text = std::make_shared<PassThroughText>();
  bundle.diffusion = std::make_shared<ReplayModel>(
      SafetensorsFile::open(testing::fixturePath("sd3/golden_txt2img.safetensors")),
      ReplayModel::Layout::Sd3Cfg);
  DenoiseRequest r;
  r.sampler = "Euler";
  r.schedule = "Karras";
  r.steps = 2;
  r.latentH = r.latentW = 2;
  r.previews = false;
  const ModelFn never = [](const at::Tensor& x, const at::Tensor&) { return x; };
  try {
    (void)runDenoise(bundle, r, never, nullptr, nullptr);
    ADD_FAILURE() << "Karras accepted for a flow model";
  } catch (const GenerationError& e) {
    EXPECT_NE(std::string(e.what()).find("Karras"), std::string::npos) << e.what();
  }
  r.schedule = "Automatic";
  r.sampler = "DPM++ 2M Karras";
  EXPECT_THROW((void)runDenoise(bundle, r, never, nullptr, nullptr), GenerationError);

  try {
    (void)alphasCumprod(bundle);
    ADD_FAILURE() << "a flow model has no ᾱ table";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::UnsupportedModel);
    EXPECT_NE(std::string(e.what()).find("flow-matching"), std::string::npos) << e.what();
  }
}

TEST(FlowTrajectory, InpaintingBlendActsOnTheFlowX0) {
  // x0 = x − σ·v is blended with the original; the sampler gets v' with x − σ·v' = the blend.
  at::manual_seed(3);
  for (const FlowSchedule& flow : {FlowSchedule::sd3(3.0), FlowSchedule::flux(true)}) {
    SCOPED_TRACE(flow.describe());
    const at::Tensor x = at::randn({1, 16, 4, 6});
    const at::Tensor v = at::randn({1, 16, 4, 6});
    const at::Tensor init = at::randn({1, 16, 4, 6});
    const at::Tensor nmask = (at::rand({1, 1, 4, 6}) > 0.5).to(at::kFloat);
    const double sigma = 0.6;
    const at::Tensor t = flow.timestep(at::full({1}, sigma, at::kFloat));
    const ModelFn inner = [&](const at::Tensor& xIn, const at::Tensor& tIn) {
      testing::expectTensorEqual(xIn, x, "input passed through");
      testing::expectTensorEqual(tIn, t, "timestep passed through");
      return v;
    };
    const at::Tensor out = blendPredictedX0(inner, flow, nmask, init)(x, t);
    const at::Tensor want = (x - v * sigma) * nmask + init * (1.0 - nmask);
    testing::expectAllClose(x - out * sigma, want, 1e-5, 1e-5, "blended x0");
  }
}

}  // namespace
}  // namespace lienzo
