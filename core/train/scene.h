// Procedural scenes for the built-in model: 1-4 flat objects (8 colours x 5 shapes x 2 sizes) on a
// solid or two-colour gradient background, described by what a caption asks for (groups of alike
// objects, a relation, a background) plus where each object is drawn.
//
// Contract
// - Deterministic: sampleScene(seed) gives the same scene on every platform and standard library
//   (std::mt19937_64 is specified by the standard; the distributions below are our own, never
//   std::uniform_*_distribution, whose outputs differ between libraries).
// - Every sampled scene is valid (validateScene passes): objects do not overlap (their bounding
//   boxes, grown by kGapPx, are disjoint), stay kMarginPx from the borders, have sizes in their
//   class range and contrast with the background everywhere along a gradient.
// - Coordinates are normalised to the image side ([0,1], x right, y down) so a scene renders at
//   any size; pixel constants below are given for the 64 px reference image.
// - Errors: std::invalid_argument for invalid scenes, unknown names and malformed JSON.
// - Threads: no shared state; a generator must not be used from two threads at once.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lienzo::train {

enum class Colour : uint8_t { Red, Green, Blue, Yellow, Orange, Purple, White, Black };
enum class Shape : uint8_t { Circle, Square, Triangle, Star, Ring };
enum class SizeClass : uint8_t { Small, Large };
/// An absolute place in the image that a caption states ("on the left", "in the centre").
enum class Region : uint8_t { None, Left, Right, Top, Bottom, Centre };
/// groups[0] <relation> groups[1] ("a red circle left of a blue star").
enum class Relation : uint8_t { None, LeftOf, RightOf, Above, Below };
/// The category mix sampleScene draws from (GenEval prompt families).
enum class SceneKind : uint8_t { Single, TwoObjects, Positional, Counting, ColourAttribution };
/// Gradient axis: the `from` colour at the start side/corner, `to` at the opposite one.
enum class GradientDirection : uint8_t {
  LeftToRight,
  TopToBottom,
  TopLeftToBottomRight,
  BottomLeftToTopRight
};

inline constexpr int kColourCount = 8;
inline constexpr int kShapeCount = 5;
inline constexpr int kSceneKindCount = 5;

// Geometry at the 64 px reference (divide by kReferenceSide for normalised units).
inline constexpr double kReferenceSide = 64.0;
inline constexpr double kSmallMinPx = 12.0, kSmallMaxPx = 16.0;
inline constexpr double kLargeMinPx = 22.0, kLargeMaxPx = 28.0;
inline constexpr double kMarginPx = 3.0;  ///< object bounding box to image border
inline constexpr double kGapPx = 4.0;     ///< between the bounding boxes of two objects
/// Smallest RGB distance between an object colour and any colour of its background.
inline constexpr double kMinContrast = 90.0;

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

/// The sRGB value objects and backgrounds of this colour are drawn with.
Rgb paletteRgb(Colour colour);
/// Lower-case English identifiers used in JSON ("red", "circle", "small", "left", "left_of"...).
const char* colourName(Colour colour);
const char* shapeName(Shape shape);
const char* sizeName(SizeClass size);
const char* regionName(Region region);
const char* relationName(Relation relation);
const char* sceneKindName(SceneKind kind);
const char* gradientDirectionName(GradientDirection direction);
/// Inverse of the names above; std::invalid_argument for an unknown name.
Colour colourFromName(const std::string& name);
Shape shapeFromName(const std::string& name);
SizeClass sizeFromName(const std::string& name);
Region regionFromName(const std::string& name);
Relation relationFromName(const std::string& name);
SceneKind sceneKindFromName(const std::string& name);
GradientDirection gradientDirectionFromName(const std::string& name);

/// `count` alike objects as a caption asks for them. Attributes not stated are still drawn (the
/// scene is complete) but the caption does not mention them and the evaluator does not check them.
struct ObjectGroup {
  Shape shape = Shape::Circle;
  Colour colour = Colour::Red;
  SizeClass size = SizeClass::Small;
  int count = 1;  ///< 1..4
  bool colourStated = true;
  bool sizeStated = false;
  Region region = Region::None;  ///< stated absolute place (single-object scenes only)
};

struct Background {
  bool gradient = false;
  Colour from = Colour::White;  ///< the solid colour, or the gradient's start
  Colour to = Colour::White;    ///< the gradient's end (== from when solid)
  GradientDirection direction = GradientDirection::LeftToRight;
  bool stated = false;  ///< the caption names the background
};

/// One drawn object: its group and its bounding box (centre and size, normalised).
struct PlacedObject {
  int group = 0;
  double cx = 0.5, cy = 0.5;
  double width = 0.25, height = 0.25;
};

struct Scene {
  SceneKind kind = SceneKind::Single;
  std::vector<ObjectGroup> groups;  ///< 1 or 2
  Relation relation = Relation::None;
  Background background;
  std::vector<PlacedObject> objects;  ///< sum of groups[i].count entries
};

struct SceneOptions {
  /// Relative weights of Single, TwoObjects, Positional, Counting, ColourAttribution.
  std::array<double, kSceneKindCount> kindWeights = {0.25, 0.15, 0.2, 0.2, 0.2};
  double gradientProbability = 0.35;         ///< background is a two-colour gradient
  double backgroundStatedProbability = 0.6;  ///< caption names the background
  double sizeStatedProbability = 0.35;       ///< per group
  double regionProbability = 0.3;            ///< single objects: state an absolute place
  /// Two-object and counting scenes: colours stated (single/attribution scenes always state them).
  double colourStatedProbability = 0.6;
};

// Deterministic randomness (portable; see the contract).
/// Uniform integer in [lo, hi] (inclusive), unbiased (rejection sampling).
int uniformInt(std::mt19937_64& rng, int lo, int hi);
/// Uniform double in [0, 1) from the top 53 bits.
double uniformUnit(std::mt19937_64& rng);
double uniformReal(std::mt19937_64& rng, double lo, double hi);
bool bernoulli(std::mt19937_64& rng, double p);
/// Index drawn with probability proportional to weights (all >= 0, sum > 0).
int weightedIndex(std::mt19937_64& rng, const double* weights, int count);

/// A valid random scene from the kind mix in `options`.
Scene sampleScene(std::mt19937_64& rng, const SceneOptions& options = {});
Scene sampleScene(uint64_t seed, const SceneOptions& options = {});

/// The caption side only (groups, counts, relation, background); what evaluate() needs. Throws
/// std::invalid_argument naming the first broken rule.
void validateSpec(const Scene& scene);
/// validateSpec plus the drawing: objects match the group counts, sizes lie in their class range,
/// margins, no overlap, contrast with the background (see the contract). std::invalid_argument.
void validateScene(const Scene& scene);
/// The background colour at normalised (x, y), as floats 0..255 (linear mix in sRGB).
std::array<double, 3> backgroundAt(const Background& background, double x, double y);
/// Smallest RGB distance between `colour` and any colour of `background`.
double contrastWithBackground(Colour colour, const Background& background);

nlohmann::json sceneToJson(const Scene& scene);
/// Reads what sceneToJson writes. Only "groups" (each with a "shape") is required: other fields
/// take the defaults above, "objects" may be absent (a spec to evaluate against), and a missing
/// "kind" is inferred (2 groups: positional with a relation, colour_attribution when both differing
/// colours are stated, else two_objects; 1 group: counting when count > 1, else single).
/// std::invalid_argument for unknown names, wrong types or an invalid spec (validateSpec).
Scene sceneFromJson(const nlohmann::json& json);

}  // namespace lienzo::train
