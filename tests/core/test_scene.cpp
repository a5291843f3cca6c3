// Procedural scenes: deterministic sampling, the placement rules, JSON, rendering.
#include "core/train/scene.h"
#include "core/train/scene_render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>

namespace lienzo::train {
namespace {

constexpr double kPx = 1.0 / kReferenceSide;

/// One object of `px` pixels (at 64) centred at (cx, cy) on `bg`.
Scene oneObject(Shape shape, Colour colour, double px, double cx, double cy, Background bg = {}) {
  Scene s;
  ObjectGroup g;
  g.shape = shape;
  g.colour = colour;
  g.size = px >= kLargeMinPx ? SizeClass::Large : SizeClass::Small;
  s.groups = {g};
  s.background = bg;
  PlacedObject o;
  o.cx = cx, o.cy = cy;
  o.width = px * kPx;
  o.height = o.width * (shape == Shape::Triangle ? 0.9 : shape == Shape::Star ? 0.95 : 1.0);
  s.objects = {o};
  return s;
}

Background solid(Colour c) {
  Background bg;
  bg.from = bg.to = c;
  return bg;
}

TEST(Scene, SameSeedSameScene) {
  std::set<std::string> distinct;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const std::string a = sceneToJson(sampleScene(seed)).dump();
    EXPECT_EQ(a, sceneToJson(sampleScene(seed)).dump()) << "seed " << seed;
    distinct.insert(a);
  }
  EXPECT_GE(distinct.size(), 59u);
}

TEST(Scene, RandomHelpersArePortable) {
  // std::mt19937_64 is fixed by the standard (its 10000th output is given there); our
  // distributions are plain functions of its outputs.
  std::mt19937_64 reference;
  reference.discard(9999);
  EXPECT_EQ(reference(), 9981545732273789042ULL);
  std::mt19937_64 a(7), b(7);
  EXPECT_EQ(uniformUnit(a), double(b() >> 11) * std::ldexp(1.0, -53));
  std::mt19937_64 c(7), d(7);
  EXPECT_EQ(uniformInt(c, 10, 13), 10 + int(d() % 4));  // 4 divides 2^64: no rejection
}

TEST(Scene, UniformIntIsUnbiased) {
  std::mt19937_64 rng(3);
  std::map<int, int> counts;
  const int n = 60000;
  for (int i = 0; i < n; ++i) ++counts[uniformInt(rng, -2, 3)];
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts.begin()->first, -2);
  EXPECT_EQ(counts.rbegin()->first, 3);
  for (const auto& [value, count] : counts) EXPECT_NEAR(count, n / 6.0, n / 6.0 * 0.05) << value;
  EXPECT_THROW(uniformInt(rng, 2, 1), std::invalid_argument);
  double w[] = {0, 1, 3};
  int hits[3] = {};
  for (int i = 0; i < 8000; ++i) ++hits[weightedIndex(rng, w, 3)];
  EXPECT_EQ(hits[0], 0);
  EXPECT_NEAR(hits[2] / 8000.0, 0.75, 0.03);
}

TEST(Scene, SampledScenesAreValid) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const Scene s = sampleScene(rng);
    ASSERT_NO_THROW(validateScene(s)) << sceneToJson(s).dump();
    for (const PlacedObject& o : s.objects) {
      const double px = o.width * kReferenceSide;
      const ObjectGroup& g = s.groups[o.group];
      if (g.size == SizeClass::Small) {
        EXPECT_GE(px, kSmallMinPx - 1e-9);
        EXPECT_LE(px, kSmallMaxPx + 1e-9);
      } else {
        EXPECT_GE(px, kLargeMinPx - 1e-9);
        EXPECT_LE(px, kLargeMaxPx + 1e-9);
      }
      EXPECT_GE(o.cx - o.width / 2, kMarginPx * kPx - 1e-9);
      EXPECT_LE(o.cy + o.height / 2, 1 - kMarginPx * kPx + 1e-9);
      EXPECT_GE(contrastWithBackground(g.colour, s.background), kMinContrast);
      EXPECT_NE(g.colour, s.background.from);
      EXPECT_NE(g.colour, s.background.to);
    }
    for (size_t a = 0; a < s.objects.size(); ++a)
      for (size_t b = a + 1; b < s.objects.size(); ++b) {
        const PlacedObject &p = s.objects[a], &q = s.objects[b];
        const bool apart = std::abs(p.cx - q.cx) >= (p.width + q.width) / 2 + kGapPx * kPx - 1e-9 ||
                           std::abs(p.cy - q.cy) >= (p.height + q.height) / 2 + kGapPx * kPx - 1e-9;
        EXPECT_TRUE(apart) << sceneToJson(s).dump();
      }
  }
}

