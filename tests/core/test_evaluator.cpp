// The GenEval-style evaluator: its ceiling on real renders, its floor on shuffled pairs, and the
// single decisions (shape, colour, size, background, relation, count) it is built from.
#include "core/train/evaluator.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace lienzo::train {
namespace {

constexpr double kPx = 1.0 / kReferenceSide;
constexpr int kScenes = 600;

Background solid(Colour c, bool stated = true) {
  Background bg;
  bg.from = bg.to = c;
  bg.stated = stated;
  return bg;
}

PlacedObject placed(int group, Shape shape, double px, double cx, double cy) {
  PlacedObject o;
  o.group = group;
  o.cx = cx, o.cy = cy;
  o.width = px * kPx;
  o.height = o.width * (shape == Shape::Triangle ? 0.9 : shape == Shape::Star ? 0.95 : 1.0);
  return o;
}

ObjectGroup group(Shape shape, Colour colour, SizeClass size, int count = 1) {
  ObjectGroup g;
  g.shape = shape;
  g.colour = colour;
  g.size = size;
  g.count = count;
  return g;
}

Scene single(Shape shape, Colour colour, double px, double cx, double cy, Background bg) {
  Scene s;
  s.kind = SceneKind::Single;
  s.groups = {group(shape, colour, px >= kLargeMinPx ? SizeClass::Large : SizeClass::Small)};
  s.objects = {placed(0, shape, px, cx, cy)};
  s.background = bg;
  validateScene(s);
  return s;
}

Scene pair(SceneKind kind, ObjectGroup a, ObjectGroup b, double ax, double ay, double bx, double by,
           Relation relation = Relation::None) {
  Scene s;
  s.kind = kind;
  s.groups = {a, b};
  s.relation = relation;
  s.background = solid(Colour::White);
  const auto px = [](const ObjectGroup& g) { return g.size == SizeClass::Large ? 24.0 : 14.0; };
  s.objects = {placed(0, a.shape, px(a), ax, ay), placed(1, b.shape, px(b), bx, by)};
  validateScene(s);
  return s;
}

/// 3x3 binomial blur: the softness of a decoded or generated image.
RgbImage blurred(const RgbImage& in) {
  RgbImage out = in;
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x)
      for (int c = 0; c < 3; ++c) {
        double sum = 0, weight = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = std::clamp(x + dx, 0, in.width - 1);
            const int ny = std::clamp(y + dy, 0, in.height - 1);
            const double k = (dx ? 1 : 2) * (dy ? 1 : 2);
            sum += k * in.at(nx, ny)[c];
            weight += k;
          }
        out.at(x, y)[c] = uint8_t(std::lround(sum / weight));
      }
  return out;
}

class EvaluatorOnRenders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::mt19937_64 rng(2024);
    for (int i = 0; i < kScenes; ++i) {
      s_scenes.push_back(sampleScene(rng));
      s_images.push_back(render(s_scenes.back()));
      s_analyses.push_back(analyseImage(s_images.back()));
    }
  }
  static std::vector<Scene> s_scenes;
  static std::vector<RgbImage> s_images;
  static std::vector<SceneAnalysis> s_analyses;
};
std::vector<Scene> EvaluatorOnRenders::s_scenes;
std::vector<RgbImage> EvaluatorOnRenders::s_images;
std::vector<SceneAnalysis> EvaluatorOnRenders::s_analyses;

TEST_F(EvaluatorOnRenders, CeilingOnRealRenders) {
  EvalScorer scorer;
  for (int i = 0; i < kScenes; ++i) scorer.add(evaluate(s_analyses[i], s_scenes[i]));
  std::cout << scorer.report();
  for (int c = 0; c < kCategoryCount; ++c) {
    const EvalScorer::Tally& t = scorer.category(Category(c));
    EXPECT_GE(t.total, 50) << categoryName(Category(c));
    EXPECT_GE(t.score(), 0.97) << categoryName(Category(c));
  }
  EXPECT_GE(scorer.overall(), 0.97);
  EXPECT_GE(scorer.colourPresent().score(), 0.97);
  EXPECT_GE(scorer.shapePresent().score(), 0.97);
  EXPECT_GE(scorer.background().score(), 0.97);
  EXPECT_GE(scorer.background().total, 200);
  EXPECT_EQ(scorer.images(), kScenes);
}

