#include "core/train/scene.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lienzo::train {
namespace {

constexpr const char* kColourNames[] = {"red",    "green",  "blue",  "yellow",
                                        "orange", "purple", "white", "black"};
constexpr const char* kShapeNames[] = {"circle", "square", "triangle", "star", "ring"};
constexpr const char* kSizeNames[] = {"small", "large"};
constexpr const char* kRegionNames[] = {"none", "left", "right", "top", "bottom", "centre"};
constexpr const char* kRelationNames[] = {"none", "left_of", "right_of", "above", "below"};
constexpr const char* kKindNames[] = {"single", "two_objects", "positional", "counting",
                                      "colour_attribution"};
constexpr const char* kDirectionNames[] = {"left_to_right", "top_to_bottom",
                                           "top_left_to_bottom_right", "bottom_left_to_top_right"};

// Saturated, well separated sRGB values (closest pair: orange/yellow at ~95).
constexpr Rgb kPalette[] = {{220, 30, 30},  {30, 170, 50},  {30, 70, 220},   {245, 220, 30},
                            {245, 140, 20}, {140, 50, 180}, {250, 250, 250}, {15, 15, 15}};

// Gradient ends must differ this much to read as a gradient.
constexpr double kMinGradientSpan = 120.0;
// Region sampling bands (normalised); the evaluator's bands are wider (evaluator.cpp).
constexpr double kRegionSide = 0.34;    // left: cx <= 0.34, right: cx >= 0.66, ...
constexpr double kRegionCross = 0.15;   // the other axis stays within 0.5 +- this
constexpr double kRegionCentre = 0.04;  // centre: both axes within 0.5 +- this
constexpr double kRelationMin = 0.2;    // relation: main-axis centre distance >= this
constexpr double kRelationCross = 0.5;  // cross-axis distance <= this * main-axis distance
constexpr int kPlacementTries = 400;

template <typename E, size_t N>
E fromName(const char* const (&names)[N], const std::string& name, const char* what) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<E>(i);
  std::string valid;
  for (size_t i = 0; i < N; ++i) valid += (i ? ", " : "") + std::string(names[i]);
  throw std::invalid_argument("unknown " + std::string(what) + " '" + name + "' (expected one of " +
                              valid + ")");
}

double rgbDistance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  const double dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
  return std::sqrt(dr * dr + dg * dg + db * db);
}

std::array<double, 3> toArray(Rgb c) {
  return {double(c.r), double(c.g), double(c.b)};
}

/// Height / width of a shape's bounding box (the renderer fits the shape to this box).
double shapeAspect(Shape shape) {
  switch (shape) {
    case Shape::Triangle:
      return 0.9;
    case Shape::Star:
      return 0.95;
    default:
      return 1.0;
  }
}

struct SizeRange {
  double lo, hi;
};
SizeRange sizeRange(SizeClass size) {
  return size == SizeClass::Small ? SizeRange{kSmallMinPx, kSmallMaxPx}
                                  : SizeRange{kLargeMinPx, kLargeMaxPx};
}

Background sampleBackground(std::mt19937_64& rng, const SceneOptions& options) {
  Background bg;
  bg.stated = bernoulli(rng, options.backgroundStatedProbability);
  bg.from = static_cast<Colour>(uniformInt(rng, 0, kColourCount - 1));
  bg.to = bg.from;
  if (bernoulli(rng, options.gradientProbability)) {
    std::vector<Colour> ends;
    for (int c = 0; c < kColourCount; ++c) {
      const auto other = static_cast<Colour>(c);
      if (rgbDistance(toArray(paletteRgb(bg.from)), toArray(paletteRgb(other))) >= kMinGradientSpan)
        ends.push_back(other);
    }
    bg.gradient = true;
    bg.to = ends[uniformInt(rng, 0, int(ends.size()) - 1)];
    bg.direction = static_cast<GradientDirection>(uniformInt(rng, 0, 3));
  }
  return bg;
}

