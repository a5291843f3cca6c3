// Inpainting goldens (fixtures README §7): (a) a 9-channel inpainting U-Net — its
// [mask, masked-image latent] conditioning, one U-Net call and a guided Euler trajectory; (b)
// A1111 inpainting with the regular tiny-sd1 — the processed mask, overlay, latent mask, init
// latent per masked content, the trajectory blended after CFG, the final latent blend and the
// pixel composite, through the pipeline's stages and through generate(). Every size, step count,
// case and setting is read from the fixture file.
#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/pipeline/edit_stage.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/model_decorators.h"
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

using nlohmann::json;

struct Golden {
  SafetensorsFile file;
  json settings;
  explicit Golden(const std::string& rel) : file(SafetensorsFile::open(testing::fixturePath(rel))) {
    settings = json::parse(file.metadata().at("settings"));
  }
  at::Tensor t(const std::string& name) const { return file.load(name, at::kFloat); }
  at::Tensor u8(const std::string& name) const { return file.load(name, at::kByte); }
};

std::shared_ptr<const ModelBundle> tinySd1() {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.device = testing::testDevice().str();
  options.computeHash = false;
  return loadModelBundle(testing::fixturePath("sd1/tiny-sd1.safetensors"), options);
}

/// tiny-sd1 with the inpainting U-Net (the fixture stores only the U-Net; text encoder and VAE
/// are tiny-sd1's, as SD 1.5-inpainting shares SD 1.5's).
ModelBundle tinyInpainting() {
  ModelBundle bundle = *tinySd1();
  const auto path = testing::fixturePath("inpaint/tiny-sd1-inpainting.safetensors");
  const SafetensorsFile file = SafetensorsFile::open(path);
  UNetConfig config = UNetConfig::fromWeights(file, "model.diffusion_model.");
  const ModelOverrides overrides = readSidecarConfig(path);
  if (overrides.unetNumHeadChannels) {
    config.numHeadChannels = *overrides.unetNumHeadChannels;
  } else if (overrides.unetNumHeads) {
    config.numHeads = *overrides.unetNumHeads;
    config.numHeadChannels = -1;
  }
  UNet unet(config);
  loadModuleWeights(*unet, file, "model.diffusion_model.", at::kFloat, bundle.device);
  bundle.diffusion = makeUNetDiffusionModel(unet, at::kFloat, bundle.device);
  return bundle;
}