TEST_F(EvaluatorOnRenders, ShuffledPairsScoreLow) {
  EvalScorer scorer;
  for (int i = 0; i < kScenes; ++i)
    scorer.add(evaluate(s_analyses[(i + 1) % kScenes], s_scenes[i]));
  std::cout << scorer.report();
  for (int c = 0; c < kCategoryCount; ++c)
    EXPECT_LT(scorer.category(Category(c)).score(), 0.3) << categoryName(Category(c));
  EXPECT_LT(scorer.overall(), 0.15);
}

TEST_F(EvaluatorOnRenders, BlurredRendersStillPass) {
  // The evaluator judges content, not sharpness: a blur like a VAE's costs (almost) nothing.
  EvalScorer scorer;
  for (int i = 0; i < 300; ++i) scorer.add(evaluate(blurred(s_images[i]), s_scenes[i]));
  for (int c = 0; c < kCategoryCount; ++c)
    EXPECT_GE(scorer.category(Category(c)).score(), 0.95) << categoryName(Category(c));
}

TEST_F(EvaluatorOnRenders, AnalysisFindsTheDrawnObjects) {
  for (int i = 0; i < 200; ++i) {
    const Scene& s = s_scenes[i];
    const SceneAnalysis& a = s_analyses[i];
    ASSERT_EQ(a.objects.size(), s.objects.size()) << sceneToJson(s).dump();
    for (const PlacedObject& o : s.objects) {
      // The nearest detected object has the drawn colour, shape, size and centre.
      const auto it = std::min_element(a.objects.begin(), a.objects.end(), [&](auto& p, auto& q) {
        return std::hypot(p.cx - o.cx, p.cy - o.cy) < std::hypot(q.cx - o.cx, q.cy - o.cy);
      });
      const ObjectGroup& g = s.groups[o.group];
      EXPECT_EQ(it->colour, g.colour);
      EXPECT_EQ(it->shape, g.shape);
      EXPECT_EQ(it->size, g.size);
      EXPECT_NEAR(it->cx, o.cx, 0.5 * kPx);
      EXPECT_NEAR(it->cy, o.cy, 0.5 * kPx);
      EXPECT_NEAR(it->width, o.width, 1.0 * kPx);
    }
  }
}

TEST(Evaluator, EveryShapeColourAndSize) {
  const Background backgrounds[] = {solid(Colour::White), solid(Colour::Black)};
  for (const Background& bg : backgrounds)
    for (int s = 0; s < kShapeCount; ++s)
      for (int c = 0; c < kColourCount; ++c) {
        if (Colour(c) == bg.from) continue;
        for (double px : {kSmallMinPx, kSmallMaxPx, kLargeMinPx, kLargeMaxPx}) {
          const Scene scene = single(Shape(s), Colour(c), px, 0.47, 0.53, bg);
          const SceneAnalysis a = analyseImage(render(scene));
          ASSERT_EQ(a.objects.size(), 1u);
          EXPECT_EQ(a.objects[0].shape, Shape(s)) << shapeName(Shape(s)) << " " << px;
          EXPECT_EQ(a.objects[0].colour, Colour(c));
          EXPECT_EQ(a.objects[0].size, scene.groups[0].size) << px;
          EXPECT_FALSE(a.background.gradient);
          EXPECT_EQ(a.background.from, bg.from);
        }
      }
}