std::vector<Colour> allowedColours(const Background& bg) {
  std::vector<Colour> out;
  for (int c = 0; c < kColourCount; ++c)
    if (contrastWithBackground(static_cast<Colour>(c), bg) >= kMinContrast)
      out.push_back(static_cast<Colour>(c));
  return out;
}

Shape randomShape(std::mt19937_64& rng) {
  return static_cast<Shape>(uniformInt(rng, 0, kShapeCount - 1));
}

SizeClass randomSize(std::mt19937_64& rng) {
  return bernoulli(rng, 0.5) ? SizeClass::Small : SizeClass::Large;
}

bool boxesApart(const PlacedObject& a, const PlacedObject& b) {
  const double gap = kGapPx / kReferenceSide;
  return std::abs(a.cx - b.cx) >= (a.width + b.width) / 2 + gap ||
         std::abs(a.cy - b.cy) >= (a.height + b.height) / 2 + gap;
}

bool insideMargins(const PlacedObject& o) {
  const double m = kMarginPx / kReferenceSide - 1e-9;
  return o.cx - o.width / 2 >= m && o.cx + o.width / 2 <= 1 - m && o.cy - o.height / 2 >= m &&
         o.cy + o.height / 2 <= 1 - m;
}

/// Uniform in [lo, hi] intersected with the range that keeps `half` inside the margins.
bool sampleAxis(std::mt19937_64& rng, double half, double lo, double hi, double& out) {
  const double m = kMarginPx / kReferenceSide;
  lo = std::max(lo, m + half);
  hi = std::min(hi, 1 - m - half);
  if (lo > hi) return false;
  out = uniformReal(rng, lo, hi);
  return true;
}

bool placeInRegion(std::mt19937_64& rng, Region region, PlacedObject& o) {
  const double hw = o.width / 2, hh = o.height / 2;
  double xlo = 0, xhi = 1, ylo = 0, yhi = 1;
  switch (region) {
    case Region::None:
      break;
    case Region::Left:
      xhi = kRegionSide, ylo = 0.5 - kRegionCross, yhi = 0.5 + kRegionCross;
      break;
    case Region::Right:
      xlo = 1 - kRegionSide, ylo = 0.5 - kRegionCross, yhi = 0.5 + kRegionCross;
      break;
    case Region::Top:
      yhi = kRegionSide, xlo = 0.5 - kRegionCross, xhi = 0.5 + kRegionCross;
      break;
    case Region::Bottom:
      ylo = 1 - kRegionSide, xlo = 0.5 - kRegionCross, xhi = 0.5 + kRegionCross;
      break;
    case Region::Centre:
      xlo = ylo = 0.5 - kRegionCentre;
      xhi = yhi = 0.5 + kRegionCentre;
      break;
  }
  return sampleAxis(rng, hw, xlo, xhi, o.cx) && sampleAxis(rng, hh, ylo, yhi, o.cy);
}

bool relationHolds(Relation relation, const PlacedObject& a, const PlacedObject& b) {
  double main = 0, cross = 0;
  switch (relation) {
    case Relation::None:
      return true;
    case Relation::LeftOf:
      main = b.cx - a.cx, cross = b.cy - a.cy;
      break;
    case Relation::RightOf:
      main = a.cx - b.cx, cross = b.cy - a.cy;
      break;
    case Relation::Above:
      main = b.cy - a.cy, cross = b.cx - a.cx;
      break;
    case Relation::Below:
      main = a.cy - b.cy, cross = b.cx - a.cx;
      break;
  }
  return main >= kRelationMin && std::abs(cross) <= kRelationCross * main;
}

