// MmditDiffusionModel (core/pipeline/mmdit_diffusion_model.h) on sd3/tiny-sd3.safetensors: the
// DiffusionModel face of the MMDiT gives golden_mmdit's v for t = sigma·1000 and the skip-layer
// variant, and refuses ControlNet residuals. Tolerance: sd3/README.md §7, 1e-4.
#include "core/io/safetensors.h"
#include "core/pipeline/mmdit_diffusion_model.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lienzo {
namespace {

using testing::expectTensorNear;
using testing::fixturePath;
using testing::readJsonFixture;
using testing::testDevice;

constexpr double kTol = 1e-4;  // README §7: MMDiT outputs

std::shared_ptr<const MmditDiffusionModel> tinySd3() {
  const auto config = readJsonFixture("sd3/tiny-sd3.config.json");
  const SafetensorsFile file = SafetensorsFile::open(
      fixturePath("sd3/" + config.at("files").at("checkpoint").get<std::string>()));
  return loadMmditDiffusionModel(file, at::kFloat, testDevice());
}

TEST(MmditDiffusionModel, ForwardTakesSigmaTimesThousandAndMatchesGolden) {
  c10::InferenceMode guard;
  const auto model = tinySd3();
  const auto config = readJsonFixture("sd3/tiny-sd3.config.json").at("mmdit");
  EXPECT_EQ(model->inChannels(), config.at("in_channels").get<int64_t>());
  EXPECT_EQ(model->latentChannels(), config.at("out_channels").get<int64_t>());
  EXPECT_EQ(model->widthHint(), config.at("hidden_size").get<int64_t>());
  const SafetensorsFile g = SafetensorsFile::open(fixturePath("sd3/golden_mmdit.safetensors"));
  const auto skip =
      nlohmann::json::parse(g.metadata().at("skip_layers")).get<std::vector<int64_t>>();
  int cases = 0;
  for (int k = 0; g.contains("case" + std::to_string(k) + ".x"); ++k, ++cases) {
    const std::string p = "case" + std::to_string(k) + ".";
    auto load = [&](const std::string& what) { return g.load(p + what, at::kFloat); };
    const at::Tensor sigma = load("sigma");
    const at::Tensor v = model->forward(load("x"), sigma * 1000.0, load("context"), load("y"));
    EXPECT_EQ(v.device(), model->device());
    expectTensorNear(v, load("v"), kTol, p + "v");
    if (g.contains(p + "v_skip_layers")) {
      expectTensorNear(
          model->forwardSkipping(load("x"), sigma * 1000.0, load("context"), load("y"), skip),
          load("v_skip_layers"), kTol, p + "v_skip_layers");
    }
  }
  EXPECT_GT(cases, 0);
}

TEST(MmditDiffusionModel, RefusesResidualsAndFilesWithoutMmdit) {
  c10::InferenceMode guard;
  const auto model = tinySd3();
  const SafetensorsFile g = SafetensorsFile::open(fixturePath("sd3/golden_mmdit.safetensors"));
  UNetResiduals residuals;
  residuals.middle = at::zeros({1});
  EXPECT_THROW(model->forward(g.load("case0.x", at::kFloat), g.load("case0.timestep", at::kFloat),
                              g.load("case0.context", at::kFloat), g.load("case0.y", at::kFloat),
                              &residuals),
               std::invalid_argument);
  EXPECT_THROW(loadMmditDiffusionModel(g, at::kFloat), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