TEST(Evaluator, SingleObjectDecisions) {
  const Scene asked = single(Shape::Circle, Colour::Red, 14, 0.5, 0.5, solid(Colour::Blue));
  const RgbImage image = render(asked);
  const EvalResult r = evaluate(image, asked);
  EXPECT_EQ(r[Category::SingleObject], true);
  EXPECT_EQ(r[Category::Colours], true);
  EXPECT_FALSE(r[Category::Counting].has_value());
  EXPECT_FALSE(r[Category::Position].has_value());
  EXPECT_EQ(r.background, true);
  EXPECT_EQ(r.colourPresent, true);
  EXPECT_TRUE(r.shapePresent);

  Scene wrongShape = asked;
  wrongShape.groups[0].shape = Shape::Square;
  EXPECT_EQ(evaluate(image, wrongShape)[Category::SingleObject], false);
  EXPECT_EQ(evaluate(image, wrongShape)[Category::Colours], true);  // colour only
  Scene wrongColour = asked;
  wrongColour.groups[0].colour = Colour::Green;
  EXPECT_EQ(evaluate(image, wrongColour)[Category::SingleObject], false);
  EXPECT_EQ(evaluate(image, wrongColour)[Category::Colours], false);
  EXPECT_EQ(evaluate(image, wrongColour).colourPresent, false);
  Scene wrongSize = asked;
  wrongSize.groups[0].size = SizeClass::Large;
  EXPECT_EQ(evaluate(image, wrongSize)[Category::SingleObject], true);  // size not stated
  wrongSize.groups[0].sizeStated = true;
  EXPECT_EQ(evaluate(image, wrongSize)[Category::SingleObject], false);
  Scene wrongBackground = asked;
  wrongBackground.background = solid(Colour::Black);
  EXPECT_EQ(evaluate(image, wrongBackground).background, false);
  wrongBackground.background.stated = false;
  EXPECT_FALSE(evaluate(image, wrongBackground).background.has_value());

  // Two objects where one was asked: not a single object.
  Scene two = asked;
  two.groups[0].count = 2;
  two.kind = SceneKind::Counting;
  two.objects.push_back(placed(0, Shape::Circle, 14, 0.2, 0.2));
  EXPECT_EQ(evaluate(render(two), asked)[Category::SingleObject], false);
}

TEST(Evaluator, EmptyImageFailsEverything) {
  std::mt19937_64 rng(3);
  Scene drawn;  // a background only (render() does not need groups)
  drawn.background = sampleScene(rng).background;
  const RgbImage image = render(drawn);
  for (int i = 0; i < 50; ++i) {
    const Scene asked = sampleScene(rng);
    const EvalResult r = evaluate(image, asked);
    for (Category c : exercisedCategories(asked)) EXPECT_EQ(r[c], false) << categoryName(c);
    EXPECT_FALSE(r.shapePresent);
    EXPECT_TRUE(analyseImage(image).objects.empty());
  }
}

TEST(Evaluator, CountingIsExact) {
  Scene s;
  s.kind = SceneKind::Counting;
  s.groups = {group(Shape::Star, Colour::Yellow, SizeClass::Small, 3)};
  s.background = solid(Colour::Blue);
  s.objects = {placed(0, Shape::Star, 14, 0.2, 0.2), placed(0, Shape::Star, 14, 0.7, 0.3),
               placed(0, Shape::Star, 14, 0.4, 0.75)};
  validateScene(s);
  const RgbImage image = render(s);
  EXPECT_EQ(evaluate(image, s)[Category::Counting], true);
  for (int n : {1, 2, 4}) {
    Scene other = s;
    other.groups[0].count = n;
    EXPECT_EQ(evaluate(image, other)[Category::Counting], false) << n;
  }
  Scene otherColour = s;
  otherColour.groups[0].colour = Colour::Red;
  EXPECT_EQ(evaluate(image, otherColour)[Category::Counting], false);
  otherColour.groups[0].colourStated = false;  // "three stars"
  EXPECT_EQ(evaluate(image, otherColour)[Category::Counting], true);
  Scene otherShape = s;
  otherShape.groups[0].shape = Shape::Triangle;
  EXPECT_EQ(evaluate(image, otherShape)[Category::Counting], false);
}