/// Places every object of the scene's groups (rejection sampling); false when it did not fit.
bool placeObjects(std::mt19937_64& rng, Scene& scene) {
  scene.objects.clear();
  for (int g = 0; g < int(scene.groups.size()); ++g) {
    const ObjectGroup& group = scene.groups[g];
    const SizeRange range = sizeRange(group.size);
    // Alike objects share one size; different groups draw their own.
    const double width = uniformReal(rng, range.lo, range.hi) / kReferenceSide;
    for (int i = 0; i < group.count; ++i) {
      PlacedObject o;
      o.group = g;
      o.width = width;
      o.height = width * shapeAspect(group.shape);
      bool placed = false;
      for (int attempt = 0; attempt < kPlacementTries && !placed; ++attempt) {
        if (!placeInRegion(rng, group.region, o)) return false;
        placed = std::all_of(scene.objects.begin(), scene.objects.end(),
                             [&](const PlacedObject& other) { return boxesApart(o, other); });
        if (placed && g == 1 && scene.relation != Relation::None)
          placed = relationHolds(scene.relation, scene.objects.front(), o);
      }
      if (!placed) return false;
      scene.objects.push_back(o);
    }
  }
  return true;
}

/// Two groups with different shapes and (when `distinctColours`) different colours.
void sampleTwoGroups(std::mt19937_64& rng, Scene& scene, const std::vector<Colour>& colours,
                     bool colourStated, bool distinctColours) {
  ObjectGroup a, b;
  a.shape = randomShape(rng);
  do b.shape = randomShape(rng);
  while (b.shape == a.shape);
  a.colour = colours[uniformInt(rng, 0, int(colours.size()) - 1)];
  do b.colour = colours[uniformInt(rng, 0, int(colours.size()) - 1)];
  while (distinctColours && b.colour == a.colour);
  a.size = randomSize(rng);
  b.size = randomSize(rng);
  a.colourStated = b.colourStated = colourStated;
  scene.groups = {a, b};
}

Scene sampleOnce(std::mt19937_64& rng, const SceneOptions& options, SceneKind kind) {
  Scene scene;
  scene.kind = kind;
  scene.background = sampleBackground(rng, options);
  const std::vector<Colour> colours = allowedColours(scene.background);
  switch (kind) {
    case SceneKind::Single: {
      ObjectGroup g;
      g.shape = randomShape(rng);
      g.colour = colours[uniformInt(rng, 0, int(colours.size()) - 1)];
      g.size = randomSize(rng);
      if (bernoulli(rng, options.regionProbability))
        g.region = static_cast<Region>(uniformInt(rng, 1, 5));
      scene.groups = {g};
      break;
    }
    case SceneKind::TwoObjects:
      sampleTwoGroups(rng, scene, colours, bernoulli(rng, options.colourStatedProbability), false);
      break;
    case SceneKind::Positional:
      sampleTwoGroups(rng, scene, colours, bernoulli(rng, options.colourStatedProbability), false);
      scene.relation = static_cast<Relation>(uniformInt(rng, 1, 4));
      break;
    case SceneKind::Counting: {
      ObjectGroup g;
      g.shape = randomShape(rng);
      g.colour = colours[uniformInt(rng, 0, int(colours.size()) - 1)];
      g.count = uniformInt(rng, 1, 4);
      // Three or four large objects rarely fit a 64 px image with gaps and margins.
      g.size = g.count <= 2 ? randomSize(rng) : SizeClass::Small;
      g.colourStated = bernoulli(rng, options.colourStatedProbability);
      scene.groups = {g};
      break;
    }
    case SceneKind::ColourAttribution:
      sampleTwoGroups(rng, scene, colours, true, true);
      break;
  }
  for (ObjectGroup& g : scene.groups) g.sizeStated = bernoulli(rng, options.sizeStatedProbability);
  if (!placeObjects(rng, scene)) scene.objects.clear();
  return scene;
}

void requireJson(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("scene JSON: " + what);
}

}  // namespace

// ---- names -------------------------------------------------------------------------------------