template <typename Image>
Image pictureOf(const at::Tensor& u8, int channels) {
  const auto c = u8.to(at::kByte).contiguous();
  Image out;
  out.height = static_cast<int>(c.size(1));
  out.width = static_cast<int>(c.size(2));
  out.pixels.assign(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  EXPECT_EQ(out.pixels.size(), size_t(out.width) * out.height * channels);
  return out;
}

at::Tensor bytes(const std::vector<uint8_t>& v) {
  return at::tensor(std::vector<int>(v.begin(), v.end()), at::kInt);
}

int maxDiff(const std::vector<uint8_t>& ours, const at::Tensor& expectedU8) {
  const auto e = expectedU8.to(at::kInt).reshape({-1});
  if (static_cast<int64_t>(ours.size()) != e.numel()) return 1 << 20;
  return (bytes(ours) - e).abs().max().item<int>();
}

TEST(InpaintGolden, NineChannelConditioningUnetAndTrajectory) {
  const ModelBundle bundle = tinyInpainting();
  const Golden g("inpaint/golden_inpaint.safetensors");
  const json& a = g.settings.at("a");
  c10::InferenceMode guard;
  const at::Tensor image = rgbToImage(pictureOf<RgbImage>(g.u8("image_u8"), 3));
  testing::expectAllClose(image, g.t("image"), 0, 0, "image");
  const at::Tensor mask01 = g.t("mask_u8").unsqueeze(1) / 255.0f;  // [1,1,H,W]
  testing::expectTensorEqual(at::round(mask01), g.t("a.mask"), "a.mask");
  const at::Tensor concat = inpaintConditioning(bundle, image, mask01, 1.0);
  testing::expectTensorEqual(concat.narrow(1, 0, 1), g.t("a.mask_latent"), "a.mask_latent");
  testing::expectTensorNear(concat.narrow(1, 1, 4), g.t("a.masked_image_latent"), 1e-4,
                            "a.masked_image_latent");
  testing::expectTensorNear(concat, g.t("a.c_concat"), 1e-4, "a.c_concat");

  const auto cond = encodePrompt(bundle, g.settings.at("prompt").get<std::string>(), 1);
  const auto uncond = encodePrompt(bundle, g.settings.at("negative_prompt").get<std::string>(), 1);
  testing::expectTensorNear(cond.context, g.t("a.cond"), 1e-4, "a.cond");
  testing::expectTensorNear(uncond.context, g.t("a.uncond"), 1e-4, "a.uncond");
  // One U-Net call on [x | c_concat] with the cond context.
  const auto dev = bundle.device;
  const auto xIn = at::cat({g.t("a.unet.x"), concat}, 1);
  testing::expectTensorNear(xIn, g.t("a.unet.x_in"), 1e-4, "a.unet.x_in");
  const auto out =
      bundle.diffusion->forward(xIn.to(dev), g.t("a.unet.t").to(dev), cond.context.to(dev));
  testing::expectTensorNear(out, g.t("a.unet.out"), 1e-4, "a.unet.out");

  // The trajectory: Euler (normal schedule) from pure noise, both CFG halves conditioned.
  const int steps = a.at("steps").get<int>();
  testing::expectAllClose(sigmasNormal(*bundle.schedule->discrete(), steps), g.t("a.sigmas"), 0,
                          1e-6, "a.sigmas");
  const int height = g.settings.at("height").get<int>(), width = g.settings.at("width").get<int>();
  Generator gen(a.at("seed").get<uint64_t>());
  SamplingContext ctx;
  ctx.schedule = bundle.schedule->discrete();
  ctx.prediction = bundle.schedule->prediction();
  ctx.steps = steps;
  ctx.scheduleType = "Uniform";
  ctx.unitNoise = randn(gen, g.t("a.noise").sizes());
  testing::expectTensorEqual(ctx.unitNoise, g.t("a.noise"), "a.noise");
  ctx.model =
      makeGuidedModel(bundle, cond, uncond, a.at("cfg_scale").get<double>(), height, width, concat);
  ctx.noise = makeNoiseFn(gen);
  std::vector<at::Tensor> xs, ds;
  ctx.onStep = [&](const SamplerStep& s) {
    xs.push_back(s.x.clone());
    ds.push_back(s.denoised.clone());
    return true;
  };
  const at::Tensor samples = makeSampler("Euler")->sample(ctx);
  ASSERT_EQ(static_cast<int>(ds.size()), steps);
  for (int i = 0; i < steps; ++i) {
    const std::string step = "a.step" + std::to_string(i);
    testing::expectTensorNear(ds[i], g.t(step + ".denoised"), 1e-3, step + ".denoised");
    if (i + 1 < steps)
      testing::expectTensorNear(xs[i], g.t("a.step" + std::to_string(i + 1) + ".x"), 1e-3,
                                step + " x after the step");
  }
  testing::expectTensorNear(samples, g.t("a.samples"), 1e-3, "a.samples");
  const at::Tensor decoded = decodeLatent(bundle, samples);
  testing::expectTensorNear(decoded, g.t("a.decoded"), 1e-3, "a.decoded");
  EXPECT_LE(maxDiff(imageToRgb(g.t("a.decoded")).pixels, g.u8("a.image_u8")), 1);
}

/// The request of case k of §7b.
GenerationParams caseParams(const Golden& g, const json& c) {
  const json& b = g.settings.at("b");
  GenerationParams p;
  p.prompt = g.settings.at("prompt").get<std::string>();
  p.negativePrompt = g.settings.at("negative_prompt").get<std::string>();
  p.seed = g.settings.at("seed").get<int64_t>();
  p.cfgScale = g.settings.at("cfg_scale").get<double>();
  p.width = g.settings.at("width").get<int>();
  p.height = g.settings.at("height").get<int>();
  p.steps = b.at("steps").get<int>();
  p.sampler = "Euler";
  p.schedule = "Uniform";
  p.dtype = ComputeDType::F32;
  p.previews = false;
  p.edit.initImage = pictureOf<RgbImage>(g.u8("image_u8"), 3);
  p.edit.mask = pictureOf<GrayImage>(g.u8("mask_u8"), 1);
  p.edit.maskBlur = b.at("mask_blur").get<int>();
  p.edit.inpaintArea = InpaintArea::WholePicture;
  const int fill = c.at(1).get<int>();  // A1111 inpainting_fill
  p.edit.maskedContent = fill == 0   ? MaskedContent::Fill
                         : fill == 1 ? MaskedContent::Original
                         : fill == 2 ? MaskedContent::LatentNoise
                                     : MaskedContent::LatentNothing;
  p.edit.strength = c.at(2).get<double>();
  return p;
}

TEST(InpaintGolden, A1111RegularModelStages) {
  const auto bundlePtr = tinySd1();
  const ModelBundle& bundle = *bundlePtr;
  const Golden g("inpaint/golden_inpaint.safetensors");
  const json& cases = g.settings.at("b").at("cases");
  ASSERT_FALSE(cases.empty());
  c10::InferenceMode guard;
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string name = "b.case" + std::to_string(k);
    SCOPED_TRACE(name + " " + cases[k].dump());
    const GenerationParams p = caseParams(g, cases[k]);
    const PreparedEdit edit = prepareEdit(bundle, p);
    // Mask processing, overlay and latent mask: the documented integer algorithms, exact.
    EXPECT_EQ(maxDiff(edit.mask.pixels, g.u8("b.mask_blurred_u8")), 0) << "b.mask_blurred_u8";
    EXPECT_EQ(maxDiff(edit.overlay.pixels, g.u8("b.overlay_rgba_u8")), 0) << "b.overlay_rgba_u8";
    testing::expectTensorEqual(edit.nmask, g.t("b.nmask"), "b.nmask");
    // The picture encoded for the init latent (masking.fill for every content but "original").
    const int sourceDiff = maxDiff(edit.source.pixels, g.u8(name + ".init_image_u8"));
    EXPECT_EQ(sourceDiff, 0) << name << ".init_image_u8";
    testing::expectTensorNear(edit.encoded, g.t(name + ".init_latent_encoded"), 1e-4,
                              name + ".init_latent_encoded");
    const at::Tensor init = initialLatent(edit, p.seed);
    testing::expectTensorNear(init, g.t(name + ".init_latent"), 1e-4, name + ".init_latent");

    // The trajectory with A1111's blend after CFG, from the reference's init latent.
    const at::Tensor refInit = g.t(name + ".init_latent");
    const auto cond = encodePrompt(bundle, p.prompt, 1);
    const auto uncond = encodePrompt(bundle, p.negativePrompt, 1);
    Generator gen(static_cast<uint64_t>(p.seed));
    SamplingContext ctx;
    ctx.schedule = bundle.schedule->discrete();
    ctx.prediction = bundle.schedule->prediction();
    ctx.steps = p.steps;
    ctx.scheduleType = p.schedule;
    ctx.unitNoise = randn(gen, refInit.sizes());
    testing::expectTensorEqual(ctx.unitNoise, g.t(name + ".noise"), name + ".noise");
    ctx.initLatent = refInit;
    ctx.strength = p.edit.strength;
    ctx.model = blendPredictedX0(
        makeGuidedModel(bundle, cond, uncond, p.cfgScale, p.height, p.width),
        *bundle.schedule->discrete(), bundle.schedule->prediction(), edit.nmask, refInit);
    ctx.noise = makeNoiseFn(gen);
    std::vector<at::Tensor> xs, ds;
    ctx.onStep = [&](const SamplerStep& s) {
      xs.push_back(s.x.clone());
      ds.push_back(s.denoised.clone());
      return true;
    };
    const at::Tensor raw = makeSampler(p.sampler)->sample(ctx);
    const int n = static_cast<int>(g.t(name + ".sigma_sched").numel()) - 1;
    ASSERT_EQ(static_cast<int>(ds.size()), n);
    for (int i = 0; i < n; ++i) {
      const std::string step = name + ".step" + std::to_string(i);
      testing::expectTensorNear(ds[i], g.t(step + ".denoised"), 1e-3, step + ".denoised");
      if (i + 1 < n)
        testing::expectTensorNear(xs[i], g.t(name + ".step" + std::to_string(i + 1) + ".x"), 1e-3,
                                  step + " x after the step");
    }
    testing::expectTensorNear(raw, g.t(name + ".samples_raw"), 1e-3, name + ".samples_raw");
    const at::Tensor samples = blendFinalLatent(edit, raw, refInit);
    testing::expectTensorNear(samples, g.t(name + ".samples"), 1e-3, name + ".samples");
    testing::expectTensorNear(decodeLatent(bundle, samples), g.t(name + ".decoded"), 1e-3,
                              name + ".decoded");
    // The composite of the reference's own 8-bit picture: exact integer math.
    const RgbImage composite =
        compositeEdit(edit, pictureOf<RgbImage>(g.u8(name + ".image_u8"), 3));
    EXPECT_EQ(maxDiff(composite.pixels, g.u8(name + ".composite_u8")), 0)
        << name << ".composite_u8";
  }
}

