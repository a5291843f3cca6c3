// validateEditParams(): every refusal of the img2img / inpainting / outpainting / hires-fix
// fields names the field, and valid requests pass. defaultEditSize(): the CLI's size rule.
#include "core/pipeline/edit_validation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace lienzo {
namespace {

RgbImage picture(int w, int h) {
  RgbImage img;
  img.width = w;
  img.height = h;
  img.pixels.assign(static_cast<std::size_t>(w) * h * 3, 100);
  return img;
}

GrayImage mask(int w, int h, uint8_t fill = 0) {
  GrayImage m;
  m.width = w;
  m.height = h;
  m.pixels.assign(static_cast<std::size_t>(w) * h, fill);
  return m;
}

/// A 64x48 img2img request with a mask that selects a square.
GenerationParams inpaintRequest() {
  GenerationParams p;
  p.edit.initImage = picture(64, 48);
  p.edit.mask = mask(64, 48);
  for (int y = 10; y < 20; ++y)
    for (int x = 10; x < 20; ++x) p.edit.mask.pixels[y * 64 + x] = 255;
  return p;
}

/// The message of the InvalidParams error `p` raises ("" when it is accepted).
std::string refusal(const GenerationParams& p) {
  try {
    validateEditParams(p);
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
    return e.what();
  }
  return {};
}

#define EXPECT_REFUSED(params, fragment)                                            \
  do {                                                                              \
    const std::string msg = refusal(params);                                        \
    EXPECT_NE(msg.find(fragment), std::string::npos) << "message: '" << msg << "'"; \
  } while (0)

TEST(EditValidation, DefaultsAndValidRequestsPass) {
  EXPECT_EQ(refusal(GenerationParams{}), "");
  GenerationParams img2img;
  img2img.edit.initImage = picture(100, 80);
  EXPECT_EQ(refusal(img2img), "");
  EXPECT_EQ(refusal(inpaintRequest()), "");
  GenerationParams out = inpaintRequest();
  out.edit.outpaintLeft = 64;
  out.edit.outpaintBottom = 128;
  EXPECT_EQ(refusal(out), "");
  GenerationParams hires;
  hires.hires.scale = 2.0;
  EXPECT_EQ(refusal(hires), "");
  hires.hires.scale = 0.0;
  hires.hires.width = 1024;
  EXPECT_EQ(refusal(hires), "");
  for (const auto& name : hiresUpscalers()) {
    hires.hires.upscaler = name;
    EXPECT_EQ(refusal(hires), "") << name;
  }
  // Edit fields are not looked at for txt2img.
  GenerationParams txt;
  txt.edit.strength = 7.0;
  txt.edit.maskBlur = -3;
  EXPECT_EQ(refusal(txt), "");
}

TEST(EditValidation, Strength) {
  GenerationParams p;
  p.edit.initImage = picture(8, 8);
  for (double s : {-0.1, 1.01, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    p.edit.strength = s;
    EXPECT_REFUSED(p, "denoising strength must be between 0 and 1");
  }
  p.edit.strength = 0.0;
  EXPECT_EQ(refusal(p), "");
  p.edit.strength = 1.0;
  EXPECT_EQ(refusal(p), "");
}

TEST(EditValidation, InitPicture) {
  GenerationParams p;
  p.edit.initImage = picture(8, 8);
  p.edit.initImage.pixels.pop_back();
  EXPECT_REFUSED(p, "init picture is malformed");
  p.edit.initImage = picture(16392, 8);
  EXPECT_REFUSED(p, "at most 16384 pixels a side");
}

TEST(EditValidation, MaskMustMatchTheInitPictureSize) {
  GenerationParams p = inpaintRequest();
  p.edit.mask = mask(48, 64, 255);
  p.edit.mask.pixels[0] = 0;
  EXPECT_REFUSED(p, "the mask is 48x64 but the init picture is 64x48; the mask must have exactly");
  p.edit.mask = mask(64, 48);
  p.edit.mask.pixels.pop_back();
  EXPECT_REFUSED(p, "the mask is malformed");
}

TEST(EditValidation, AllBlackAndAllWhiteMasks) {
  GenerationParams p = inpaintRequest();
  p.edit.mask = mask(64, 48, 0);
  EXPECT_REFUSED(p, "the mask selects nothing to repaint");
  p.edit.mask = mask(64, 48, 255);
  EXPECT_REFUSED(p, "use img2img without a mask");
  // Inverted: white keeps everything, black repaints everything.
  p.edit.invertMask = true;
  EXPECT_REFUSED(p, "the mask selects nothing to repaint");
  p.edit.mask = mask(64, 48, 0);
  EXPECT_REFUSED(p, "use img2img without a mask");
  // A soft mask that is not all 0 selects something.
  p.edit.invertMask = false;
  p.edit.mask = mask(64, 48, 1);
  EXPECT_EQ(refusal(p), "");
  // Outpainting adds area to repaint: an empty mask is then fine.
  p.edit.mask = mask(64, 48, 0);
  p.edit.outpaintRight = 32;
  EXPECT_EQ(refusal(p), "");
}

TEST(EditValidation, MaskOrMarginsWithoutInitPicture) {
  GenerationParams p;
  p.edit.mask = mask(8, 8, 255);
  EXPECT_REFUSED(p, "mask was given without an init picture");
  GenerationParams q;
  q.edit.outpaintTop = 64;
  EXPECT_REFUSED(q, "outpaint margins were given without an init picture");
}

TEST(EditValidation, OutpaintMargins) {
  GenerationParams p;
  p.edit.initImage = picture(64, 48);
  p.edit.outpaintLeft = -8;
  EXPECT_REFUSED(p, "the left outpaint margin must not be negative (got -8)");
  p.edit.outpaintLeft = 0;
  p.edit.outpaintBottom = -1;
  EXPECT_REFUSED(p, "the bottom outpaint margin must not be negative");
  p.edit.outpaintBottom = 16384 - 48 + 8;
  EXPECT_REFUSED(p, "outpainting would make a 64x16392 canvas; at most 16384 pixels a side");
  p.edit.outpaintBottom = 16384 - 48;
  EXPECT_EQ(refusal(p), "");
  // No int overflow with absurd margins.
  p.edit.outpaintLeft = std::numeric_limits<int>::max();
  p.edit.outpaintRight = std::numeric_limits<int>::max();
  EXPECT_REFUSED(p, "at most 16384 pixels a side");
  p.edit.outpaintLeft = p.edit.outpaintRight = 0;
  p.edit.outpaintFeather = -1;
  EXPECT_REFUSED(p, "outpaint feather must be between 0 and 1024 px");
}

TEST(EditValidation, MaskBlurPaddingAndWeight) {
  GenerationParams p = inpaintRequest();
  p.edit.maskBlur = -1;
  EXPECT_REFUSED(p, "mask blur must be between 0 and 256 px (got -1)");
  p.edit.maskBlur = 257;
  EXPECT_REFUSED(p, "mask blur must be between 0 and 256 px (got 257)");
  p.edit.maskBlur = 256;
  EXPECT_EQ(refusal(p), "");
  p.edit.inpaintPadding = -4;
  EXPECT_REFUSED(p, "inpaint padding must be between 0 and 16384 px");
  p.edit.inpaintPadding = 0;
  p.edit.maskWeight = 1.5;
  EXPECT_REFUSED(p, "conditional mask weight must be between 0 and 1");
  p.edit.maskWeight = std::nan("");
  EXPECT_REFUSED(p, "conditional mask weight must be between 0 and 1");
}

TEST(EditValidation, HiresScaleAndSize) {
  GenerationParams p;
  for (double s : {-1.0, 8.5, std::numeric_limits<double>::quiet_NaN()}) {
    p.hires.scale = s;
    EXPECT_REFUSED(p, "hires scale must be between 0 (off) and 8");
  }
  p.hires.scale = 8.0;  // 512 * 8 = 4096: fine
  EXPECT_EQ(refusal(p), "");
  p.width = 4096;  // 4096 * 8 = 32768
  EXPECT_REFUSED(p, "hires fix would make a 32768x4096 picture; at most 16384");
  p = GenerationParams{};
  p.hires.width = 1004;
  EXPECT_REFUSED(p, "hires size must be multiples of 8");
  p.hires.width = -8;  // refused although it leaves the hires fix off
  EXPECT_REFUSED(p, "hires size must not be negative (got -8x0)");
  p.hires.width = 16392;
  EXPECT_REFUSED(p, "hires fix would make a 16392x16392 picture");
  // One side given: the other follows the first pass's aspect ratio.
  p.width = 512;
  p.height = 2048;
  p.hires.width = 8192;
  EXPECT_REFUSED(p, "hires fix would make a 8192x32768 picture");
  p.hires.width = 0;
  p.hires.height = 16384;
  EXPECT_EQ(refusal(p), "");
}

TEST(EditValidation, HiresDenoiseStepsAndUpscaler) {
  GenerationParams p;
  p.hires.scale = 1.5;
  p.hires.denoise = 1.2;
  EXPECT_REFUSED(p, "hires denoising strength must be between 0 and 1");
  p.hires.denoise = std::nan("");
  EXPECT_REFUSED(p, "hires denoising strength must be between 0 and 1");
  p.hires.denoise = 0.5;
  p.hires.steps = -1;
  EXPECT_REFUSED(p, "hires steps must be between 0 and 1000 (got -1)");
  p.hires.steps = 1001;
  EXPECT_REFUSED(p, "hires steps must be between 0 and 1000 (got 1001)");
  p.hires.steps = 0;
  p.hires.upscaler = "R-ESRGAN 4x+";
  EXPECT_REFUSED(p, "unknown hires upscaler 'R-ESRGAN 4x+' (valid: Latent, Latent (antialiased)");
  // Off: the other hires fields are not looked at.
  p.hires.scale = 0.0;
  EXPECT_EQ(refusal(p), "");
}

TEST(EditValidation, HiresUpscalerNames) {
  const auto& names = hiresUpscalers();
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(names.front(), "Latent");
  EXPECT_EQ(names.back(), "Lanczos");
  EXPECT_EQ(HiresParams{}.upscaler, names.front());
}

TEST(EditValidation, DefaultEditSize) {
  EditParams e;
  EXPECT_EQ(defaultEditSize(e).width, 0);
  e.initImage = picture(1003, 1004);
  EXPECT_EQ(defaultEditSize(e).width, 1000);   // nearest multiple of 8
  EXPECT_EQ(defaultEditSize(e).height, 1008);  // halves round up
  e.outpaintLeft = 64;
  e.outpaintRight = 5;
  e.outpaintTop = 12;
  EXPECT_EQ(defaultEditSize(e).width, 1072);   // 1072
  EXPECT_EQ(defaultEditSize(e).height, 1016);  // 1016
  e = EditParams{};
  e.initImage = picture(10, 10);
  EXPECT_EQ(defaultEditSize(e).width, 64);  // the smallest size generation accepts
}

}  // namespace
}  // namespace lienzo
