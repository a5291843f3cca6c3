// libFuzzer target: an edit request's pictures and settings (the init picture, the mask, strength,
// blur, inpaint area and padding, outpaint margins, fill and feather, resize mode) through
// validateEditParams (core/pipeline/edit_validation.h) and, when it accepts them, the picture half
// of the edit stage that generate() runs (prepareEditPictures, core/pipeline/edit_pictures.h:
// outpaint canvas, mask inversion and blur, the only-masked crop region, the resize modes, the
// overlay, masked content "fill"), then the composite and the latent mask.
// Input: 16 bytes of settings, then the picture's and the mask's bytes (sizes from the settings,
// at most 48 px a side; short inputs are padded with a pattern).
// Properties: validateEditParams throws only GenerationError(InvalidParams); on accepted settings
// prepareEditPictures throws only InvalidParams for an only-masked mask that selects nothing, and
// returns pictures of the sizes its contract states (the paste rectangle inside the canvas); the
// composite has the canvas' size; nothing else escapes.
#include <cstdint>
#include <cstring>

#include "core/edit/composite.h"
#include "core/edit/mask.h"
#include "core/pipeline/edit_pictures.h"
#include "core/pipeline/edit_validation.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

namespace {

struct Reader {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint8_t next() { return at < size ? data[at++] : static_cast<uint8_t>(at++ * 37 + 11); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  GenerationParams p;
  p.steps = 4;
  // The generation size: multiples of 8 from 64 to 128.
  p.width = 64 + 8 * (in.next() % 9);
  p.height = 64 + 8 * (in.next() % 9);
  EditParams& e = p.edit;
  e.initImage.width = 1 + in.next() % 48;
  e.initImage.height = 1 + in.next() % 48;
  const int maskKind = in.next() % 4;    // 0: none, 1: same size, 2: other size, 3: empty pixels
  e.strength = (in.next() % 12) / 10.0;  // 0 … 1.1 (above 1 must be refused)
  e.resizeMode = static_cast<ResizeMode>(in.next() % 3);
  e.invertMask = in.next() & 1;
  e.maskBlur = static_cast<int8_t>(in.next()) % 40;  // negative values must be refused
  e.inpaintArea = (in.next() & 1) ? InpaintArea::OnlyMasked : InpaintArea::WholePicture;
  e.inpaintPadding = static_cast<int8_t>(in.next());
  e.maskedContent = static_cast<MaskedContent>(in.next() % 4);
  const uint8_t margins = in.next();
  e.outpaintLeft = 8 * (margins & 3);
  e.outpaintTop = 8 * ((margins >> 2) & 3);
  e.outpaintRight = 8 * ((margins >> 4) & 3);
  e.outpaintBottom = (margins >> 6) == 3 ? -8 : 8 * (margins >> 6);
  e.outpaintFill = (in.next() & 1) ? OutpaintFill::Neutral : OutpaintFill::EdgeStretch;
  e.outpaintFeather = in.next() % 64;
  const int maskW = maskKind == 2 ? 1 + in.next() % 48 : e.initImage.width;
  const int maskH = maskKind == 2 ? 1 + in.next() % 48 : e.initImage.height;
  e.initImage.pixels.resize(size_t(e.initImage.width) * e.initImage.height * 3);
  for (uint8_t& v : e.initImage.pixels) v = in.next();
  if (maskKind != 0) {
    e.mask.width = maskW;
    e.mask.height = maskH;
    if (maskKind != 3) {
      e.mask.pixels.resize(size_t(maskW) * maskH);
      for (uint8_t& v : e.mask.pixels) v = (in.next() & 1) ? 255 : in.next();
    }
  }

  try {
    validateEditParams(p);
  } catch (const GenerationError& error) {
    LIENZO_FUZZ_CHECK(error.code() == GenerationError::Code::InvalidParams);
    return 0;
  }

  // Accepted: the picture half of the edit stage, as generate() runs it.
  EditPictures out;
  try {
    out = prepareEditPictures(p);
  } catch (const GenerationError& error) {  // an "only masked" mask that selects nothing
    LIENZO_FUZZ_CHECK(error.code() == GenerationError::Code::InvalidParams);
    LIENZO_FUZZ_CHECK(e.inpaintArea == InpaintArea::OnlyMasked);
    return 0;
  }
  LIENZO_FUZZ_CHECK(out.source.width == p.width && out.source.height == p.height);
  LIENZO_FUZZ_CHECK(out.source.pixels.size() == size_t(p.width) * p.height * 3);
  LIENZO_FUZZ_CHECK(out.mask.empty() == !e.inpainting());
  if (!out.mask.empty())
    LIENZO_FUZZ_CHECK(out.mask.width == p.width && out.mask.height == p.height &&
                      out.mask.pixels.size() == size_t(p.width) * p.height);
  const int canvasW = e.initImage.width + e.outpaintLeft + e.outpaintRight;
  const int canvasH = e.initImage.height + e.outpaintTop + e.outpaintBottom;
  if (out.onlyMasked) {
    LIENZO_FUZZ_CHECK(out.canvasWidth == canvasW && out.canvasHeight == canvasH);
    LIENZO_FUZZ_CHECK(out.pasteTo.x1 >= 0 && out.pasteTo.y1 >= 0 && out.pasteTo.x2 <= canvasW &&
                      out.pasteTo.y2 <= canvasH && out.pasteTo.width() > 0 &&
                      out.pasteTo.height() > 0);
  } else {
    LIENZO_FUZZ_CHECK(out.canvasWidth == p.width && out.canvasHeight == p.height);
  }
  if (!out.overlay.empty()) {
    LIENZO_FUZZ_CHECK(out.overlay.width == out.canvasWidth &&
                      out.overlay.height == out.canvasHeight);
    // The composite of a generated picture (what compositeEdit does after decoding).
    const RgbImage composite = out.onlyMasked
                                   ? edit::applyOverlay(out.source, out.overlay, out.pasteTo)
                                   : edit::applyOverlay(out.source, out.overlay);
    LIENZO_FUZZ_CHECK(composite.width == out.canvasWidth && composite.height == out.canvasHeight);
  }
  if (!out.mask.empty()) {
    const GrayImage latent = edit::latentMask(out.mask, p.width / 8, p.height / 8);
    LIENZO_FUZZ_CHECK(latent.width == p.width / 8 && latent.height == p.height / 8);
    LIENZO_FUZZ_CHECK(edit::latentMaskValues(latent).size() ==
                      size_t(p.width / 8) * (p.height / 8));
  }
  return 0;
}
