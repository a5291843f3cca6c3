// No-network ControlNet preprocessors against ../shared/fixtures/controlnet/
// golden_preprocess.safetensors (README §4): every canny threshold pair, every tile rate and the
// inpaint hint, read from the file; plus unit tests of the other preprocessors.
#include "core/control/control_hint.h"
#include "core/control/preprocessors.h"
#include "core/io/safetensors.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>

namespace lienzo {
namespace {

RgbImage rgbFrom(const at::Tensor& u8) {  // [H,W,3]
  RgbImage img;
  img.height = static_cast<int>(u8.size(0));
  img.width = static_cast<int>(u8.size(1));
  const at::Tensor c = u8.contiguous();
  img.pixels.assign(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  return img;
}

at::Tensor tensorOf(const RgbImage& img) {
  return at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3},
                       at::kByte)
      .clone();
}

SafetensorsFile golden() {
  return SafetensorsFile::open(testing::fixturePath("controlnet/golden_preprocess.safetensors"));
}

TEST(ControlPreprocessGolden, CannyEveryThresholdPair) {
  const SafetensorsFile g = golden();
  const RgbImage input = rgbFrom(g.load("canny.input_u8"));
  int cases = 0;
  for (int k = 0; g.contains("canny" + std::to_string(k) + ".low_high"); ++k, ++cases) {
    const std::string p = "canny" + std::to_string(k) + ".";
    const at::Tensor lh = g.load(p + "low_high").to(at::kLong);
    PreprocessorOptions o;
    o.low = static_cast<double>(lh[0].item<int64_t>());
    o.high = static_cast<double>(lh[1].item<int64_t>());
    const GrayImage edges = cannyEdges(input, o.low, o.high);
    const at::Tensor e = at::from_blob(const_cast<uint8_t*>(edges.pixels.data()),
                                       {edges.height, edges.width}, at::kByte);
    testing::expectTensorEqual(e, g.load(p + "edges_u8"), p + "edges_u8");
    const RgbImage hint = preprocessControlImage("canny", input, o);
    testing::expectTensorEqual(tensorOf(hint), g.load(p + "hint_u8"), p + "hint_u8");
    testing::expectTensorEqual(controlHint(hint), g.load(p + "hint"), p + "hint");
  }
  EXPECT_GE(cases, 1);
}

TEST(ControlPreprocessGolden, TileResampleEveryRate) {
  const SafetensorsFile g = golden();
  const auto rates = nlohmann::json::parse(g.metadata().at("tile_rates"));
  const RgbImage input = rgbFrom(g.load("tile.input_u8"));
  ASSERT_GE(rates.size(), 1u);
  for (std::size_t k = 0; k < rates.size(); ++k) {
    const std::string name = "tile" + std::to_string(k) + ".out_u8";
    PreprocessorOptions o;
    o.tileRate = rates[k].get<double>();
    const at::Tensor ours = tensorOf(preprocessControlImage("tile_resample", input, o));
    const at::Tensor expected = g.load(name);
    ASSERT_EQ(ours.sizes(), expected.sizes()) << name;
    // Exact for an unchanged picture and integer rates; +-1 for a fractional rate (OpenCV
    // accumulates in float32, README §4-§5).
    const bool fractional = o.tileRate >= 1.1 && o.tileRate != std::floor(o.tileRate);
    const int diff = (ours.to(at::kInt) - expected.to(at::kInt)).abs().max().item<int>();
    EXPECT_LE(diff, fractional ? 1 : 0) << name << " rate " << o.tileRate;
    std::cout << "[ worst    ] " << name << " (rate " << o.tileRate << "): max |diff| " << diff
              << "\n";
  }
}

TEST(ControlPreprocessGolden, InpaintHintMaskedIsMinusOne) {
  const SafetensorsFile g = golden();
  const RgbImage image = rgbFrom(g.load("inpaint.image_u8"));
  const at::Tensor maskU8 = g.load("inpaint.mask_u8").contiguous();
  GrayImage mask;
  mask.height = static_cast<int>(maskU8.size(0));
  mask.width = static_cast<int>(maskU8.size(1));
  mask.pixels.assign(maskU8.data_ptr<uint8_t>(), maskU8.data_ptr<uint8_t>() + maskU8.numel());
  testing::expectTensorEqual(inpaintHint(image, mask), g.load("inpaint.hint"), "inpaint.hint");
  // What sd-webui-controlnet hands to its hook: RGBA with the binarised alpha, / 255.
  const GrayImage alpha = binarizeInpaintMask(mask);
  const at::Tensor a = at::from_blob(const_cast<uint8_t*>(alpha.pixels.data()),
                                     {1, 1, alpha.height, alpha.width}, at::kByte)
                           .to(at::kFloat) /
                       255.0f;
  testing::expectTensorEqual(at::cat({controlHint(image), a}, 1), g.load("inpaint.control"),
                             "inpaint.control");
  EXPECT_THROW(inpaintHint(image, GrayImage{2, 2, std::vector<uint8_t>(4, 0)}),
               std::invalid_argument);
}

// ---- unit tests ----------------------------------------------------------------------------

RgbImage pixels(std::vector<uint8_t> rgb, int w, int h) {
  return RgbImage{w, h, std::move(rgb)};
}

TEST(ControlPreprocess, ScribbleThresholdInvertNone) {
  // A dark stroke, a light grey and white, in one row.
  const RgbImage img = pixels({10, 10, 10, 200, 90, 200, 255, 255, 255}, 3, 1);
  // scribble: min(RGB) < 127 -> 255 (the stroke and the pixel with a dark channel).
  EXPECT_EQ(preprocessControlImage("scribble", img).pixels,
            (std::vector<uint8_t>{255, 255, 255, 255, 255, 255, 0, 0, 0}));
  EXPECT_EQ(preprocessControlImage("scribble_thr", img).pixels,
            preprocessControlImage("scribble", img).pixels);
  // threshold keeps polarity: OpenCV grey (10 / 131 / 255) > 127.
  EXPECT_EQ(preprocessControlImage("threshold", img).pixels,
            (std::vector<uint8_t>{0, 0, 0, 255, 255, 255, 255, 255, 255}));
  PreprocessorOptions o;
  o.threshold = 200;
  EXPECT_EQ(preprocessControlImage("threshold", img, o).pixels,
            (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 255, 255, 255}));
  EXPECT_EQ(preprocessControlImage("invert", img).pixels,
            (std::vector<uint8_t>{245, 245, 245, 55, 165, 55, 0, 0, 0}));
  EXPECT_EQ(preprocessControlImage("none", img).pixels, img.pixels);
  EXPECT_EQ(preprocessControlImage("inpaint", img).pixels, img.pixels);
}

