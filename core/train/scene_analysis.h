// Reads objects back out of an image, without a neural network: background fit, segmentation,
// colour naming and shape measurement. The evaluator (evaluator.h) judges what it finds.
//
// Method
// 1. Background: a linear gradient c(x, y) = a + b x + c y per channel, least-squares fitted to a
//    border band and refitted twice without outliers (objects near the border). Solid backgrounds
//    come out with b = c = 0; the colours at the two most different corners name it.
// 2. Foreground: pixels whose (3x3 median) distance from the fitted background passes a threshold;
//    8-connected components. A component whose interior shows two colours that are not mixes of
//    the background and one another (touching objects) is split by colour. Specks below a minimum
//    area are dropped; the rest own a 2 px rim (anti-aliasing, blur), shared out by proximity.
// 3. Colour: the mean of a component's core pixels (the most background-distant ones), extended
//    along the ray from the background (a thin or blurred object never shows its pure colour),
//    named by the palette colour closest to that ray.
// 4. Coverage: each pixel's fraction of the object, projecting (pixel - background) onto
//    (object colour - background), which undoes anti-aliasing.
// 5. Shape: for each shape, the template (shapeContains) is placed by the coverage's centroid and
//    spread (the template's own area moments), for a few blur levels (blurred template, variance
//    corrected); the best soft IoU over levels scores the shape. The best shape names the object
//    when its IoU reaches kMinShapeIou; its box gives the centre and size (larger side).
//
// Contract: any image size >= 8 x 8 (thresholds scale with the side); std::invalid_argument for a
// malformed image. Deterministic, thread-safe, no shared state.
#pragma once

#include "core/train/scene.h"
#include "core/train/scene_render.h"

#include <array>
#include <optional>
#include <vector>

namespace lienzo::train {

/// Below this soft IoU with its best template an object has no shape (a blob).
inline constexpr double kMinShapeIou = 0.6;
/// Larger side (at the 64 px reference) above which an object is large.
inline constexpr double kLargeThresholdPx = 19.0;

struct DetectedObject {
  Colour colour = Colour::Red;
  std::optional<Shape> shape;
  SizeClass size = SizeClass::Small;
  double cx = 0, cy = 0, width = 0, height = 0;  ///< the best template's box, normalised
  double area = 0;                               ///< coverage sum / image area
  std::array<double, 3> meanRgb{};               ///< core colour, 0..255
  std::array<double, kShapeCount> shapeIou{};    ///< soft IoU with each template
};

struct DetectedBackground {
  bool gradient = false;
  Colour from = Colour::White, to = Colour::White;  ///< the two most different corners
  std::array<double, 3> fromRgb{}, toRgb{};
  double residual = 0;  ///< RMS distance of the border band to the fit (noise, clutter)
};

struct SceneAnalysis {
  DetectedBackground background;
  std::vector<DetectedObject> objects;  ///< largest first
};

/// Nearest palette colour in CIE Lab (D65) to an sRGB colour given as 0..255 floats.
Colour nearestColour(const std::array<double, 3>& rgb);

SceneAnalysis analyseImage(const RgbImage& image);

}  // namespace lienzo::train
