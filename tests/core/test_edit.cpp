// Unit tests of the torch-free picture operations (core/edit): Pillow-exact resize and blur on
// small pictures (expected bytes produced by Pillow 9.4 from the same deterministic inputs),
// A1111 resize modes, mask helpers and crop regions, the outpainting canvas, the blends, and
// the argument checks (std::invalid_argument with a message naming the call).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/edit/box_blur.h"
#include "core/edit/canvas.h"
#include "core/edit/composite.h"
#include "core/edit/mask.h"
#include "core/edit/resample.h"

namespace lienzo::edit {
namespace {

using Bytes = std::vector<uint8_t>;

/// The deterministic picture the expected values were made from:
/// v = (37 x + 91 y + 53 c + 13 x y) mod 256.
Bytes ramp(int w, int h, int ch) {
  Bytes v(size_t(w) * h * ch);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < ch; ++c)
        v[(size_t(y) * w + x) * ch + c] = uint8_t((x * 37 + y * 91 + c * 53 + x * y * 13) % 256);
  return v;
}
RgbImage rampRgb(int w, int h) {
  return RgbImage{w, h, ramp(w, h, 3)};
}
GrayImage rampGray(int w, int h) {
  return GrayImage{w, h, ramp(w, h, 1)};
}
RgbImage solidRgb(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage im{w, h, Bytes(size_t(w) * h * 3)};
  for (size_t i = 0; i < im.pixels.size(); i += 3) {
    im.pixels[i] = r;
    im.pixels[i + 1] = g;
    im.pixels[i + 2] = b;
  }
  return im;
}
GrayImage solidGray(int w, int h, uint8_t v) {
  return GrayImage{w, h, Bytes(size_t(w) * h, v)};
}

/// Runs `fn`, expecting std::invalid_argument whose message contains `needle`.
template <typename Fn>
void expectInvalid(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no std::invalid_argument (expected one mentioning '" << needle << "')";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- resample

TEST(EditResample, MatchesPillowOnASmallPicture) {
  const RgbImage rgb = rampRgb(5, 4);
  EXPECT_EQ(
      resize(rgb, 3, 2, ResampleFilter::Nearest).pixels,
      (Bytes{91, 144, 197, 191, 244, 41, 35, 88, 141, 17, 70, 123, 169, 222, 19, 65, 118, 171}));
  EXPECT_EQ(resize(rgb, 3, 2, ResampleFilter::Bilinear).pixels,
            (Bytes{85, 122, 154, 129, 150, 142, 131, 137, 169, 127, 133, 123, 146, 142, 114, 143,
                   133, 124}));
  EXPECT_EQ(resize(rgb, 3, 2, ResampleFilter::Bicubic).pixels,
            (Bytes{80, 122, 157, 132, 151, 144, 131, 137, 172, 130, 135, 120, 152, 139, 115, 144,
                   134, 119}));
  EXPECT_EQ(resize(rgb, 3, 2, ResampleFilter::Lanczos).pixels,
            (Bytes{81, 125, 156, 133, 148, 147, 131, 139, 171, 131, 140, 121, 160, 137, 116, 143,
                   132, 113}));
  EXPECT_EQ(resize(rgb, 7, 3, ResampleFilter::Bicubic).pixels,
            (Bytes{17,  67,  136, 36,  98,  162, 72,  139, 170, 111, 164, 139, 145, 133, 163, 136,
                   140, 205, 110, 167, 235, 142, 203, 111, 183, 150, 151, 185, 128, 156, 122, 175,
                   100, 167, 118, 146, 151, 123, 124, 103, 163, 71,  59,  116, 87,  104, 108, 139,
                   139, 132, 143, 132, 185, 60,  196, 102, 113, 165, 106, 137, 95,  158, 129}));
  EXPECT_EQ(resize(rampGray(6, 5), 4, 3, ResampleFilter::Lanczos).pixels,
            (Bytes{52, 119, 140, 122, 154, 159, 146, 156, 98, 115, 158, 110}));
  // RGBA goes through RGBa (premultiplied) like Image.resize.
  const RgbaImage rgba{4, 4, ramp(4, 4, 4)};
  EXPECT_EQ(resize(rgba, 2, 3, ResampleFilter::Bilinear).pixels,
            (Bytes{49,  101, 149, 171, 107, 121, 149, 126, 143, 136, 141, 135,
                   149, 109, 118, 114, 93,  118, 145, 175, 158, 108, 118, 127}));
}

TEST(EditResample, SameSizeIsACopyAndConstantsStayConstant) {
  const RgbImage rgb = rampRgb(9, 7);
  for (auto f : {ResampleFilter::Nearest, ResampleFilter::Bilinear, ResampleFilter::Bicubic,
                 ResampleFilter::Lanczos}) {
    EXPECT_EQ(resize(rgb, 9, 7, f).pixels, rgb.pixels);
    for (auto [w, h] : {std::pair{3, 2}, std::pair{20, 31}, std::pair{9, 1}}) {
      const RgbImage out = resize(solidRgb(9, 7, 10, 128, 250), w, h, f);
      ASSERT_EQ(out.width, w);
      ASSERT_EQ(out.height, h);
      EXPECT_EQ(out.pixels, solidRgb(w, h, 10, 128, 250).pixels);
    }
  }
}

TEST(EditResample, NearestSamplesPixelCentres) {
  const GrayImage line{4, 1, Bytes{10, 20, 30, 40}};
  EXPECT_EQ(resize(line, 2, 1, ResampleFilter::Nearest).pixels, (Bytes{20, 40}));
  EXPECT_EQ(resize(line, 8, 1, ResampleFilter::Nearest).pixels,
            (Bytes{10, 10, 20, 20, 30, 30, 40, 40}));
}

TEST(EditResample, ZeroHeightBoxExtrapolatesTheEdgeRows) {
  // Bicubic taps of a zero-height box at row 0 are 1.125 and -0.125 (A1111's fill bands).
  const GrayImage twoRows{1, 2, Bytes{100, 20}};
  EXPECT_EQ(resize(twoRows, 1, 3, ResampleFilter::Bicubic, SourceBox{0.f, 0.f, 1.f, 0.f}).pixels,
            (Bytes{110, 110, 110}));
  EXPECT_EQ(resize(twoRows, 1, 2, ResampleFilter::Bicubic, SourceBox{0.f, 2.f, 1.f, 2.f}).pixels,
            (Bytes{10, 10}));
}

TEST(EditResample, RejectsBadArguments) {
  const RgbImage rgb = rampRgb(4, 4);
  expectInvalid([&] { resize(RgbImage{}, 2, 2, ResampleFilter::Bicubic); },
                "resize: image is empty");
  expectInvalid(
      [&] {
        resize(RgbImage{4, 4, Bytes(10)}, 2, 2, ResampleFilter::Bicubic);
      },
      "expected 4x4x3");
  expectInvalid([&] { resize(rgb, 0, 2, ResampleFilter::Lanczos); }, "not positive");
  expectInvalid([&] { resize(rgb, 2, -1, ResampleFilter::Nearest); }, "not positive");
  expectInvalid(
      [&] {
        resize(rgb, 2, 2, ResampleFilter::Bicubic, SourceBox{-1.f, 0.f, 4.f, 4.f});
      },
      "negative");
  expectInvalid(
      [&] {
        resize(rgb, 2, 2, ResampleFilter::Bicubic, SourceBox{0.f, 0.f, 5.f, 4.f});
      },
      "exceed");
  expectInvalid(
      [&] {
        resize(rgb, 2, 2, ResampleFilter::Bicubic, SourceBox{3.f, 0.f, 2.f, 4.f});
      },
      "empty");
}

// ---------------------------------------------------------------- Pillow GaussianBlur

TEST(EditBoxBlur, MatchesPillowGaussianBlur) {
  const GrayImage gray = rampGray(6, 5);
  EXPECT_EQ(gaussianBlur(gray, 1.5f).pixels,
            (Bytes{86,  98,  115, 128, 137, 142, 100, 109, 123, 132, 140, 143, 114, 120, 130,
                   136, 139, 140, 119, 124, 131, 135, 136, 135, 118, 122, 129, 131, 131, 129}));
  EXPECT_EQ(gaussianBlur(gray, 4.f).pixels,
            (Bytes{104, 107, 110, 113, 117, 120, 105, 107, 110, 113, 117, 119, 106, 108, 111,
                   114, 116, 118, 108, 109, 112, 114, 116, 118, 109, 110, 112, 114, 116, 117}));
}

TEST(EditBoxBlur, RadiusZeroCopiesAndConstantsStayConstant) {
  const RgbaImage rgba{7, 3, ramp(7, 3, 4)};
  EXPECT_EQ(gaussianBlur(rgba, 0.f).pixels, rgba.pixels);
  EXPECT_EQ(pillowBoxRadiusForGaussian(0.f), 0.f);
  for (float r : {0.5f, 2.f, 16.f, 256.f})
    EXPECT_EQ(gaussianBlur(solidRgb(5, 9, 3, 77, 255), r).pixels, solidRgb(5, 9, 3, 77, 255).pixels)
        << "radius " << r;
  expectInvalid([&] { gaussianBlur(rgba, -1.f); }, "radius");
  expectInvalid([&] { gaussianBlur(GrayImage{}, 1.f); }, "gaussianBlur: image is empty");
}

// ---------------------------------------------------------------- masks

TEST(EditMask, KernelSizeAndTaps) {
  EXPECT_EQ(maskBlurKernelSize(4), 21);
  EXPECT_EQ(maskBlurKernelSize(0.5), 3);
  EXPECT_EQ(maskBlurKernelSize(0), 1);
  expectInvalid([] { maskBlurKernelSize(-1); }, "maskBlurKernelSize");
  for (double sigma : {0.5, 1.0, 4.0, 9.5}) {
    const int k = maskBlurKernelSize(sigma);
    const std::vector<int> q = gaussianTapsFixedPoint(k, sigma);
    ASSERT_EQ(int(q.size()), k);
    int sum = 0;
    for (int i = 0; i < k; ++i) {
      sum += q[size_t(i)];
      EXPECT_EQ(q[size_t(i)], q[size_t(k - 1 - i)]);
      // Error diffusion keeps every tap within 1 of 256 x the normalised Gaussian.
      const double d = i - k / 2;
      double norm = 0.0;
      for (int t = 0; t < k; ++t)
        norm += std::exp(-(t - k / 2) * (t - k / 2) / (2 * sigma * sigma));
      EXPECT_NEAR(q[size_t(i)], 256.0 * std::exp(-d * d / (2 * sigma * sigma)) / norm, 1.0);
    }
    EXPECT_EQ(sum, 256) << "sigma " << sigma;
  }
  expectInvalid([] { gaussianTapsFixedPoint(4, 1.0); }, "odd");
  expectInvalid([] { gaussianTapsFixedPoint(5, 0.0); }, "sigma");
}

TEST(EditMask, BlurKeepsConstantsAndSpreadsAnImpulseSymmetrically) {
  EXPECT_EQ(blurMask(solidGray(9, 4, 255), 4).pixels, solidGray(9, 4, 255).pixels);
  EXPECT_EQ(blurMask(solidGray(9, 4, 0), 4).pixels, solidGray(9, 4, 0).pixels);
  GrayImage impulse = solidGray(21, 21, 0);
  impulse.pixels[10 * 21 + 10] = 255;
  EXPECT_EQ(blurMask(impulse, 0).pixels, impulse.pixels);
  const GrayImage b = blurMask(impulse, 2);
  for (int y = 0; y < 21; ++y)
    for (int x = 0; x < 21; ++x) {
      EXPECT_EQ(b.pixels[size_t(y) * 21 + x], b.pixels[size_t(x) * 21 + y]);
      EXPECT_EQ(b.pixels[size_t(y) * 21 + x], b.pixels[size_t(y) * 21 + (20 - x)]);
    }
  EXPECT_LT(b.pixels[10 * 21 + 10], 255);
  EXPECT_GT(b.pixels[10 * 21 + 11], 0);
  // Reflect-101 borders on pictures narrower than the kernel (and one pixel wide).
  EXPECT_EQ(blurMask(solidGray(1, 5, 200), 4).pixels, solidGray(1, 5, 200).pixels);
  EXPECT_EQ(blurMask(solidGray(3, 2, 90), 6, 1).pixels, solidGray(3, 2, 90).pixels);
  expectInvalid([] { blurMask(solidGray(3, 3, 0), -1); }, "blurMask");
}

TEST(EditMask, OverlayMaskBinaryInvertAndTests) {
  EXPECT_EQ(maskForOverlay(GrayImage{4, 1, Bytes{0, 100, 127, 200}}).pixels,
            (Bytes{0, 200, 254, 255}));
  EXPECT_EQ(binarizeMask(GrayImage{4, 1, Bytes{0, 128, 129, 255}}).pixels, (Bytes{0, 0, 255, 255}));
  EXPECT_EQ(invertMask(GrayImage{3, 1, Bytes{0, 100, 255}}).pixels, (Bytes{255, 155, 0}));
  EXPECT_TRUE(isMaskAllZero(solidGray(3, 2, 0)));
  EXPECT_FALSE(isMaskAllZero(GrayImage{2, 1, Bytes{0, 1}}));
  EXPECT_TRUE(isMaskAll255(solidGray(3, 2, 255)));
  EXPECT_FALSE(isMaskAll255(GrayImage{2, 1, Bytes{255, 254}}));
  // Pillow's L of pure red, green, blue, white.
  EXPECT_EQ(toGray(RgbImage{4, 1, Bytes{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}}).pixels,
            (Bytes{76, 150, 29, 255}));
  expectInvalid([] { invertMask(GrayImage{2, 2, Bytes(3)}); }, "invertMask: mask has 3 bytes");
}

TEST(EditMask, LatentMaskValues) {
  const GrayImage latent{4, 1, Bytes{0, 127, 128, 255}};
  EXPECT_EQ(latentMaskValues(latent), (std::vector<float>{0.f, 0.f, 1.f, 1.f}));
  const std::vector<float> raw = latentMaskValues(latent, false);
  EXPECT_EQ(raw[1], 127.f / 255.f);
  EXPECT_EQ(latentMask(solidGray(64, 48, 255), 8, 6).pixels, solidGray(8, 6, 255).pixels);
}

TEST(EditMask, CropRegion) {
  GrayImage mask = solidGray(64, 32, 0);
  EXPECT_FALSE(maskCropRegion(mask, 8).has_value());
  for (int y = 5; y < 8; ++y)
    for (int x = 10; x < 20; ++x) mask.pixels[size_t(y) * 64 + x] = 1;
  EXPECT_EQ(*maskCropRegion(mask, 0), (PixelRect{10, 5, 20, 8}));
  EXPECT_EQ(*maskCropRegion(mask, 4), (PixelRect{6, 1, 24, 12}));
  EXPECT_EQ(*maskCropRegion(mask, 100), (PixelRect{0, 0, 64, 32}));
  expectInvalid([&] { maskCropRegion(mask, -1); }, "padding");
}

TEST(EditMask, ExpandCropRegionToTheProcessingRatio) {
  // A1111's docstring example: a 128x32 region processed at 512x512 becomes 128x128.
  EXPECT_EQ(expandCropRegion({100, 200, 228, 232}, 512, 512, 512, 512),
            (PixelRect{100, 152, 228, 280}));
  // Pushed back inside at the bottom edge.
  EXPECT_EQ(expandCropRegion({0, 490, 128, 512}, 512, 512, 512, 512),
            (PixelRect{0, 384, 128, 512}));
  // Widened; pushed right at the left edge; clipped when wider than the picture.
  EXPECT_EQ(expandCropRegion({10, 10, 20, 50}, 512, 256, 100, 100), (PixelRect{0, 10, 80, 50}));
  EXPECT_EQ(expandCropRegion({10, 10, 20, 50}, 512, 256, 60, 100), (PixelRect{0, 10, 60, 50}));
  expectInvalid([] { expandCropRegion({5, 5, 5, 9}, 512, 512, 64, 64); }, "empty");
  expectInvalid([] { expandCropRegion({0, 0, 4, 4}, 0, 512, 64, 64); }, "positive");
}

// ---------------------------------------------------------------- canvas

TEST(EditCanvas, ResizeModesMatchA1111) {
  const RgbImage wide = rampRgb(6, 4);
  EXPECT_EQ(resizeImage(wide, 4, 4, ResizeMode::Just).pixels,
            resize(wide, 4, 4, ResampleFilter::Lanczos).pixels);
  EXPECT_EQ(resizeImage(wide, 6, 4, ResizeMode::Just).pixels, wide.pixels);
  EXPECT_EQ(resizeImage(wide, 4, 4, ResizeMode::CropAndResize).pixels,
            (Bytes{37,  90,  143, 74, 127, 180, 111, 164, 217, 148, 201, 254, 141, 194, 247, 191,
                   244, 41,  241, 38, 91,  35,  88,  141, 245, 42,  95,  52,  105, 158, 115, 168,
                   221, 178, 231, 28, 93,  146, 199, 169, 222, 19,  245, 42,  95,  65,  118, 171}));
  // Fill bands above and below; the odd leftover row stays black as in A1111.
  EXPECT_EQ(resizeImage(wide, 4, 5, ResizeMode::ResizeAndFill).pixels,
            (Bytes{73,  118, 160, 122, 153, 149, 137, 135, 176, 128, 170, 125, 79,  120, 156,
                   126, 152, 145, 139, 134, 169, 130, 166, 128, 130, 138, 121, 155, 142, 117,
                   153, 127, 112, 148, 131, 150, 136, 140, 117, 159, 141, 114, 155, 126, 105,
                   150, 127, 153, 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0}));
  // Fill bands left and right; leftover column black.
  EXPECT_EQ(resizeImage(rampRgb(4, 6), 5, 4, ResizeMode::ResizeAndFill).pixels,
            (Bytes{38,  114, 166, 49,  118, 164, 139, 148, 152, 150, 152, 151, 0, 0, 0,
                   168, 157, 122, 167, 154, 123, 160, 127, 134, 159, 124, 135, 0, 0, 0,
                   90,  145, 127, 96,  144, 125, 145, 138, 113, 151, 137, 112, 0, 0, 0,
                   127, 204, 118, 128, 195, 125, 140, 123, 178, 142, 114, 185, 0, 0, 0}));
}

TEST(EditCanvas, GrayResizeModesEqualTheRgbChannels) {
  const GrayImage g = rampGray(7, 5);
  RgbImage rgb{7, 5, Bytes(7 * 5 * 3)};
  for (size_t i = 0; i < g.pixels.size(); ++i)
    rgb.pixels[i * 3] = rgb.pixels[i * 3 + 1] = rgb.pixels[i * 3 + 2] = g.pixels[i];
  for (auto mode : {ResizeMode::Just, ResizeMode::CropAndResize, ResizeMode::ResizeAndFill}) {
    const GrayImage a = resizeImage(g, 9, 4, mode);
    const RgbImage b = resizeImage(rgb, 9, 4, mode);
    for (size_t i = 0; i < a.pixels.size(); ++i) ASSERT_EQ(a.pixels[i], b.pixels[i * 3]);
  }
  expectInvalid([&] { resizeImage(g, 0, 4, ResizeMode::Just); }, "resizeImage");
  expectInvalid(
      [&] {
        resizeImage(GrayImage{200, 1, Bytes(200)}, 4, 400, ResizeMode::ResizeAndFill);
      },
      "empty");
}

TEST(EditCanvas, CropAndPaste) {
  const GrayImage g = rampGray(4, 3);
  const GrayImage c = crop(g, {2, 1, 5, 3});
  ASSERT_EQ(c.width, 3);
  ASSERT_EQ(c.height, 2);
  EXPECT_EQ(c.pixels, (Bytes{g.pixels[6], g.pixels[7], 0, g.pixels[10], g.pixels[11], 0}));
  const GrayImage p = paste(solidGray(3, 3, 0), solidGray(2, 2, 9), -1, 2);
  EXPECT_EQ(p.pixels, (Bytes{0, 0, 0, 0, 0, 0, 9, 0, 0}));
  expectInvalid([&] { crop(g, {1, 1, 1, 2}); }, "empty");
  expectInvalid([&] { paste(solidGray(3, 3, 0), GrayImage{}, 0, 0); }, "paste: picture is empty");
}

TEST(EditCanvas, OutpaintCanvasAndFeatheredMask) {
  const RgbImage image = rampRgb(10, 8);
  const OutpaintCanvas c = extendCanvas(image, 4, 0, 0, 2, OutpaintFill::EdgeStretch, 3);
  ASSERT_EQ(c.image.width, 14);
  ASSERT_EQ(c.image.height, 10);
  EXPECT_EQ(c.original, (PixelRect{4, 0, 14, 8}));
  auto px = [](const RgbImage& im, int x, int y) {
    const uint8_t* p = &im.pixels[(size_t(y) * im.width + x) * 3];
    return Bytes{p[0], p[1], p[2]};
  };
  EXPECT_EQ(px(c.image, 0, 0), px(image, 0, 0));
  EXPECT_EQ(px(c.image, 13, 9), px(image, 9, 7));
  EXPECT_EQ(px(c.image, 5, 3), px(image, 1, 3));
  auto m = [&](int x, int y) { return int(c.mask.pixels[size_t(y) * 14 + x]); };
  EXPECT_EQ(m(0, 0), 255);   // new area (left)
  EXPECT_EQ(m(8, 9), 255);   // new area (bottom)
  EXPECT_EQ(m(4, 3), 255);   // d = 0 from the padded left side
  EXPECT_EQ(m(5, 3), 113);   // round(255 * (2/3)^2)
  EXPECT_EQ(m(6, 3), 28);    // round(255 * (1/3)^2)
  EXPECT_EQ(m(7, 3), 0);     // d >= feather
  EXPECT_EQ(m(13, 0), 0);    // top and right were not padded
  EXPECT_EQ(m(10, 7), 113);  // last row: d = h - i = 1 from the padded bottom
  const OutpaintCanvas grey = extendCanvas(image, 0, 2, 3, 0, OutpaintFill::Neutral, 5);
  EXPECT_EQ(px(grey.image, 12, 0), (Bytes{128, 128, 128}));
  EXPECT_EQ(px(grey.image, 0, 2), px(image, 0, 0));
  EXPECT_EQ(int(grey.mask.pixels[2 * 13 + 5]), 0);  // 2 * feather >= w: no feather
  EXPECT_EQ(int(grey.mask.pixels[0]), 255);
  expectInvalid([&] { extendCanvas(image, -1, 0, 0, 0, OutpaintFill::Neutral); }, "padding");
  expectInvalid([&] { extendCanvas(image, 1, 0, 0, 0, OutpaintFill::Neutral, -2); }, "feather");
}

// ---------------------------------------------------------------- blends

TEST(EditComposite, OverlayUsesPillowIntegerMath) {
  const RgbImage image{3, 1, Bytes{200, 10, 77, 200, 10, 77, 200, 10, 77}};
  const RgbaImage overlay = makeOverlay(image, GrayImage{3, 1, Bytes{0, 100, 255}});
  // a = 255 - m: c' = DIV255(c a), then min(255, 255 c' // a).
  EXPECT_EQ(overlay.pixels, (Bytes{200, 10, 77, 255, 200, 9, 77, 155, 0, 0, 0, 0}));
  expectInvalid([&] { makeOverlay(image, solidGray(3, 2, 0)); }, "makeOverlay: image is 3x1 but");
}

TEST(EditComposite, AlphaComposite) {
  const RgbaImage dst{3, 1, Bytes{100, 100, 100, 255, 100, 100, 100, 255, 10, 20, 30, 0}};
  const RgbaImage src{3, 1, Bytes{200, 0, 50, 0, 200, 0, 50, 128, 1, 2, 3, 255}};
  EXPECT_EQ(alphaComposite(dst, src).pixels,
            (Bytes{100, 100, 100, 255, 150, 50, 75, 255, 1, 2, 3, 255}));
  const RgbImage gen = solidRgb(3, 1, 100, 100, 100);
  EXPECT_EQ(applyOverlay(gen, src).pixels, (Bytes{100, 100, 100, 150, 50, 75, 1, 2, 3}));
  expectInvalid([&] { alphaComposite(dst, RgbaImage{1, 1, Bytes(4)}); }, "alphaComposite");
}

TEST(EditComposite, OnlyMaskedOverlayPastesTheGeneratedCrop) {
  RgbaImage overlay{16, 12, Bytes(16 * 12 * 4)};
  const PixelRect rect{4, 2, 12, 10};
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 16; ++x) {
      uint8_t* p = &overlay.pixels[(size_t(y) * 16 + x) * 4];
      const bool inside = x >= rect.x1 && x < rect.x2 && y >= rect.y1 && y < rect.y2;
      p[0] = 7, p[1] = 8, p[2] = 9, p[3] = inside ? 0 : 255;
    }
  const RgbaImage canvas = uncrop(solidRgb(32, 32, 50, 60, 70), 16, 12, rect);
  EXPECT_EQ(canvas.pixels[0 * 4 + 3], 0);
  EXPECT_EQ(canvas.pixels[(3 * 16 + 5) * 4 + 3], 255);
  const RgbImage out = applyOverlay(solidRgb(32, 32, 50, 60, 70), overlay, rect);
  EXPECT_EQ(out.pixels[0], 7);
  EXPECT_EQ(out.pixels[(size_t(5) * 16 + 6) * 3], 50);
  expectInvalid([&] { uncrop(solidRgb(4, 4, 0, 0, 0), 16, 12, {10, 2, 20, 10}); }, "outside");
}

TEST(EditComposite, FillMaskedArea) {
  const RgbImage image = rampRgb(12, 9);
  // Nothing masked: the last (radius 0) layer is the picture itself.
  EXPECT_EQ(fillMaskedArea(image, solidGray(12, 9, 0)).pixels, image.pixels);
  // Everything masked: nothing to spread, transparent black.
  EXPECT_EQ(fillMaskedArea(image, solidGray(12, 9, 255)).pixels, Bytes(12 * 9 * 3, 0));
  // A masked hole in a flat picture: the colour spreads back in, with Pillow's premultiply /
  // unpremultiply rounding (values from A1111's masking.fill under Pillow 9.4).
  GrayImage hole = solidGray(12, 9, 0);
  for (int y = 3; y < 6; ++y)
    for (int x = 4; x < 8; ++x) hole.pixels[size_t(y) * 12 + x] = 255;
  const RgbImage flat = solidRgb(12, 9, 40, 90, 140);
  const RgbImage filled = fillMaskedArea(flat, hole);
  const Bytes expectedHole{39, 90, 140, 39, 89, 140, 39, 89, 140, 39, 90, 140,
                           39, 89, 139, 40, 89, 139, 40, 89, 139, 39, 89, 139,
                           39, 90, 140, 39, 89, 140, 39, 89, 140, 39, 90, 140};
  Bytes gotHole;
  for (int y = 0; y < 9; ++y)
    for (int x = 0; x < 12; ++x) {
      const size_t i = size_t(y) * 12 + x;
      if (hole.pixels[i] != 0) {
        gotHole.insert(gotHole.end(), &filled.pixels[i * 3], &filled.pixels[i * 3 + 3]);
      } else {
        ASSERT_EQ(Bytes(&filled.pixels[i * 3], &filled.pixels[i * 3 + 3]), (Bytes{40, 90, 140}));
      }
    }
  EXPECT_EQ(gotHole, expectedHole);
  expectInvalid([&] { fillMaskedArea(image, solidGray(9, 12, 0)); }, "12x9 but mask is 9x12");
}

}  // namespace
}  // namespace lienzo::edit
