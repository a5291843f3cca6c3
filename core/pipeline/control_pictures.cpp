// A ControlNet unit's preprocessed picture (control_pictures.h).
#include "core/pipeline/control_pictures.h"

#include "core/edit/canvas.h"
#include "core/pipeline/edit_pictures.h"

#include <stdexcept>
#include <string>

namespace lienzo {

RgbImage controlPicture(const ControlUnit& unit, const RgbImage& fallback, int width, int height) {
  const RgbImage& source = unit.image.empty() ? fallback : unit.image;
  if (source.empty())
    throw std::invalid_argument("has no picture (give one, or an init picture to use)");
  if (width < 1 || height < 1)
    throw std::invalid_argument("the control picture size " + std::to_string(width) + "x" +
                                std::to_string(height) + " is empty");
  PreprocessorOptions o;
  o.low = unit.lowThreshold;
  o.high = unit.highThreshold;
  o.threshold = unit.threshold;
  o.tileRate = unit.tileRate;
  // Ref: sd-webui-controlnet "pixel perfect": the detector runs at the generation size.
  RgbImage fitted = edit::resizeImage(source, width, height, editResizeMode(unit.resizeMode));
  RgbImage out = preprocessControlImage(unit.preprocessor, fitted, o);
  if (out.width != width || out.height != height)
    out = edit::resizeImage(out, width, height, edit::ResizeMode::Just);
  return out;
}

}  // namespace lienzo