TEST(Scene, KindMixFollowsTheWeights) {
  SceneOptions options;
  std::mt19937_64 rng(5);
  std::map<SceneKind, int> counts;
  const int n = 4000;
  for (int i = 0; i < n; ++i) ++counts[sampleScene(rng, options).kind];
  double total = 0;
  for (double w : options.kindWeights) total += w;
  for (int k = 0; k < kSceneKindCount; ++k)
    EXPECT_NEAR(counts[SceneKind(k)] / double(n), options.kindWeights[k] / total, 0.03)
        << sceneKindName(SceneKind(k));

  options.kindWeights = {0, 0, 0, 1, 0};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sampleScene(rng, options).kind, SceneKind::Counting);
}

TEST(Scene, KindsHaveTheirShape) {
  std::mt19937_64 rng(21);
  std::set<int> counts;
  std::set<Region> regions;
  std::set<Relation> relations;
  int gradients = 0, stated = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    const Scene s = sampleScene(rng);
    gradients += s.background.gradient;
    stated += s.background.stated;
    switch (s.kind) {
      case SceneKind::Single:
        ASSERT_EQ(s.groups.size(), 1u);
        EXPECT_EQ(s.groups[0].count, 1);
        EXPECT_TRUE(s.groups[0].colourStated);
        regions.insert(s.groups[0].region);
        break;
      case SceneKind::Counting:
        ASSERT_EQ(s.groups.size(), 1u);
        counts.insert(s.groups[0].count);
        if (s.groups[0].count >= 3) {
          EXPECT_EQ(s.groups[0].size, SizeClass::Small);
        }
        break;
      case SceneKind::Positional: {
        ASSERT_EQ(s.groups.size(), 2u);
        EXPECT_NE(s.groups[0].shape, s.groups[1].shape);
        relations.insert(s.relation);
        const PlacedObject &a = s.objects[0], &b = s.objects[1];
        const double dx = b.cx - a.cx, dy = b.cy - a.cy;
        switch (s.relation) {
          case Relation::LeftOf:
            EXPECT_GE(dx, 0.2);
            break;
          case Relation::RightOf:
            EXPECT_LE(dx, -0.2);
            break;
          case Relation::Above:
            EXPECT_GE(dy, 0.2);
            break;
          case Relation::Below:
            EXPECT_LE(dy, -0.2);
            break;
          case Relation::None:
            ADD_FAILURE() << "positional scene without a relation";
            break;
        }
        break;
      }
      case SceneKind::ColourAttribution:
        ASSERT_EQ(s.groups.size(), 2u);
        EXPECT_NE(s.groups[0].colour, s.groups[1].colour);
        EXPECT_TRUE(s.groups[0].colourStated && s.groups[1].colourStated);
        [[fallthrough]];
      case SceneKind::TwoObjects:
        EXPECT_NE(s.groups[0].shape, s.groups[1].shape);
        EXPECT_EQ(s.relation, Relation::None);
        break;
    }
    for (const PlacedObject& o : s.objects) {
      const Region r = s.groups[o.group].region;
      if (r == Region::Left) {
        EXPECT_LE(o.cx, 0.34 + 1e-9);
      }
      if (r == Region::Right) {
        EXPECT_GE(o.cx, 0.66 - 1e-9);
      }
      if (r == Region::Top) {
        EXPECT_LE(o.cy, 0.34 + 1e-9);
      }
      if (r == Region::Bottom) {
        EXPECT_GE(o.cy, 0.66 - 1e-9);
      }
      if (r == Region::Centre) {
        EXPECT_NEAR(o.cx, 0.5, 0.04 + 1e-9);
      }
    }
  }
  EXPECT_EQ(counts, (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(regions.size(), 6u);  // none + the five places
  EXPECT_EQ(relations.size(), 4u);
  EXPECT_NEAR(gradients / double(n), SceneOptions{}.gradientProbability, 0.04);
  EXPECT_NEAR(stated / double(n), SceneOptions{}.backgroundStatedProbability, 0.04);
}

TEST(Scene, JsonRoundTrip) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 200; ++i) {
    const Scene s = sampleScene(rng);
    const nlohmann::json j = sceneToJson(s);
    const Scene back = sceneFromJson(nlohmann::json::parse(j.dump()));
    EXPECT_EQ(sceneToJson(back), j);
  }
}

