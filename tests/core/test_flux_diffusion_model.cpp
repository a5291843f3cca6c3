// FluxDiffusionModel (the pipeline's view of Flux: latent in, velocity out) against every step of
// flux/golden_txt2img_{dev,schnell}.safetensors: x = unpack(step{i}.img_in), t = step{i}.t_vec,
// context = t5_out, y = clip_pooled, guidance from __metadata__ (dev) → unpack(step{i}.pred).
// Steps, sizes and guidance come from the files. Tolerance: flux/README.md §8 (pred 1e-4).
#include "core/pipeline/flux_diffusion_model.h"

#include "core/io/safetensors.h"
#include "core/model/flux_packing.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

namespace {

using lienzo::FluxDiffusionModel;
using lienzo::SafetensorsFile;
namespace lt = lienzo::testing;

constexpr double kTol = 1e-4;  // README §8: pred

FluxDiffusionModel loadVariant(const std::string& variant, double guidance) {
  const auto config = lt::readJsonFixture("flux/tiny-flux.config.json");
  const auto file = SafetensorsFile::open(
      lt::fixturePath("flux/" + config.at("files").at("flux_" + variant).get<std::string>()));
  const auto axes = config.at("flux_" + variant).at("axes_dim").get<std::vector<int64_t>>();
  return FluxDiffusionModel(lienzo::loadFlux(file, at::kFloat, lt::testDevice(), axes), at::kFloat,
                            lt::testDevice(), guidance);
}

TEST(FluxDiffusionModelGolden, EveryDenoiseStepOfBothTxt2imgGoldens) {
  c10::InferenceMode guard;
  for (const std::string variant : {"dev", "schnell"}) {
    SCOPED_TRACE(variant);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + variant + ".safetensors"));
    const auto& meta = golden.metadata();
    const int64_t height = std::stoll(meta.at("height")), width = std::stoll(meta.at("width"));
    const bool dev = meta.count("guidance") != 0;
    const auto model = loadVariant(variant, dev ? std::stod(meta.at("guidance")) : 0.0);
    EXPECT_EQ(model.usesGuidance(), dev);
    EXPECT_EQ(model.latentChannels(), golden.info("noise").shape.at(1));
    const auto load = [&](const std::string& k) { return golden.load(k, at::kFloat); };
    const at::Tensor txt = load("t5_out"), y = load("clip_pooled");
    int steps = 0;
    for (int i = 0;; ++i) {
      const std::string base = "step" + std::to_string(i) + ".";
      if (!golden.contains(base + "pred")) break;
      SCOPED_TRACE(base);
      ++steps;
      if (dev) {
        // the reference fills a float32 vector with the guidance value, as forward() does
        EXPECT_EQ(load(base + "guidance_vec").item<float>(), static_cast<float>(model.guidance()));
      }
      const at::Tensor x = lienzo::fluxUnpackPixels(load(base + "img_in"), height, width);
      const at::Tensor v = model.forward(x, load(base + "t_vec"), txt, y);
      const at::Tensor pred = lienzo::fluxUnpackPixels(load(base + "pred"), height, width);
      lt::expectTensorNear(v, pred, kTol, base + "pred");
      std::cout << "[ measured ] " << variant << " " << base << "pred "
                << lt::relativeMaxError(v, pred) << "\n";
    }
    EXPECT_EQ(steps, std::stoi(meta.at("steps")));
  }
}

TEST(FluxDiffusionModel, GuidanceViewsOddSizesAndRefusals) {
  c10::InferenceMode guard;
  const auto config = lt::readJsonFixture("flux/tiny-flux.config.json");
  const int64_t ctx = config.at("flux_dev").at("context_in_dim").get<int64_t>();
  const int64_t vec = config.at("flux_dev").at("vec_in_dim").get<int64_t>();
  const auto dev = loadVariant("dev", 3.5);
  const int64_t c = dev.latentChannels();
  const at::Tensor x = at::randn({1, c, 6, 4}), t = at::full({1}, 0.7);
  const at::Tensor txt = at::randn({1, 3, ctx}), y = at::randn({1, vec});
  // Another guidance value is another output (dev), from the same weights.
  const auto other = dev.withGuidance(1.5);
  EXPECT_DOUBLE_EQ(other->guidance(), 1.5);
  EXPECT_TRUE(other->flux().ptr() == dev.flux().ptr());
  EXPECT_GT(lt::relativeMaxError(other->forward(x, t, txt, y), dev.forward(x, t, txt, y)), 1e-6);
  // schnell ignores it.
  const auto schnell = loadVariant("schnell", 3.5);
  EXPECT_EQ(lt::relativeMaxError(schnell.withGuidance(1.0)->forward(x, t, txt, y),
                                 schnell.forward(x, t, txt, y)),
            0.0);
  // Odd latent sizes: padded to the 2x2 grid and cropped back.
  EXPECT_EQ(dev.forward(at::randn({1, c, 5, 7}), t, txt, y).sizes(), at::IntArrayRef({1, c, 5, 7}));
  lienzo::UNetResiduals residuals;
  residuals.middle = at::zeros({1});
  EXPECT_THROW(dev.forward(x, t, txt, y, &residuals), std::invalid_argument);
  EXPECT_THROW(dev.forward(x, t, txt, {}), std::invalid_argument);
  EXPECT_THROW(dev.forward(x, t, {}, y), std::invalid_argument);
  EXPECT_THROW(dev.forward(at::randn({1, c + 1, 4, 4}), t, txt, y), std::invalid_argument);
}

}  // namespace
