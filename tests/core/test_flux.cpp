// The Flux.1 transformer (dev and schnell) against flux/golden_model.safetensors and the packing
// against flux/golden_prepare.safetensors. Variants, cases, sizes, seeds and the RoPE axes come
// from the fixture files (tiny-flux.config.json, __metadata__, case{k} until missing).
// Tolerances: flux/README.md §8 (model / block outputs and vec 1e-4, pe 1e-6, packing exact).
#include "core/model/flux.h"
#include "core/model/flux_packing.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/sampling/rng.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using lienzo::Flux;
using lienzo::FluxConfig;
using lienzo::SafetensorsFile;
namespace lt = lienzo::testing;

constexpr double kTol = 1e-4;     // README §8: vec, model and block outputs
constexpr double kPeTol = 1e-6;   // README §8: pe
constexpr double kBf16Tol = 1.0;  // placeholder: measured below

const char* const kVariants[] = {"dev", "schnell"};

nlohmann::json fluxConfigJson() {
  return lt::readJsonFixture("flux/tiny-flux.config.json");
}

/// The fixture's FluxParams of `variant` ("dev" / "schnell").
const nlohmann::json& paramsOf(const nlohmann::json& config, const std::string& variant) {
  return config.at("flux_" + variant);
}

std::vector<int64_t> axesOf(const nlohmann::json& params) {
  return params.at("axes_dim").get<std::vector<int64_t>>();
}

SafetensorsFile weightsOf(const nlohmann::json& config, const std::string& variant) {
  return SafetensorsFile::open(
      lt::fixturePath("flux/" + config.at("files").at("flux_" + variant).get<std::string>()));
}

Flux loadModel(const SafetensorsFile& file, const nlohmann::json& params) {
  return lienzo::loadFlux(file, at::kFloat, lt::testDevice(), axesOf(params));
}

// ---- configuration from the weights ---------------------------------------------------------

TEST(FluxConfig, ReadFromWeightsMatchesFixtureParams) {
  const auto config = fluxConfigJson();
  for (const std::string variant : kVariants) {
    SCOPED_TRACE(variant);
    const auto& p = paramsOf(config, variant);
    const auto file = weightsOf(config, variant);
    const auto prefix = lienzo::findFluxPrefix(file);
    ASSERT_TRUE(prefix.has_value());
    EXPECT_EQ(*prefix, "");
    const FluxConfig c = FluxConfig::fromWeights(file, "", axesOf(p));
    EXPECT_EQ(c.inChannels, p.at("in_channels").get<int64_t>());
    EXPECT_EQ(c.outChannels, p.at("out_channels").get<int64_t>());
    EXPECT_EQ(c.vecInDim, p.at("vec_in_dim").get<int64_t>());
    EXPECT_EQ(c.contextInDim, p.at("context_in_dim").get<int64_t>());
    EXPECT_EQ(c.hidden, p.at("hidden_size").get<int64_t>());
    EXPECT_EQ(c.heads, p.at("num_heads").get<int64_t>());
    EXPECT_EQ(c.mlpHidden,
              static_cast<int64_t>(c.hidden * p.at("mlp_ratio").get<double>()));  // int(h·ratio)
    EXPECT_EQ(c.depth, p.at("depth").get<int64_t>());
    EXPECT_EQ(c.depthSingle, p.at("depth_single_blocks").get<int64_t>());
    EXPECT_EQ(c.theta, p.at("theta").get<double>());
    EXPECT_EQ(c.qkvBias, p.at("qkv_bias").get<bool>());
    EXPECT_EQ(c.guidanceEmbed, p.at("guidance_embed").get<bool>());
  }
}

TEST(FluxConfig, AxesDefaultOnlyForTheReleasedHeadDim) {
  EXPECT_EQ(lienzo::fluxDefaultAxesDim(128), (std::vector<int64_t>{16, 56, 56}));
  EXPECT_THROW(lienzo::fluxDefaultAxesDim(96), std::invalid_argument);
  FluxConfig c = FluxConfig::dev();
  EXPECT_NO_THROW(c.validate());
  c.axesDim = {16, 56, 54};
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c.axesDim = {16, 56, 56};
  c.heads = 7;
  EXPECT_THROW(c.validate(), std::invalid_argument);
  EXPECT_FALSE(FluxConfig::schnell().guidanceEmbed);
}

TEST(FluxConfig, NotAFluxFileIsAClearError) {
  const auto file = SafetensorsFile::open(lt::fixturePath("flux/tiny-clip_l.safetensors"));
  EXPECT_FALSE(lienzo::findFluxPrefix(file).has_value());
  EXPECT_THROW(FluxConfig::fromWeights(file, "", std::vector<int64_t>{8, 12, 12}),
               std::invalid_argument);
  EXPECT_THROW(lienzo::loadFlux(file, at::kFloat), std::invalid_argument);
}

// ---- golden_model ---------------------------------------------------------------------------

class FluxModelGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    m_golden = std::make_unique<SafetensorsFile>(
        SafetensorsFile::open(lt::fixturePath("flux/golden_model.safetensors")));
  }
  bool has(const std::string& key) const { return m_golden->contains(key); }
  at::Tensor get(const std::string& key) const {
    return m_golden->load(key, at::kFloat, lt::testDevice());
  }

  /// Runs every case of `variant` on `model`; returns the number of cases.
  int runCases(Flux& model, const std::string& variant) {
    int cases = 0;
    for (int k = 0;; ++k) {
      const std::string base = variant + ".case" + std::to_string(k) + ".";
      if (!has(base + "out")) break;
      SCOPED_TRACE(base);
      ++cases;
      std::map<std::string, at::Tensor> traced;
      const lienzo::FluxTraceFn trace = [&](const std::string& name, const at::Tensor& value) {
        traced[name] = value;
      };
      const at::Tensor guidance = has(base + "guidance") ? get(base + "guidance") : at::Tensor();
      EXPECT_EQ(guidance.defined(), model->config().guidanceEmbed);
      const at::Tensor out = model->forward(
          get(base + "img"), get(base + "img_ids"), get(base + "txt"), get(base + "txt_ids"),
          get(base + "timesteps"), get(base + "y"), guidance, &trace);
      lt::expectTensorNear(out, get(base + "out"), kTol, base + "out");
      std::cout << "[ measured ] " << base << "out " << lt::relativeMaxError(out, get(base + "out"))
                << "\n";
      // Every stored intermediate of this case (case 0 has them) against the trace.
      const std::vector<std::string> inputs{"img",       "img_ids", "txt",      "txt_ids",
                                            "timesteps", "y",       "guidance", "out"};
      int intermediates = 0;
      for (const auto& name : m_golden->names()) {
        if (name.rfind(base, 0) != 0) continue;
        const std::string what = name.substr(base.size());
        if (std::find(inputs.begin(), inputs.end(), what) != inputs.end()) continue;
        ++intermediates;
        if (!traced.count(what)) {
          ADD_FAILURE() << "no traced tensor " << what;
          continue;
        }
        lt::expectTensorNear(traced.at(what), get(name), what == "pe" ? kPeTol : kTol, name);
        std::cout << "[ measured ] " << name << " "
                  << lt::relativeMaxError(traced.at(what), get(name)) << "\n";
      }
      if (k == 0) {
        EXPECT_GT(intermediates, 0) << "the README promises case-0 intermediates";
      }
    }
    return cases;
  }

  std::unique_ptr<SafetensorsFile> m_golden;
};

TEST_F(FluxModelGolden, EveryCaseBothVariants) {
  c10::InferenceMode guard;
  const auto config = fluxConfigJson();
  const int expected = std::stoi(m_golden->metadata().at("cases"));
  for (const std::string variant : kVariants) {
    SCOPED_TRACE(variant);
    const auto file = weightsOf(config, variant);
    Flux model = loadModel(file, paramsOf(config, variant));
    EXPECT_EQ(runCases(model, variant), expected);
  }
}

TEST_F(FluxModelGolden, ComfyUiPrefixLoadsTheSameModel) {
  // The all-in-one layout: the same tensors under model.diffusion_model. (written to a temp file).
  c10::InferenceMode guard;
  const auto config = fluxConfigJson();
  const std::string variant = "schnell";
  const auto bare = weightsOf(config, variant);
  std::vector<std::pair<std::string, at::Tensor>> renamed;
  for (const auto& name : bare.names())
    renamed.emplace_back("model.diffusion_model." + name, bare.view(name));
  renamed.emplace_back("first_stage_model.decoder.conv_in.weight", at::zeros({1}));
  const auto path = lt::makeTempDir("flux_prefix") / "comfy.safetensors";
  lienzo::writeSafetensors(path, renamed);
  const auto file = SafetensorsFile::open(path);
  const auto prefix = lienzo::findFluxPrefix(file);
  ASSERT_TRUE(prefix.has_value());
  EXPECT_EQ(*prefix, "model.diffusion_model.");
  Flux model = loadModel(file, paramsOf(config, variant));
  EXPECT_EQ(runCases(model, variant), std::stoi(m_golden->metadata().at("cases")));
}

TEST_F(FluxModelGolden, BadInputsAreClearErrors) {
  c10::InferenceMode guard;
  const auto config = fluxConfigJson();
  const auto file = weightsOf(config, "dev");
  Flux model = loadModel(file, paramsOf(config, "dev"));
  const std::string b = "dev.case0.";
  const auto img = get(b + "img"), ids = get(b + "img_ids"), txt = get(b + "txt");
  const auto tids = get(b + "txt_ids"), t = get(b + "timesteps"), y = get(b + "y");
  EXPECT_THROW(model->forward(img, ids, txt, tids, t, y, {}), std::invalid_argument);  // no g
  const auto g = get(b + "guidance");
  EXPECT_THROW(model->forward(img.narrow(2, 0, 4), ids, txt, tids, t, y, g), std::invalid_argument);
  EXPECT_THROW(model->forward(img, ids.narrow(1, 0, 1), txt, tids, t, y, g), std::invalid_argument);
  EXPECT_THROW(model->forward(img, ids, txt.narrow(2, 0, 3), tids, t, y, g), std::invalid_argument);
  EXPECT_THROW(model->forward(img, ids, txt, tids, t, y.narrow(1, 0, 3), g), std::invalid_argument);
  EXPECT_THROW(model->forward(img, ids, txt, tids, at::zeros({5}), y, g), std::invalid_argument);
}