TEST(Scene, JsonSpecWithoutPlacementsAndKind) {
  const Scene two = sceneFromJson(nlohmann::json::parse(
      R"({"groups":[{"shape":"circle","colour":"red"},{"shape":"square","colour":"blue"}]})"));
  EXPECT_EQ(two.kind, SceneKind::ColourAttribution);
  EXPECT_TRUE(two.objects.empty());
  EXPECT_TRUE(two.groups[0].colourStated);
  const Scene rel = sceneFromJson(nlohmann::json::parse(
      R"({"groups":[{"shape":"star"},{"shape":"ring"}],"relation":"above"})"));
  EXPECT_EQ(rel.kind, SceneKind::Positional);
  EXPECT_FALSE(rel.groups[0].colourStated);
  const Scene count = sceneFromJson(
      nlohmann::json::parse(R"({"groups":[{"shape":"star","colour":"yellow","count":3}]})"));
  EXPECT_EQ(count.kind, SceneKind::Counting);
  const Scene bg = sceneFromJson(nlohmann::json::parse(
      R"({"groups":[{"shape":"star"}],"background":{"gradient":true,"from":"green","to":"yellow"}})"));
  EXPECT_EQ(bg.kind, SceneKind::Single);
  EXPECT_TRUE(bg.background.stated);
  EXPECT_EQ(bg.background.to, Colour::Yellow);
}

TEST(Scene, JsonErrorsAreInvalidArgument) {
  for (const char* text : {
           R"([])",
           R"({"groups":[]})",
           R"({"groups":[{"colour":"red"}]})",
           R"({"groups":[{"shape":"hexagon"}]})",
           R"({"groups":[{"shape":"star","colour":"teal"}]})",
           R"({"groups":[{"shape":"star","count":5}]})",
           R"({"groups":[{"shape":"star","count":"two"}]})",
           R"({"groups":[{"shape":"star"}],"relation":"left_of"})",
           R"({"kind":"single","groups":[{"shape":"star"},{"shape":"ring"}]})",
           R"({"groups":[{"shape":"star"}],"objects":[{"group":0}]})",
       })
    EXPECT_THROW(sceneFromJson(nlohmann::json::parse(text)), std::invalid_argument) << text;
}