TEST(ControlPreprocess, RefusesUnknownNamesAndBadInput) {
  const RgbImage img = pixels({1, 2, 3}, 1, 1);
  try {
    preprocessControlImage("depth_midas", img);
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("depth_midas"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("canny"), std::string::npos);  // lists the known
  }
  EXPECT_THROW(preprocessControlImage("canny", RgbImage{}), std::invalid_argument);
  EXPECT_THROW(preprocessControlImage("canny", pixels({1, 2}, 1, 1)), std::invalid_argument);
  PreprocessorOptions o;
  o.tileRate = 0.5;
  EXPECT_THROW(preprocessControlImage("tile_resample", img, o), std::invalid_argument);
  o.tileRate = 4.0;  // leaves no pixel of a 1x1 picture
  EXPECT_THROW(preprocessControlImage("tile_resample", img, o), std::invalid_argument);
  EXPECT_EQ(resolvePreprocessor("inpaint_global_harmonious").value_or(""), "inpaint");
  EXPECT_FALSE(resolvePreprocessor("Canny").has_value());
}

TEST(ControlPreprocess, CannyFlatPictureHasNoEdgesAndSwapsThresholds) {
  const RgbImage flat = pixels(std::vector<uint8_t>(8 * 8 * 3, 90), 8, 8);
  const GrayImage e = cannyEdges(flat, 100, 200);
  EXPECT_EQ(std::count(e.pixels.begin(), e.pixels.end(), 255), 0);
  // A vertical step edge; low > high is swapped (OpenCV).
  RgbImage step = flat;
  for (int y = 0; y < 8; ++y)
    for (int x = 4; x < 8; ++x)
      for (int c = 0; c < 3; ++c) step.pixels[(y * 8 + x) * 3 + c] = 250;
  const GrayImage a = cannyEdges(step, 100, 200), b = cannyEdges(step, 200, 100);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_GT(std::count(a.pixels.begin(), a.pixels.end(), 255), 0);
}

}  // namespace
}  // namespace lienzo