TEST(InpaintGolden, GenerateMatchesEveryCaseAndKeepsUnmaskedBytes) {
  const auto bundle = tinySd1();
  const Golden g("inpaint/golden_inpaint.safetensors");
  const json& cases = g.settings.at("b").at("cases");
  const at::Tensor original = g.u8("image_u8").to(at::kInt).reshape({-1, 3});  // [H*W,3]
  const at::Tensor overlayAlpha =
      g.u8("b.overlay_rgba_u8").to(at::kInt).reshape({-1, 4}).select(1, 3);  // [H*W]
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string name = "b.case" + std::to_string(k);
    SCOPED_TRACE(name);
    const GenerationResult r = generate(*bundle, caseParams(g, cases[k]));
    ASSERT_EQ(r.images.size(), 1u);
    const RgbImage& out = r.images[0].image;
    EXPECT_LE(maxDiff(out.pixels, g.u8(name + ".composite_u8")), 1);
    // Every pixel the overlay keeps opaque is the input's own bytes.
    const at::Tensor ours = bytes(out.pixels).reshape({-1, 3});
    const at::Tensor kept = overlayAlpha.eq(255);
    ASSERT_GT(kept.sum().item<int64_t>(), 0);
    EXPECT_TRUE(at::equal(ours.index({kept}), original.index({kept})));
  }
}

}  // namespace
}  // namespace lienzo
