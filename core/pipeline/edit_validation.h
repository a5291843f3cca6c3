// Validation of the picture-editing (EditParams) and hires-fix (HiresParams) halves of a request,
// and the one rule for the canvas size of an edit. validateParams() calls validateEditParams();
// front ends may call it early (before a model is loaded) to report bad input at once.
//
// Contract: pure functions of the params, thread-safe, no torch. validateEditParams() throws
// GenerationError(InvalidParams) whose message names the first invalid field in user terms
// ("denoising strength", "mask", "outpaint margins", "hires upscaler", ...) and the value or
// limit, e.g. "the mask is 512x512 but the init picture is 640x480; ...".
//
// Rules (edit fields are only looked at when the request is an edit, i.e. initImage is set):
// - A mask or outpaint margins without an init picture are refused (not silently ignored).
// - The init picture: a well-formed RgbImage of at least 1x1 and at most kMaxCanvasSide a side.
// - strength, maskWeight: in [0, 1] (NaN refused). maskBlur: 0..kMaxMaskBlur px.
//   inpaintPadding: 0..kMaxCanvasSide px. outpaintFeather: 0..kMaxOutpaintFeather px.
// - The mask must have exactly the init picture's size (it is not resized). After invertMask it
//   must select something (some pixel > 0) unless outpainting adds area to repaint, and must not
//   select everything (every pixel 255): that is plain img2img, which is what to ask for instead.
// - Outpaint margins: each >= 0; the extended canvas (picture + margins) at most kMaxCanvasSide a
//   side. Outpainting together with a mask is allowed: the area repainted is the union of the
//   (blurred) mask, placed at the picture's position in the extended canvas, and the margins.
// - Hires fix (when HiresParams::enabled()): scale 0 (use width/height) or in (0, kMaxHiresScale];
//   width/height 0 or a multiple of 8; the target size (from the scale, or the given side(s)
//   with the other side following the aspect ratio) at most kMaxCanvasSide a side; denoise in
//   [0, 1]; steps 0..kMaxHiresSteps; upscaler one of hiresUpscalers(). A negative or NaN scale
//   or a negative width/height is refused even though it leaves the hires fix off.
#pragma once

#include "core/pipeline/pipeline.h"

#include <string>
#include <vector>

namespace lienzo {

inline constexpr int kMaxCanvasSide = 16384;      ///< largest picture side anywhere (px)
inline constexpr double kMaxHiresScale = 8.0;     ///< largest "Upscale by"
inline constexpr int kMaxHiresSteps = 1000;       ///< largest "Hires steps"
inline constexpr int kMaxMaskBlur = 256;          ///< largest mask blur sigma (px)
inline constexpr int kMaxOutpaintFeather = 1024;  ///< largest outpaint feather (px)

/// Upscaler names the hires fix accepts, in UI order: "Latent", "Latent (antialiased)",
/// "Latent (bicubic)", "Latent (bicubic antialiased)", "Latent (nearest)",
/// "Latent (nearest-exact)", "Lanczos".
const std::vector<std::string>& hiresUpscalers();

/// Throws GenerationError(InvalidParams) for the first invalid edit or hires field (see above).
void validateEditParams(const GenerationParams& params);

/// The generation size an edit defaults to when the caller gives none: the init picture's size
/// plus the outpaint margins, each side rounded to the nearest multiple of 8 (halves up), at
/// least 64 and at most kMaxCanvasSide. {0, 0} without an init picture.
struct CanvasSize {
  int width = 0;
  int height = 0;
};
CanvasSize defaultEditSize(const EditParams& edit);

}  // namespace lienzo