Rgb paletteRgb(Colour colour) {
  return kPalette[static_cast<int>(colour)];
}
const char* colourName(Colour c) {
  return kColourNames[static_cast<int>(c)];
}
const char* shapeName(Shape s) {
  return kShapeNames[static_cast<int>(s)];
}
const char* sizeName(SizeClass s) {
  return kSizeNames[static_cast<int>(s)];
}
const char* regionName(Region r) {
  return kRegionNames[static_cast<int>(r)];
}
const char* relationName(Relation r) {
  return kRelationNames[static_cast<int>(r)];
}
const char* sceneKindName(SceneKind k) {
  return kKindNames[static_cast<int>(k)];
}
const char* gradientDirectionName(GradientDirection d) {
  return kDirectionNames[static_cast<int>(d)];
}
Colour colourFromName(const std::string& n) {
  return fromName<Colour>(kColourNames, n, "colour");
}
Shape shapeFromName(const std::string& n) {
  return fromName<Shape>(kShapeNames, n, "shape");
}
SizeClass sizeFromName(const std::string& n) {
  return fromName<SizeClass>(kSizeNames, n, "size");
}
Region regionFromName(const std::string& n) {
  return fromName<Region>(kRegionNames, n, "region");
}
Relation relationFromName(const std::string& n) {
  return fromName<Relation>(kRelationNames, n, "relation");
}
SceneKind sceneKindFromName(const std::string& n) {
  return fromName<SceneKind>(kKindNames, n, "scene kind");
}
GradientDirection gradientDirectionFromName(const std::string& n) {
  return fromName<GradientDirection>(kDirectionNames, n, "gradient direction");
}

// ---- randomness --------------------------------------------------------------------------------

int uniformInt(std::mt19937_64& rng, int lo, int hi) {
  if (hi < lo) throw std::invalid_argument("uniformInt: empty range");
  const uint64_t span = uint64_t(int64_t(hi) - int64_t(lo)) + 1;
  // Reject the top partial block so every value is equally likely.
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % span;
  uint64_t x;
  do x = rng();
  while (x >= limit);
  return int(int64_t(lo) + int64_t(x % span));
}

double uniformUnit(std::mt19937_64& rng) {
  return double(rng() >> 11) * 0x1.0p-53;
}

double uniformReal(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * uniformUnit(rng);
}

bool bernoulli(std::mt19937_64& rng, double p) {
  return uniformUnit(rng) < p;
}

int weightedIndex(std::mt19937_64& rng, const double* weights, int count) {
  double total = 0;
  for (int i = 0; i < count; ++i) {
    if (!(weights[i] >= 0)) throw std::invalid_argument("weightedIndex: negative weight");
    total += weights[i];
  }
  if (!(total > 0)) throw std::invalid_argument("weightedIndex: weights sum to zero");
  double u = uniformUnit(rng) * total;
  for (int i = 0; i < count; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  for (int i = count - 1; i >= 0; --i)
    if (weights[i] > 0) return i;
  return 0;
}

// ---- sampling ----------------------------------------------------------------------------------

Scene sampleScene(std::mt19937_64& rng, const SceneOptions& options) {
  const SceneKind kind =
      static_cast<SceneKind>(weightedIndex(rng, options.kindWeights.data(), kSceneKindCount));
  // Placement rarely fails (e.g. a relation between two large objects); redraw the whole scene.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Scene scene = sampleOnce(rng, options, kind);
    if (!scene.objects.empty()) return scene;
  }
  throw std::logic_error("sampleScene: could not place a " + std::string(sceneKindName(kind)) +
                         " scene");
}

Scene sampleScene(uint64_t seed, const SceneOptions& options) {
  std::mt19937_64 rng(seed);
  return sampleScene(rng, options);
}

// ---- validation --------------------------------------------------------------------------------

