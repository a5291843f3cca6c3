// Stage 2's picture half (torch-free): the edit request's picture and mask brought to the
// processing size the way A1111's img2img does it: outpaint canvas, mask inversion, blur, the
// "only masked" crop region, resize mode, the overlay that the composite lays over the result,
// and masked content "fill" in pixels. prepareEdit() (edit_stage.h) encodes what this makes; the
// fuzzer fuzz_edit_inputs runs it on hostile settings.
//
// Contract: pure function of the request, any thread. Requires params.edit.active() and settings
// that validateEditParams() accepted; throws GenerationError(InvalidParams) when an "only masked"
// mask selects nothing.
#pragma once

#include "core/edit/canvas.h"
#include "core/edit/pixels.h"
#include "core/pipeline/pipeline.h"

namespace lienzo {

struct EditPictures {
  int width = 0, height = 0;  ///< processing size (the request's width × height)
  RgbImage source;            ///< the picture to encode, processing size
  GrayImage mask;             ///< processing-size (blurred) mask, 255 = repaint; empty = img2img
  MaskedContent maskedContent = MaskedContent::Original;
  // Composite (A1111 apply_overlay): the output canvas and what is laid over the generated picture.
  int canvasWidth = 0, canvasHeight = 0;
  RgbaImage overlay;  ///< canvas-size original with alpha 255 − mask_for_overlay; or empty
  bool onlyMasked = false;
  PixelRect pasteTo;  ///< "only masked": where the processed crop goes on the canvas
};

/// The request's resize mode as core/edit names it (A1111 resize_mode 0, 1, 2).
edit::ResizeMode editResizeMode(ResizeMode mode);

// Ref: A1111 modules/processing.py StableDiffusionProcessingImg2Img.init, in its order of work;
// ComfyUI ImagePadForOutpaint for the outpaint canvas (core/edit/canvas.h).
EditPictures prepareEditPictures(const GenerationParams& params);

}  // namespace lienzo
