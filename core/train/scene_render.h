// Rasterises a Scene: flat anti-aliased shapes (n x n supersampling) over a solid or linear
// gradient background, as 8-bit RGB.
//
// Contract
// - Shapes are defined in their own bounding box, mapped to [-1,1]^2 (x right, y down); each
//   PlacedObject's box is where that square lands. Upright: the square is axis-aligned, the
//   triangle and the star point up. shapeContains() is the single definition the renderer and the
//   evaluator's templates share.
// - A pixel is the background at its centre mixed with each object's colour by the fraction of
//   the pixel's sub-samples inside the object (objects never overlap in valid scenes).
// - Deterministic, no shared state, thread-safe. std::invalid_argument for side < 8 or > 4096,
//   supersample < 1 or > 16; render() does not validate the scene (call validateScene).
#pragma once

#include "core/train/scene.h"

#include <cstdint>
#include <vector>

namespace lienzo::train {

/// 8-bit RGB, row-major, interleaved; pixels.size() == width * height * 3. Same layout as
/// lienzo::Image8 with channels == 3 (core/io/image_io.h), so converting is a move of `pixels`.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;

  const uint8_t* at(int x, int y) const { return &pixels[(size_t(y) * width + x) * 3]; }
  uint8_t* at(int x, int y) { return &pixels[(size_t(y) * width + x) * 3]; }
};

/// Ring hole radius relative to the outer radius; star inner radius relative to the outer one.
inline constexpr double kRingInnerRatio = 0.5;
inline constexpr double kStarInnerRatio = 0.42;

/// Whether (u, v) in the shape's box coordinates ([-1,1]^2 is the bounding box) is inside.
bool shapeContains(Shape shape, double u, double v);

/// Fraction (0..1) of an n x n grid of sub-samples of the pixel [x0,x0+1) x [y0,y0+1) (pixel
/// units) that lies inside `shape` drawn in the box centred at (cx, cy) with half-sizes (hw, hh),
/// all in pixels.
double shapeCoverage(Shape shape, double cx, double cy, double hw, double hh, int x0, int y0,
                     int n);

/// The scene as a side x side image (64 for the built-in model).
RgbImage render(const Scene& scene, int side = 64, int supersample = 4);

/// Binary PPM (P6) encoding and decoding, for tools and tests without an image library.
/// decodePpm throws std::invalid_argument for anything but 8-bit P6 (comments allowed).
std::vector<uint8_t> encodePpm(const RgbImage& image);
RgbImage decodePpm(const std::vector<uint8_t>& bytes);

}  // namespace lienzo::train