TEST(Scene, ValidateRejectsBrokenScenes) {
  const Scene ok = oneObject(Shape::Circle, Colour::Red, 14, 0.5, 0.5, solid(Colour::Blue));
  EXPECT_NO_THROW(validateScene(ok));
  Scene sameColour = ok;
  sameColour.background = solid(Colour::Red);
  EXPECT_THROW(validateScene(sameColour), std::invalid_argument);
  Scene lowContrast = ok;  // red -> yellow passes through orange
  lowContrast.groups[0].colour = Colour::Orange;
  lowContrast.background.gradient = true;
  lowContrast.background.from = Colour::Red;
  lowContrast.background.to = Colour::Yellow;
  EXPECT_THROW(validateScene(lowContrast), std::invalid_argument);
  Scene border = ok;
  border.objects[0].cx = 0.1;
  EXPECT_THROW(validateScene(border), std::invalid_argument);
  Scene wrongSize = ok;
  wrongSize.groups[0].size = SizeClass::Large;
  EXPECT_THROW(validateScene(wrongSize), std::invalid_argument);
  Scene overlap = ok;
  overlap.kind = SceneKind::Counting;
  overlap.groups[0].count = 2;
  overlap.objects.push_back(overlap.objects[0]);
  overlap.objects[1].cx += 0.2;  // 12.8 px apart: boxes of 14 px overlap
  EXPECT_THROW(validateScene(overlap), std::invalid_argument);
  overlap.objects[1].cx = 0.5 + (14 + kGapPx) * kPx + 1e-6;
  EXPECT_NO_THROW(validateScene(overlap));
  Scene missing = ok;
  missing.objects.clear();
  EXPECT_THROW(validateScene(missing), std::invalid_argument);
  EXPECT_NO_THROW(validateSpec(missing));
}

TEST(Scene, NamesRoundTrip) {
  for (int c = 0; c < kColourCount; ++c)
    EXPECT_EQ(colourFromName(colourName(Colour(c))), Colour(c));
  for (int s = 0; s < kShapeCount; ++s) EXPECT_EQ(shapeFromName(shapeName(Shape(s))), Shape(s));
  EXPECT_EQ(relationFromName("left_of"), Relation::LeftOf);
  EXPECT_EQ(regionFromName("centre"), Region::Centre);
  EXPECT_THROW(colourFromName("Red"), std::invalid_argument);
}

TEST(ShapeGeometry, TemplatesFillTheirBox) {
  EXPECT_TRUE(shapeContains(Shape::Circle, 0, 0));
  EXPECT_FALSE(shapeContains(Shape::Circle, 0.8, 0.8));
  EXPECT_TRUE(shapeContains(Shape::Square, 0.99, -0.99));
  EXPECT_FALSE(shapeContains(Shape::Square, 1.01, 0));
  EXPECT_FALSE(shapeContains(Shape::Ring, 0, 0));
  EXPECT_TRUE(shapeContains(Shape::Ring, 0.75, 0));
  EXPECT_TRUE(shapeContains(Shape::Triangle, 0, -0.95));  // apex up
  EXPECT_FALSE(shapeContains(Shape::Triangle, 0.5, -0.5));
  EXPECT_TRUE(shapeContains(Shape::Triangle, 0.95, 0.99));  // base corner
  EXPECT_TRUE(shapeContains(Shape::Star, 0, 0));
  EXPECT_TRUE(shapeContains(Shape::Star, 0, -0.97));  // top point
  EXPECT_FALSE(shapeContains(Shape::Star, 0, 0.95));  // between the two lower points
  EXPECT_FALSE(shapeContains(Shape::Star, 0.9, -0.9));
  // Each template reaches all four sides of its box.
  for (int s = 0; s < kShapeCount; ++s) {
    bool left = false, right = false, top = false, bottom = false;
    for (double t = -1; t <= 1; t += 0.001) {
      left |= shapeContains(Shape(s), -0.995, t);
      right |= shapeContains(Shape(s), 0.995, t);
      top |= shapeContains(Shape(s), t, -0.995);
      bottom |= shapeContains(Shape(s), t, 0.995);
    }
    EXPECT_TRUE(left && right && top && bottom) << shapeName(Shape(s));
  }
}

TEST(Render, PixelsOfObjectsAndBackground) {
  const Scene s = oneObject(Shape::Square, Colour::Red, 16, 0.5, 0.5, solid(Colour::Blue));
  const RgbImage image = render(s);
  ASSERT_EQ(image.width, 64);
  ASSERT_EQ(image.height, 64);
  ASSERT_EQ(image.pixels.size(), 64u * 64 * 3);
  const Rgb red = paletteRgb(Colour::Red), blue = paletteRgb(Colour::Blue);
  EXPECT_EQ(image.at(32, 32)[0], red.r);
  EXPECT_EQ(image.at(32, 32)[2], red.b);
  EXPECT_EQ(image.at(0, 0)[2], blue.b);
  EXPECT_EQ(image.at(63, 63)[0], blue.r);
  // The square spans x in [24, 40) exactly: sharp edges, nothing outside.
  EXPECT_EQ(image.at(24, 32)[0], red.r);
  EXPECT_EQ(image.at(39, 32)[0], red.r);
  EXPECT_EQ(image.at(23, 32)[0], blue.r);
  EXPECT_EQ(image.at(40, 32)[0], blue.r);
  EXPECT_EQ(render(s).pixels, image.pixels);
}

