#include "core/pipeline/edit_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lienzo {

// Declared in pipeline.h; defined here, beside the validation that accepts these names, so that
// the torch-free validation links on its own (the fuzz_edit_inputs target).
const std::vector<std::string>& hiresUpscalers() {
  // Ref: A1111 shared.latent_upscale_modes (names and order), then the pixel upscaler.
  static const std::vector<std::string> names = {"Latent",           "Latent (antialiased)",
                                                 "Latent (bicubic)", "Latent (bicubic antialiased)",
                                                 "Latent (nearest)", "Latent (nearest-exact)",
                                                 "Lanczos"};
  return names;
}

namespace {

using Code = GenerationError::Code;

[[noreturn]] void fail(const std::string& message) {
  throw GenerationError(Code::InvalidParams, message);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string size(int64_t w, int64_t h) {
  return std::to_string(w) + "x" + std::to_string(h);
}

/// [0, 1], NaN refused.
void checkUnit(double v, const char* what) {
  if (!(v >= 0.0 && v <= 1.0))
    fail(std::string(what) + " must be between 0 and 1 (got " + number(v) + ")");
}

void checkRange(int64_t v, int64_t lo, int64_t hi, const char* what, const char* unit = "") {
  if (v < lo || v > hi)
    fail(std::string(what) + " must be between " + std::to_string(lo) + " and " +
         std::to_string(hi) + unit + " (got " + std::to_string(v) + ")");
}

void validateMask(const EditParams& e) {
  const GrayImage& m = e.mask;
  if (m.width <= 0 || m.height <= 0 ||
      m.pixels.size() != static_cast<std::size_t>(m.width) * static_cast<std::size_t>(m.height))
    fail("the mask is malformed (" + size(m.width, m.height) + " with " +
         std::to_string(m.pixels.size()) + " bytes)");
  if (m.width != e.initImage.width || m.height != e.initImage.height)
    fail("the mask is " + size(m.width, m.height) + " but the init picture is " +
         size(e.initImage.width, e.initImage.height) +
         "; the mask must have exactly the init picture's size");
  // 255 = repaint; invertMask swaps what is kept and what is repainted.
  const uint8_t none = e.invertMask ? 255 : 0;
  const uint8_t all = e.invertMask ? 0 : 255;
  const bool selectsNothing =
      std::all_of(m.pixels.begin(), m.pixels.end(), [&](uint8_t v) { return v == none; });
  const bool selectsAll =
      std::all_of(m.pixels.begin(), m.pixels.end(), [&](uint8_t v) { return v == all; });
  if (selectsNothing && !e.outpainting())
    fail(std::string("the mask selects nothing to repaint (it is all ") +
         (e.invertMask ? "white and inverted" : "black") +
         "); paint the area to redraw in white, or leave the mask out");
  if (selectsAll)
    fail(std::string("the mask selects the whole picture (it is all ") +
         (e.invertMask ? "black and inverted" : "white") +
         "); for a full redraw use img2img without a mask");
}

void validateEdit(const EditParams& e) {
  const RgbImage& img = e.initImage;
  if (img.width <= 0 || img.height <= 0 ||
      img.pixels.size() != static_cast<std::size_t>(img.width) * img.height * 3)
    fail("the init picture is malformed (" + size(img.width, img.height) + " with " +
         std::to_string(img.pixels.size()) + " bytes)");
  if (img.width > kMaxCanvasSide || img.height > kMaxCanvasSide)
    fail("the init picture is " + size(img.width, img.height) + "; at most " +
         std::to_string(kMaxCanvasSide) + " pixels a side are supported");
  checkUnit(e.strength, "denoising strength");
  checkRange(e.maskBlur, 0, kMaxMaskBlur, "mask blur", " px");
  checkRange(e.inpaintPadding, 0, kMaxCanvasSide, "inpaint padding", " px");
  checkUnit(e.maskWeight, "conditional mask weight");

  const struct {
    int value;
    const char* name;
  } margins[] = {{e.outpaintLeft, "left"},
                 {e.outpaintTop, "top"},
                 {e.outpaintRight, "right"},
                 {e.outpaintBottom, "bottom"}};
  for (const auto& margin : margins) {
    if (margin.value < 0)
      fail(std::string("the ") + margin.name + " outpaint margin must not be negative (got " +
           std::to_string(margin.value) + ")");
  }
  const int64_t w = int64_t{img.width} + e.outpaintLeft + e.outpaintRight;
  const int64_t h = int64_t{img.height} + e.outpaintTop + e.outpaintBottom;
  if (w > kMaxCanvasSide || h > kMaxCanvasSide)
    fail("outpainting would make a " + size(w, h) + " canvas; at most " +
         std::to_string(kMaxCanvasSide) + " pixels a side are supported");
  checkRange(e.outpaintFeather, 0, kMaxOutpaintFeather, "outpaint feather", " px");

  if (!e.mask.empty()) validateMask(e);
}

void validateHires(const GenerationParams& p) {
  const HiresParams& h = p.hires;
  if (!(h.scale >= 0.0 && h.scale <= kMaxHiresScale))
    fail("hires scale must be between 0 (off) and " + number(kMaxHiresScale) + " (got " +
         number(h.scale) + ")");
  if (h.width < 0 || h.height < 0)
    fail("hires size must not be negative (got " + size(h.width, h.height) + ")");
  if (!h.enabled()) return;
  if (h.width % 8 != 0 || h.height % 8 != 0)
    fail("hires size must be multiples of 8, or 0 to follow the other side (got " +
         size(h.width, h.height) + ")");
  // The size the second pass runs at (A1111 calculate_target_resolution).
  int64_t tw = 0, th = 0;
  if (h.width == 0 && h.height == 0) {
    tw = static_cast<int64_t>(p.width * h.scale);
    th = static_cast<int64_t>(p.height * h.scale);
  } else if (h.height == 0) {
    tw = h.width;
    th = p.width > 0 ? int64_t{h.width} * p.height / p.width : 0;
  } else if (h.width == 0) {
    tw = p.height > 0 ? int64_t{h.height} * p.width / p.height : 0;
    th = h.height;
  } else {
    tw = h.width;
    th = h.height;
  }
  if (tw > kMaxCanvasSide || th > kMaxCanvasSide)
    fail("the hires fix would make a " + size(tw, th) + " picture; at most " +
         std::to_string(kMaxCanvasSide) + " pixels a side are supported");
  if (tw < 8 || th < 8)
    fail("the hires fix would make a " + size(tw, th) + " picture; at least 8x8 is needed");
  checkUnit(h.denoise, "hires denoising strength");
  checkRange(h.steps, 0, kMaxHiresSteps, "hires steps");
  const auto& names = hiresUpscalers();
  if (std::find(names.begin(), names.end(), h.upscaler) == names.end()) {
    std::string valid;
    for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
    fail("unknown hires upscaler '" + h.upscaler + "' (valid: " + valid + ")");
  }
}

}  // namespace

void validateEditParams(const GenerationParams& params) {
  const EditParams& e = params.edit;
  if (e.active()) {
    validateEdit(e);
  } else {
    if (!e.mask.empty())
      fail("a mask was given without an init picture; inpainting needs the picture to repaint");
    if (e.outpaintLeft != 0 || e.outpaintTop != 0 || e.outpaintRight != 0 || e.outpaintBottom != 0)
      fail("outpaint margins were given without an init picture to extend");
  }
  validateHires(params);
}

CanvasSize defaultEditSize(const EditParams& edit) {
  if (!edit.active()) return {};
  const auto round8 = [](int64_t v) {
    const int64_t r = (v + 4) / 8 * 8;  // nearest multiple of 8, halves up
    return static_cast<int>(std::clamp<int64_t>(r, 64, kMaxCanvasSide));
  };
  const int64_t w = int64_t{edit.initImage.width} + std::max(0, edit.outpaintLeft) +
                    std::max(0, edit.outpaintRight);
  const int64_t h = int64_t{edit.initImage.height} + std::max(0, edit.outpaintTop) +
                    std::max(0, edit.outpaintBottom);
  return {round8(w), round8(h)};
}

}  // namespace lienzo