std::array<double, 3> backgroundAt(const Background& bg, double x, double y) {
  const auto a = toArray(paletteRgb(bg.from));
  if (!bg.gradient) return a;
  const auto b = toArray(paletteRgb(bg.to));
  double t = 0;
  switch (bg.direction) {
    case GradientDirection::LeftToRight:
      t = x;
      break;
    case GradientDirection::TopToBottom:
      t = y;
      break;
    case GradientDirection::TopLeftToBottomRight:
      t = (x + y) / 2;
      break;
    case GradientDirection::BottomLeftToTopRight:
      t = (x + 1 - y) / 2;
      break;
  }
  t = std::clamp(t, 0.0, 1.0);
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

double contrastWithBackground(Colour colour, const Background& bg) {
  const auto c = toArray(paletteRgb(colour));
  const auto a = toArray(paletteRgb(bg.from));
  if (!bg.gradient) return rgbDistance(c, a);
  // Distance from the colour to the segment a..b in RGB.
  const auto b = toArray(paletteRgb(bg.to));
  double num = 0, den = 0;
  for (int i = 0; i < 3; ++i) {
    num += (c[i] - a[i]) * (b[i] - a[i]);
    den += (b[i] - a[i]) * (b[i] - a[i]);
  }
  const double t = den > 0 ? std::clamp(num / den, 0.0, 1.0) : 0.0;
  return rgbDistance(
      c, {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t});
}

void validateSpec(const Scene& scene) {
  auto fail = [](const std::string& why) { throw std::invalid_argument("invalid scene: " + why); };
  if (scene.groups.empty() || scene.groups.size() > 2) fail("needs 1 or 2 object groups");
  int total = 0;
  for (const ObjectGroup& g : scene.groups) {
    if (g.count < 1 || g.count > 4) fail("a group's count must be 1..4");
    if (g.region != Region::None && (scene.groups.size() != 1 || g.count != 1))
      fail("a region is only stated for a single object");
    total += g.count;
  }
  if (total > 4) fail("at most 4 objects");
  if (scene.relation != Relation::None &&
      (scene.groups.size() != 2 || scene.groups[0].count != 1 || scene.groups[1].count != 1))
    fail("a relation needs two single objects");
  if (scene.background.gradient && scene.background.from == scene.background.to)
    fail("a gradient needs two different colours");
  const size_t groups = scene.groups.size();
  switch (scene.kind) {
    case SceneKind::Single:
      if (groups != 1 || scene.groups[0].count != 1) fail("a single scene has one object");
      break;
    case SceneKind::Counting:
      if (groups != 1) fail("a counting scene has one group");
      break;
    case SceneKind::Positional:
      if (scene.relation == Relation::None) fail("a positional scene needs a relation");
      [[fallthrough]];
    case SceneKind::TwoObjects:
    case SceneKind::ColourAttribution:
      if (groups != 2) fail(std::string("a ") + sceneKindName(scene.kind) + " scene has 2 groups");
      break;
  }
}

void validateScene(const Scene& scene) {
  validateSpec(scene);
  auto fail = [](const std::string& why) { throw std::invalid_argument("invalid scene: " + why); };
  std::vector<int> perGroup(scene.groups.size(), 0);
  for (const PlacedObject& o : scene.objects) {
    if (o.group < 0 || o.group >= int(scene.groups.size())) fail("object of an unknown group");
    ++perGroup[o.group];
    const ObjectGroup& g = scene.groups[o.group];
    const SizeRange range = sizeRange(g.size);
    const double px = o.width * kReferenceSide;
    if (px < range.lo - 1e-6 || px > range.hi + 1e-6)
      fail(std::string("a ") + sizeName(g.size) + " object is " + std::to_string(px) + " px wide");
    if (std::abs(o.height - o.width * shapeAspect(g.shape)) > 1e-6)
      fail(std::string("a ") + shapeName(g.shape) + " has the wrong aspect");
    if (!insideMargins(o)) fail("an object is closer than the margin to the border");
    if (contrastWithBackground(g.colour, scene.background) < kMinContrast)
      fail(std::string("a ") + colourName(g.colour) + " object does not stand out from the " +
           "background");
  }
  for (size_t i = 0; i < scene.groups.size(); ++i)
    if (perGroup[i] != scene.groups[i].count) fail("objects do not match the group counts");
  for (size_t i = 0; i < scene.objects.size(); ++i)
    for (size_t j = i + 1; j < scene.objects.size(); ++j)
      if (!boxesApart(scene.objects[i], scene.objects[j])) fail("two objects overlap");
}

// ---- JSON --------------------------------------------------------------------------------------

nlohmann::json sceneToJson(const Scene& scene) {
  nlohmann::json groups = nlohmann::json::array();
  for (const ObjectGroup& g : scene.groups)
    groups.push_back({{"shape", shapeName(g.shape)},
                      {"colour", colourName(g.colour)},
                      {"size", sizeName(g.size)},
                      {"count", g.count},
                      {"colour_stated", g.colourStated},
                      {"size_stated", g.sizeStated},
                      {"region", regionName(g.region)}});
  nlohmann::json objects = nlohmann::json::array();
  for (const PlacedObject& o : scene.objects)
    objects.push_back(
        {{"group", o.group}, {"cx", o.cx}, {"cy", o.cy}, {"width", o.width}, {"height", o.height}});
  const Background& bg = scene.background;
  return {{"kind", sceneKindName(scene.kind)},
          {"groups", groups},
          {"relation", relationName(scene.relation)},
          {"background",
           {{"gradient", bg.gradient},
            {"from", colourName(bg.from)},
            {"to", colourName(bg.to)},
            {"direction", gradientDirectionName(bg.direction)},
            {"stated", bg.stated}}},
          {"objects", objects}};
}

Scene sceneFromJson(const nlohmann::json& json) {
  try {
    requireJson(json.is_object(), "not an object");
    Scene scene;
    requireJson(json.contains("groups") && json["groups"].is_array(), "'groups' array missing");
    for (const auto& jg : json["groups"]) {
      requireJson(jg.is_object() && jg.contains("shape"), "a group needs a 'shape'");
      ObjectGroup g;
      g.shape = shapeFromName(jg["shape"].get<std::string>());
      g.colour = colourFromName(jg.value("colour", std::string("red")));
      g.size = sizeFromName(jg.value("size", std::string("small")));
      g.count = jg.value("count", 1);
      g.colourStated = jg.value("colour_stated", jg.contains("colour"));
      g.sizeStated = jg.value("size_stated", false);
      g.region = regionFromName(jg.value("region", std::string("none")));
      scene.groups.push_back(g);
    }
    scene.relation = relationFromName(json.value("relation", std::string("none")));
    if (json.contains("kind")) {
      scene.kind = sceneKindFromName(json["kind"].get<std::string>());
    } else if (scene.groups.size() == 2) {  // hand-written specs may leave the kind out
      const ObjectGroup &a = scene.groups[0], &b = scene.groups[1];
      scene.kind = scene.relation != Relation::None ? SceneKind::Positional
                   : (a.colourStated && b.colourStated && a.colour != b.colour)
                       ? SceneKind::ColourAttribution
                       : SceneKind::TwoObjects;
    } else {
      scene.kind = !scene.groups.empty() && scene.groups[0].count > 1 ? SceneKind::Counting
                                                                      : SceneKind::Single;
    }
    if (json.contains("background")) {
      const auto& jb = json["background"];
      requireJson(jb.is_object(), "'background' must be an object");
      Background& bg = scene.background;
      bg.gradient = jb.value("gradient", false);
      bg.from = colourFromName(jb.value("from", std::string("white")));
      bg.to = bg.gradient ? colourFromName(jb.value("to", std::string("white"))) : bg.from;
      bg.direction = gradientDirectionFromName(jb.value("direction", std::string("left_to_right")));
      bg.stated = jb.value("stated", true);
    }
    if (json.contains("objects")) {
      requireJson(json["objects"].is_array(), "'objects' must be an array");
      for (const auto& jo : json["objects"]) {
        PlacedObject o;
        o.group = jo.at("group").get<int>();
        o.cx = jo.at("cx").get<double>();
        o.cy = jo.at("cy").get<double>();
        o.width = jo.at("width").get<double>();
        o.height = jo.at("height").get<double>();
        scene.objects.push_back(o);
      }
    }
    validateSpec(scene);
    return scene;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("scene JSON: ") + e.what());
  }
}

}  // namespace lienzo::train
