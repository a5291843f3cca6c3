// Golden checks of the torch-free picture operations (core/edit) against A1111's inpainting
// preprocessing in inpaint/golden_inpaint.safetensors (README §7b): the OpenCV mask blur, the
// overlay mask and overlay, the Pillow bicubic latent mask, nmask / mask, the apply_overlay
// composite of every case, and masking.fill for the cases whose masked content uses it.
// Every size, blur value and case comes from the file's `__metadata__.settings`.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "core/edit/canvas.h"
#include "core/edit/composite.h"
#include "core/edit/mask.h"
#include "core/edit/resample.h"
#include "core/io/safetensors.h"
#include "support/fixtures.h"

namespace lienzo::edit {
namespace {

class EditGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_file = new SafetensorsFile(
        SafetensorsFile::open(testing::fixturePath("inpaint/golden_inpaint.safetensors")));
    s_settings = nlohmann::json::parse(s_file->metadata().at("settings"));
  }
  static void TearDownTestSuite() {
    delete s_file;
    s_file = nullptr;
  }

  static at::Tensor bytes(const std::string& name) {
    return s_file->load(name, at::kByte).contiguous();
  }
  static int width() { return s_settings.at("width").get<int>(); }
  static int height() { return s_settings.at("height").get<int>(); }
  static double maskBlur() { return s_settings.at("b").at("mask_blur").get<double>(); }

  /// A uint8 picture tensor ([1, H, W, C] with C = 3 / 4, or [1, H, W] / [1, 1, H, W] for
  /// one channel) with its own size.
  template <typename Image>
  static Image picture(const std::string& name, int channels) {
    const at::Tensor t = bytes(name);
    EXPECT_GE(t.dim(), 3) << name;
    const bool channelsLast = channels > 1;
    const int h = int(t.size(t.dim() - (channelsLast ? 3 : 2)));
    const int w = int(t.size(t.dim() - (channelsLast ? 2 : 1)));
    EXPECT_EQ(t.numel(), int64_t(w) * h * channels) << name;
    return Image{w, h,
                 std::vector<uint8_t>(t.data_ptr<uint8_t>(), t.data_ptr<uint8_t>() + t.numel())};
  }
  static RgbImage rgb(const std::string& name) { return picture<RgbImage>(name, 3); }
  static GrayImage gray(const std::string& name) { return picture<GrayImage>(name, 1); }
  static RgbaImage rgba(const std::string& name) { return picture<RgbaImage>(name, 4); }

  /// The mask as A1111 prepares it (binary, not inverted, blurred at its own size).
  static GrayImage blurred() { return blurMask(binarizeMask(gray("mask_u8")), maskBlur()); }
  /// A1111 resizes the blurred mask and the picture to the processing size (resize mode 0 is
  /// a copy when the sizes already match).
  static GrayImage blurredAtProcessingSize() {
    return resizeImage(blurred(), width(), height(), ResizeMode::Just);
  }
  static RgbImage imageAtProcessingSize() {
    return resizeImage(rgb("image_u8"), width(), height(), ResizeMode::Just);
  }

  static SafetensorsFile* s_file;
  static nlohmann::json s_settings;
};

SafetensorsFile* EditGolden::s_file = nullptr;
nlohmann::json EditGolden::s_settings;

/// Largest absolute difference and the count of differing bytes.
std::pair<int, size_t> compareBytes(const std::vector<uint8_t>& ours,
                                    const std::vector<uint8_t>& golden) {
  EXPECT_EQ(ours.size(), golden.size());
  int maxDiff = 0;
  size_t count = 0;
  for (size_t i = 0; i < std::min(ours.size(), golden.size()); ++i) {
    const int d = std::abs(int(ours[i]) - int(golden[i]));
    maxDiff = std::max(maxDiff, d);
    count += d != 0;
  }
  return {maxDiff, count};
}

TEST_F(EditGolden, MaskBlurIsOpenCvExact) {
  const GrayImage mask = gray("mask_u8");
  if (maskBlur() > 0.0 && !isMaskAllZero(mask) && !isMaskAll255(mask)) {
    EXPECT_NE(blurred().pixels, mask.pixels) << "the blur changed nothing";
  }
  const auto [maxDiff, count] = compareBytes(blurred().pixels, gray("b.mask_blurred_u8").pixels);
  EXPECT_EQ(maxDiff, 0) << count << " pixels differ";
}

