// Unit tests of the cheap latent -> RGB preview (ComfyUI Latent2RGB projection).
#include "core/model/latent_preview.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace lienzo {
namespace {

/// The reference mapping for one pixel, written out independently in double precision.
uint8_t expectedByte(double value) {
  const double v = std::clamp((value + 1.0) / 2.0, 0.0, 1.0) * 255.0;
  return static_cast<uint8_t>(v);  // truncation, as .to(torch.uint8)
}

TEST(LatentPreview, CoefficientsAreComfyUIs) {
  // Ref: ComfyUI comfy/latent_formats.py SD15 / SDXL (rows = latent channels, columns = RGB).
  const auto& sd = latentRgbProjection(LatentFormat::SD15);
  EXPECT_FLOAT_EQ(sd.factors[0][0], 0.3512f);
  EXPECT_FLOAT_EQ(sd.factors[1][1], 0.4974f);
  EXPECT_FLOAT_EQ(sd.factors[3][2], -0.7177f);
  EXPECT_FLOAT_EQ(sd.bias[0], 0.0f);
  const auto& xl = latentRgbProjection(LatentFormat::SDXL);
  EXPECT_FLOAT_EQ(xl.factors[0][2], 0.4341f);
  EXPECT_FLOAT_EQ(xl.factors[2][0], 0.1076f);
  EXPECT_FLOAT_EQ(xl.factors[3][1], -0.2492f);
  EXPECT_FLOAT_EQ(xl.bias[0], 0.1084f);
  EXPECT_FLOAT_EQ(xl.bias[1], -0.0175f);
  EXPECT_FLOAT_EQ(xl.bias[2], -0.0011f);
}

TEST(LatentPreview, MatchesPerPixelFormula) {
  for (LatentFormat format : {LatentFormat::SD15, LatentFormat::SDXL}) {
    const auto& p = latentRgbProjection(format);
    const at::Tensor latent = at::randn({2, 4, 3, 5}, at::kFloat) * 2.0;
    const at::Tensor rgb = latentPreviewRgb(latent, format);
    ASSERT_EQ(rgb.scalar_type(), at::kByte);
    ASSERT_EQ(rgb.sizes(), (std::vector<int64_t>{2, 3, 5, 3}));
    ASSERT_TRUE(rgb.is_contiguous());
    int mismatches = 0;
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t y = 0; y < 3; ++y)
        for (int64_t x = 0; x < 5; ++x)
          for (int k = 0; k < 3; ++k) {
            double v = p.bias[k];
            for (int c = 0; c < 4; ++c)
              v += static_cast<double>(p.factors[c][k]) * latent[b][c][y][x].item<float>();
            const int got = rgb[b][y][x][k].item<uint8_t>();
            const int want = expectedByte(v);
            // float32 vs double may flip a value sitting on an integer boundary.
            EXPECT_LE(std::abs(got - want), 1);
            mismatches += got != want;
          }
    EXPECT_LE(mismatches, 2);
  }
}

TEST(LatentPreview, ZeroLatentGivesMidGreyPlusBias) {
  const at::Tensor zero = at::zeros({4, 6, 4});
  const at::Tensor sd = latentPreviewRgb(zero, LatentFormat::SD15);
  EXPECT_EQ(sd.sizes(), (std::vector<int64_t>{1, 6, 4, 3}));
  EXPECT_TRUE((sd == 127).all().item<bool>());  // trunc(0.5 * 255)
  const at::Tensor xl = latentPreviewRgb(zero, LatentFormat::SDXL);
  const auto& bias = latentRgbProjection(LatentFormat::SDXL).bias;
  for (int k = 0; k < 3; ++k)
    EXPECT_TRUE((xl.select(3, k) == expectedByte(bias[k])).all().item<bool>()) << k;
}

TEST(LatentPreview, SaturatesAndMapsNaNToGrey) {
  at::Tensor latent = at::zeros({1, 4, 1, 3});
  latent[0][0][0][0] = 100.0f;   // huge positive channel 0: all SD15 factors positive -> 255
  latent[0][0][0][1] = -100.0f;  // -> 0
  latent[0][0][0][2] = NAN;
  const at::Tensor rgb = latentPreviewRgb(latent, LatentFormat::SD15);
  EXPECT_TRUE((rgb[0][0][0] == 255).all().item<bool>());
  EXPECT_TRUE((rgb[0][0][1] == 0).all().item<bool>());
  EXPECT_TRUE((rgb[0][0][2] == 127).all().item<bool>());
}

TEST(LatentPreview, AcceptsReducedPrecisionAndChannelsLast) {
  const at::Tensor latent = at::randn({1, 4, 8, 8});
  const at::Tensor ref = latentPreviewRgb(latent, LatentFormat::SDXL);
  const at::Tensor cl =
      latentPreviewRgb(latent.contiguous(at::MemoryFormat::ChannelsLast), LatentFormat::SDXL);
  EXPECT_TRUE(at::equal(cl, ref));
  const at::Tensor bf = latentPreviewRgb(latent.to(at::kBFloat16), LatentFormat::SDXL);
  EXPECT_LE((bf.to(at::kInt) - ref.to(at::kInt)).abs().max().item<int>(), 3);
}

TEST(LatentPreview, ImageBytesAreRowMajorRgb) {
  const at::Tensor latent = at::randn({3, 4, 2, 5});
  const at::Tensor rgb = latentPreviewRgb(latent, LatentFormat::SD15);
  const PreviewImage image = latentPreviewImage(latent, LatentFormat::SD15, 2);
  EXPECT_EQ(image.width, 5);
  EXPECT_EQ(image.height, 2);
  ASSERT_EQ(image.rgb.size(), 2u * 5u * 3u);
  for (int64_t y = 0; y < 2; ++y)
    for (int64_t x = 0; x < 5; ++x)
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(image.rgb[(y * 5 + x) * 3 + k], rgb[2][y][x][k].item<uint8_t>());
  EXPECT_THROW(latentPreviewImage(latent, LatentFormat::SD15, 3), std::out_of_range);
}

TEST(LatentPreview, RejectsWrongShapes) {
  EXPECT_THROW(latentPreviewRgb(at::zeros({1, 3, 4, 4}), LatentFormat::SD15),
               std::invalid_argument);
  EXPECT_THROW(latentPreviewRgb(at::zeros({4, 4}), LatentFormat::SD15), std::invalid_argument);
  EXPECT_THROW(latentPreviewRgb(at::Tensor(), LatentFormat::SD15), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