TEST(Evaluator, RelationsAndRegions) {
  const ObjectGroup red = group(Shape::Circle, Colour::Red, SizeClass::Small);
  const ObjectGroup blue = group(Shape::Square, Colour::Blue, SizeClass::Small);
  const Scene left =
      pair(SceneKind::Positional, red, blue, 0.25, 0.5, 0.75, 0.55, Relation::LeftOf);
  const RgbImage image = render(left);
  EXPECT_EQ(evaluate(image, left)[Category::Position], true);
  EXPECT_EQ(evaluate(image, left)[Category::ColourAttribution], true);
  for (Relation wrong : {Relation::RightOf, Relation::Above, Relation::Below}) {
    Scene asked = left;
    asked.relation = wrong;
    EXPECT_EQ(evaluate(image, asked)[Category::Position], false) << relationName(wrong);
  }
  Scene swapped = left;  // "blue square left of red circle"
  std::swap(swapped.groups[0], swapped.groups[1]);
  EXPECT_EQ(evaluate(image, swapped)[Category::Position], false);
  swapped.relation = Relation::RightOf;
  EXPECT_EQ(evaluate(image, swapped)[Category::Position], true);

  const Scene above =
      pair(SceneKind::Positional, red, blue, 0.5, 0.25, 0.45, 0.75, Relation::Above);
  EXPECT_EQ(evaluate(render(above), above)[Category::Position], true);
  Scene below = above;
  below.relation = Relation::Below;
  EXPECT_EQ(evaluate(render(above), below)[Category::Position], false);

  const Region regions[] = {Region::Left, Region::Right, Region::Top, Region::Bottom,
                            Region::Centre};
  const double at[][2] = {{0.25, 0.5}, {0.75, 0.5}, {0.5, 0.25}, {0.5, 0.75}, {0.5, 0.5}};
  for (int drawn = 0; drawn < 5; ++drawn) {
    Scene s =
        single(Shape::Star, Colour::Green, 14, at[drawn][0], at[drawn][1], solid(Colour::White));
    const RgbImage img = render(s);
    for (int asked = 0; asked < 5; ++asked) {
      s.groups[0].region = regions[asked];
      EXPECT_EQ(evaluate(img, s)[Category::Position], drawn == asked)
          << regionName(regions[drawn]) << " asked " << regionName(regions[asked]);
    }
  }
}

TEST(Evaluator, ColourAttributionNeedsTheRightPairs) {
  const ObjectGroup redCircle = group(Shape::Circle, Colour::Red, SizeClass::Large);
  const ObjectGroup blueSquare = group(Shape::Square, Colour::Blue, SizeClass::Small);
  const Scene s = pair(SceneKind::ColourAttribution, redCircle, blueSquare, 0.3, 0.4, 0.75, 0.7);
  const RgbImage image = render(s);
  EvalResult r = evaluate(image, s);
  EXPECT_EQ(r[Category::ColourAttribution], true);
  EXPECT_EQ(r[Category::TwoObjects], true);
  Scene swapped = s;  // "a blue circle and a red square"
  std::swap(swapped.groups[0].colour, swapped.groups[1].colour);
  r = evaluate(image, swapped);
  EXPECT_EQ(r[Category::ColourAttribution], false);
  EXPECT_EQ(r[Category::TwoObjects], true);  // shapes only
  EXPECT_EQ(r.colourPresent, true);          // both colours are there
  Scene otherShape = s;
  otherShape.groups[1].shape = Shape::Ring;
  EXPECT_EQ(evaluate(image, otherShape)[Category::TwoObjects], false);
  EXPECT_FALSE(evaluate(image, otherShape).shapePresent);
}

TEST(Evaluator, GradientBackgrounds) {
  for (int d = 0; d < 4; ++d) {
    Background bg;
    bg.gradient = true;
    bg.from = Colour::Green;
    bg.to = Colour::Yellow;
    bg.direction = GradientDirection(d);
    bg.stated = true;
    const Scene s = single(Shape::Ring, Colour::Purple, 24, 0.5, 0.5, bg);
    const RgbImage image = render(s);
    const EvalResult r = evaluate(image, s);
    EXPECT_EQ(r.background, true) << gradientDirectionName(bg.direction);
    EXPECT_EQ(r[Category::SingleObject], true);
    Scene reversed = s;  // "from yellow to green": either order
    std::swap(reversed.background.from, reversed.background.to);
    EXPECT_EQ(evaluate(image, reversed).background, true);
    Scene solidAsked = s;
    solidAsked.background = solid(Colour::Green);
    EXPECT_EQ(evaluate(image, solidAsked).background, false);
    Scene otherEnd = s;
    otherEnd.background.to = Colour::Blue;
    EXPECT_EQ(evaluate(image, otherEnd).background, false);
  }
}

