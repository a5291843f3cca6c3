// The picture half of a ControlNet unit (torch-free): its 8-bit control picture fitted to the
// generation size with the unit's resize mode, then preprocessed there (sd-webui-controlnet's
// "pixel perfect"); a preprocessor that changes the size (tile_resample) is stretched back.
// The control stage (control_stage.h) turns this picture into the hint tensor; the studio shows
// it as the slot's live preview. The preprocessor names and knobs are core/control/
// preprocessors.h (torch-free as well).
//
// Contract: pure function, any thread. Failure: std::invalid_argument naming what is wrong (no
// picture, unknown preprocessor, a knob out of range, a size below 1).
#pragma once

#include "core/control/preprocessors.h"
#include "core/pipeline/pipeline.h"

namespace lienzo {

/// unit.image (or `fallback` when the unit has none: the request's init picture) at width x
/// height, preprocessed by unit.preprocessor with the unit's knobs. The inpaint preprocessor
/// returns the fitted picture itself (its -1 pixels are made from the mask in the hint tensor).
RgbImage controlPicture(const ControlUnit& unit, const RgbImage& fallback, int width, int height);

}  // namespace lienzo