TEST(Render, AntiAliasedEdges) {
  const Scene s = oneObject(Shape::Circle, Colour::White, 15, 0.5, 0.5, solid(Colour::Black));
  const RgbImage image = render(s);
  int partial = 0, inside = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      const int v = image.at(x, y)[0];
      partial += v > 15 && v < 250;
      inside += v == 250;
    }
  EXPECT_GT(partial, 20);  // an edge ring of mixed pixels
  // Area: pi r^2 = 176.7 px; full pixels fewer than that, full + partial more.
  EXPECT_LT(inside, 177);
  EXPECT_GT(inside + partial, 177);
  EXPECT_NE(render(s, 64, 1).pixels, image.pixels);
}

TEST(Render, GradientEnds) {
  Background bg;
  bg.gradient = true;
  bg.from = Colour::Green;
  bg.to = Colour::Yellow;
  bg.direction = GradientDirection::LeftToRight;
  Scene s = oneObject(Shape::Star, Colour::Purple, 12, 0.5, 0.5, bg);
  ASSERT_NO_THROW(validateScene(s));
  const RgbImage image = render(s);
  const Rgb g = paletteRgb(Colour::Green), y = paletteRgb(Colour::Yellow);
  EXPECT_NEAR(image.at(0, 5)[0], g.r, 4);
  EXPECT_NEAR(image.at(63, 5)[0], y.r, 4);
  EXPECT_EQ(image.at(0, 5)[0], image.at(0, 60)[0]);  // constant along the other axis
  s.background.direction = GradientDirection::TopToBottom;
  const RgbImage vertical = render(s);
  EXPECT_NEAR(vertical.at(5, 0)[0], g.r, 4);
  EXPECT_NEAR(vertical.at(5, 63)[0], y.r, 4);
}

TEST(Render, OtherSizesAndErrors) {
  const Scene s = oneObject(Shape::Ring, Colour::Orange, 24, 0.5, 0.5, solid(Colour::Blue));
  const RgbImage big = render(s, 128);
  EXPECT_EQ(big.width, 128);
  const Rgb orange = paletteRgb(Colour::Orange), blue = paletteRgb(Colour::Blue);
  EXPECT_EQ(big.at(64, 64)[0], blue.r);         // the ring's hole
  EXPECT_EQ(big.at(64 + 18, 64)[0], orange.r);  // on the ring (radius 24 px)
  EXPECT_THROW(render(s, 4), std::invalid_argument);
  EXPECT_THROW(render(s, 64, 0), std::invalid_argument);
}

TEST(Render, PpmRoundTrip) {
  const RgbImage image =
      render(oneObject(Shape::Triangle, Colour::Green, 20, 0.4, 0.6, solid(Colour::White)));
  const std::vector<uint8_t> bytes = encodePpm(image);
  const RgbImage back = decodePpm(bytes);
  EXPECT_EQ(back.width, 64);
  EXPECT_EQ(back.pixels, image.pixels);
  std::string withComment = "P6\n# made by a test\n64 64\n255\n";
  std::vector<uint8_t> commented(withComment.begin(), withComment.end());
  commented.insert(commented.end(), image.pixels.begin(), image.pixels.end());
  EXPECT_EQ(decodePpm(commented).pixels, image.pixels);
  const std::string ascii = "P3\n1 1\n255\n0 0 0\n";
  EXPECT_THROW(decodePpm({ascii.begin(), ascii.end()}), std::invalid_argument);
  std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 1);
  EXPECT_THROW(decodePpm(truncated), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo::train
