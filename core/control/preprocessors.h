// ControlNet preprocessors that need no network: the picture a ControlNet expects, made from the
// user's picture. 8-bit in, 8-bit out (the inpaint hint, which has -1 values, is made from these
// pictures by control_hint.h).
//
//   none           the picture as it is
//   canny          OpenCV Canny edges (low/high thresholds, default 100/200) on the RGB picture,
//                  copied to 3 channels. Ref: cv2.Canny (imgproc/src/canny.cpp, apertureSize 3,
//                  L2gradient false) as lllyasviel's CannyDetector and sd-webui-controlnet call it.
//   scribble       dark strokes on light paper -> white on black: 255 where min(R,G,B) < threshold
//                  (default 127). Ref: sd-webui-controlnet scribble_thr.
//   threshold      binary threshold keeping polarity: 255 where OpenCV grey > threshold (default
//                  127); a scribble drawn on the canvas white on black stays white on black.
//                  Ref: sd-webui-controlnet "threshold" (cv2.threshold THRESH_BINARY).
//   invert         255 - value (black lines on white -> white on black).
//   tile_resample  downscale by a rate r (default 1: unchanged; r < 1.1 is unchanged) with
//                  OpenCV's INTER_AREA to (int(W / r), int(H / r)). Ref: sd-webui-controlnet
//                  tile_resample.
//   inpaint        the picture itself here; its masked pixels become -1 in the hint
//                  (control_hint.h). Ref: sd-webui-controlnet hook.py inpaint protocol.
//
// Contract: torch-free pure functions, thread-safe. Failure: std::invalid_argument for an empty
// or malformed picture, an unknown name (listing the known ones) or a parameter out of range.
#pragma once

#include "core/edit/pixels.h"

#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// Canonical preprocessor names in UI order.
const std::vector<std::string>& controlPreprocessors();
/// The canonical name of `name` (also accepts sd-webui-controlnet spellings: "scribble_thr",
/// "binary", "inpaint_only", "inpaint_global_harmonious", "invert (from white bg & black
/// line)"); nullopt when unknown.
std::optional<std::string> resolvePreprocessor(const std::string& name);

/// The knobs of the preprocessors above (sd-webui-controlnet's "Threshold A / B").
struct PreprocessorOptions {
  double low = 100.0;     ///< canny low threshold
  double high = 200.0;    ///< canny high threshold
  int threshold = 127;    ///< scribble / threshold
  double tileRate = 1.0;  ///< tile_resample down sampling rate (>= 1)
};

/// Runs preprocessor `name` (any accepted spelling) on `image`.
RgbImage preprocessControlImage(const std::string& name, const RgbImage& image,
                                const PreprocessorOptions& options = {});

/// cv2.Canny(image, low, high) on the 3-channel picture: 0/255 edges [H*W].
GrayImage cannyEdges(const RgbImage& image, double low, double high);
/// cv2.resize(image, (width, height), INTER_AREA) for a downscale (width <= W, height <= H).
RgbImage resizeArea(const RgbImage& image, int width, int height);

}  // namespace lienzo