TEST_F(FluxModelGolden, Bf16WeightsAndCompute) {
  // The released files are BF16: the same cases with BF16 weights and BF16 compute (norms, RoPE
  // and the sinusoid in float32). See kBf16Tol.
  c10::InferenceMode guard;
  const auto config = fluxConfigJson();
  for (const std::string variant : kVariants) {
    const auto file = weightsOf(config, variant);
    Flux model =
        lienzo::loadFlux(file, at::kBFloat16, lt::testDevice(), axesOf(paramsOf(config, variant)));
    EXPECT_EQ(model->dtype(), at::kBFloat16);
    for (int k = 0;; ++k) {
      const std::string base = variant + ".case" + std::to_string(k) + ".";
      if (!has(base + "out")) break;
      const at::Tensor guidance = has(base + "guidance") ? get(base + "guidance") : at::Tensor();
      const at::Tensor out =
          model->forward(get(base + "img"), get(base + "img_ids"), get(base + "txt"),
                         get(base + "txt_ids"), get(base + "timesteps"), get(base + "y"), guidance);
      EXPECT_EQ(out.scalar_type(), at::kFloat);  // img's dtype
      lt::expectTensorNear(out, get(base + "out"), kBf16Tol, base + "out (bf16)");
      std::cout << "[ measured ] bf16 " << base << "out "
                << lt::relativeMaxError(out, get(base + "out")) << "\n";
    }
  }
}

// ---- golden_prepare -------------------------------------------------------------------------

TEST(FluxPackingGolden, EveryCaseExact) {
  const auto golden = SafetensorsFile::open(lt::fixturePath("flux/golden_prepare.safetensors"));
  const auto seeds =
      nlohmann::json::parse(golden.metadata().at("noise_seeds")).get<std::vector<uint64_t>>();
  int cases = 0;
  for (int k = 0;; ++k) {
    const std::string base = "case" + std::to_string(k) + ".";
    if (!golden.contains(base + "noise")) break;
    SCOPED_TRACE(base);
    ++cases;
    const at::Tensor hw = golden.load(base + "height_width", at::kLong);
    const int64_t height = hw[0].item<int64_t>(), width = hw[1].item<int64_t>();
    const at::Tensor noiseGolden = golden.load(base + "noise", at::kFloat);
    const auto shape = lienzo::fluxLatentShape(noiseGolden.size(0), height, width);
    EXPECT_EQ(at::IntArrayRef(shape), noiseGolden.sizes());
    lienzo::Generator gen(seeds.at(k));
    lt::expectTensorEqual(lienzo::randn(gen, shape), noiseGolden, base + "noise");
    const at::Tensor packed = lienzo::fluxPack(noiseGolden);
    lt::expectTensorEqual(packed, golden.load(base + "img", at::kFloat), base + "img");
    const int64_t rows = noiseGolden.size(2) / 2, cols = noiseGolden.size(3) / 2;
    lt::expectTensorEqual(lienzo::fluxImageIds(noiseGolden.size(0), rows, cols),
                          golden.load(base + "img_ids", at::kFloat), base + "img_ids");
    const at::Tensor txtIds = golden.load(base + "txt_ids", at::kFloat);
    lt::expectTensorEqual(lienzo::fluxTextIds(txtIds.size(0), txtIds.size(1)), txtIds,
                          base + "txt_ids");
    const at::Tensor unpackedGolden = golden.load(base + "unpacked", at::kFloat);
    lt::expectTensorEqual(lienzo::fluxUnpackPixels(packed, height, width), unpackedGolden,
                          base + "unpacked");
    lt::expectTensorEqual(lienzo::fluxUnpack(packed, rows, cols), unpackedGolden,
                          base + "unpack(rows, cols)");
  }
  EXPECT_EQ(cases, static_cast<int>(seeds.size()));
}

TEST(FluxPacking, BadShapesAreClearErrors) {
  EXPECT_THROW(lienzo::fluxPack(at::zeros({1, 16, 5, 4})), std::invalid_argument);
  EXPECT_THROW(lienzo::fluxPack(at::zeros({16, 4, 4})), std::invalid_argument);
  EXPECT_THROW(lienzo::fluxUnpack(at::zeros({1, 6, 64}), 2, 2), std::invalid_argument);
  EXPECT_THROW(lienzo::fluxLatentShape(1, 0, 64), std::invalid_argument);
  EXPECT_THROW(lienzo::fluxImageIds(1, 0, 3), std::invalid_argument);
}

}  // namespace