TEST(Evaluator, OtherImageSizes) {
  std::mt19937_64 rng(12);
  EvalScorer scorer;
  for (int i = 0; i < 60; ++i) {
    const Scene s = sampleScene(rng);
    scorer.add(evaluate(render(s, 128), s));
  }
  for (int c = 0; c < kCategoryCount; ++c)
    if (scorer.category(Category(c)).total > 0) {
      EXPECT_GE(scorer.category(Category(c)).score(), 0.95) << categoryName(Category(c));
    }
}

TEST(Evaluator, ExercisedCategories) {
  using V = std::vector<Category>;
  Scene s;
  s.groups = {group(Shape::Star, Colour::Red, SizeClass::Small)};
  EXPECT_EQ(exercisedCategories(s), (V{Category::SingleObject, Category::Colours}));
  s.groups[0].region = Region::Top;
  EXPECT_EQ(exercisedCategories(s),
            (V{Category::SingleObject, Category::Colours, Category::Position}));
  s.kind = SceneKind::Counting;
  s.groups[0].region = Region::None;
  EXPECT_EQ(exercisedCategories(s), (V{Category::Counting}));
  s.kind = SceneKind::TwoObjects;
  s.groups.push_back(group(Shape::Ring, Colour::Blue, SizeClass::Small));
  s.groups[0].colourStated = s.groups[1].colourStated = false;
  EXPECT_EQ(exercisedCategories(s), (V{Category::TwoObjects}));
  s.groups[0].colourStated = s.groups[1].colourStated = true;
  EXPECT_EQ(exercisedCategories(s), (V{Category::TwoObjects, Category::ColourAttribution}));
  s.kind = SceneKind::Positional;
  s.relation = Relation::Above;
  EXPECT_EQ(exercisedCategories(s), (V{Category::Position, Category::ColourAttribution}));
  s.groups[1].colour = Colour::Red;  // same colours: nothing to attribute
  EXPECT_EQ(exercisedCategories(s), (V{Category::Position}));
}

TEST(Evaluator, ScorerMeansCategories) {
  EvalScorer scorer;
  EXPECT_EQ(scorer.overall(), 0.0);
  EvalResult a, b;
  a.categories[int(Category::SingleObject)] = true;
  a.categories[int(Category::Colours)] = true;
  b.categories[int(Category::SingleObject)] = false;
  b.categories[int(Category::Colours)] = true;
  b.background = false;
  scorer.add(a);
  scorer.add(b);
  EXPECT_DOUBLE_EQ(scorer.category(Category::SingleObject).score(), 0.5);
  EXPECT_DOUBLE_EQ(scorer.category(Category::Colours).score(), 1.0);
  EXPECT_EQ(scorer.category(Category::Counting).total, 0);
  EXPECT_DOUBLE_EQ(scorer.overall(), 0.75);  // mean over the exercised categories only
  EXPECT_EQ(scorer.background().total, 1);
  const nlohmann::json j = scorer.toJson();
  EXPECT_DOUBLE_EQ(j["overall"].get<double>(), 0.75);
  EXPECT_EQ(j["categories"]["single_object"]["passed"], 1);
  EXPECT_FALSE(j["categories"].contains("counting"));
  EXPECT_NE(scorer.report().find("single_object"), std::string::npos);
}

TEST(Evaluator, Errors) {
  Scene bad;
  RgbImage image;
  image.width = image.height = 64;
  image.pixels.assign(64 * 64 * 3, 0);
  EXPECT_THROW(evaluate(image, bad), std::invalid_argument);  // no groups
  const Scene ok = single(Shape::Circle, Colour::Red, 14, 0.5, 0.5, solid(Colour::Blue));
  image.pixels.pop_back();
  EXPECT_THROW(evaluate(image, ok), std::invalid_argument);
  image.width = image.height = 4;
  image.pixels.assign(4 * 4 * 3, 0);
  EXPECT_THROW(evaluate(image, ok), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo::train