TEST_F(EditGolden, MaskForOverlayIsExact) {
  const GrayImage golden = gray("b.mask_for_overlay_u8");
  EXPECT_EQ(maskForOverlay(blurredAtProcessingSize()).pixels, golden.pixels);
}

TEST_F(EditGolden, OverlayIsPillowExact) {
  const RgbaImage overlay =
      makeOverlay(imageAtProcessingSize(), maskForOverlay(blurredAtProcessingSize()));
  const auto [maxDiff, count] = compareBytes(overlay.pixels, rgba("b.overlay_rgba_u8").pixels);
  EXPECT_EQ(maxDiff, 0) << count << " bytes differ";
}

TEST_F(EditGolden, LatentMaskIsPillowBicubicExact) {
  const at::Tensor golden = bytes("b.latent_mask_u8");  // [1, 1, h, w]
  ASSERT_EQ(golden.dim(), 4);
  const int h = int(golden.size(2)), w = int(golden.size(3));
  EXPECT_EQ(w, width() / 8);
  EXPECT_EQ(h, height() / 8);
  const GrayImage latent = latentMask(blurredAtProcessingSize(), w, h);
  const auto [maxDiff, count] = compareBytes(latent.pixels, gray("b.latent_mask_u8").pixels);
  EXPECT_EQ(maxDiff, 0) << count << " pixels differ";
}

TEST_F(EditGolden, NmaskAndMaskAreExact) {
  const at::Tensor nmask = s_file->load("b.nmask", at::kFloat).contiguous();  // [1, 4, h, w]
  const at::Tensor keep = s_file->load("b.mask", at::kFloat).contiguous();
  ASSERT_EQ(nmask.dim(), 4);
  const int c = int(nmask.size(1)), h = int(nmask.size(2)), w = int(nmask.size(3));
  const std::vector<float> values = latentMaskValues(latentMask(blurredAtProcessingSize(), w, h));
  ASSERT_EQ(values.size(), size_t(h) * w);
  const float* n = nmask.data_ptr<float>();
  const float* m = keep.data_ptr<float>();
  for (int ch = 0; ch < c; ++ch)
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(n[size_t(ch) * values.size() + i], values[i]) << "nmask ch " << ch << " i " << i;
      ASSERT_EQ(m[size_t(ch) * values.size() + i], 1.0f - values[i]) << "mask ch " << ch;
    }
}

TEST_F(EditGolden, CompositeOfEveryCaseIsExact) {
  const RgbaImage overlay = rgba("b.overlay_rgba_u8");
  const auto& cases = s_settings.at("b").at("cases");
  ASSERT_FALSE(cases.empty());
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string prefix = "b.case" + std::to_string(k) + ".";
    const RgbImage composite = applyOverlay(rgb(prefix + "image_u8"), overlay);
    const auto [maxDiff, count] =
        compareBytes(composite.pixels, rgb(prefix + "composite_u8").pixels);
    EXPECT_EQ(maxDiff, 0) << prefix << "composite_u8: " << count << " bytes differ";
  }
}

TEST_F(EditGolden, InitImageOfEveryCase) {
  const RgbImage image = imageAtProcessingSize();
  const GrayImage mask = blurredAtProcessingSize();
  const auto& cases = s_settings.at("b").at("cases");
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string prefix = "b.case" + std::to_string(k) + ".";
    const int fill = cases[k].at(1).get<int>();  // A1111 inpainting_fill; 1 = original
    const RgbImage expected = fill == 1 ? image : fillMaskedArea(image, mask);
    if (fill != 1 && !isMaskAllZero(mask)) {
      EXPECT_NE(expected.pixels, image.pixels) << prefix << ": fill changed nothing";
    }
    const auto [maxDiff, count] =
        compareBytes(expected.pixels, rgb(prefix + "init_image_u8").pixels);
    EXPECT_EQ(maxDiff, 0) << prefix << "init_image_u8 (" << cases[k].at(0).get<std::string>()
                          << "): " << count << " bytes differ";
  }
}

}  // namespace
}  // namespace lienzo::edit
