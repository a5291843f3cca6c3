#include "core/train/evaluator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace lienzo::train {
namespace {

// Region bands for judging (normalised centre); wider than the sampler's (scene.cpp) so that a
// clearly placed object passes and a central one does not.
constexpr double kRegionSide = 0.42;   // left: cx < 0.42, right: cx > 0.58, top/bottom alike
constexpr double kRegionCentre = 0.1;  // centre: both axes within 0.5 +- 0.1

constexpr const char* kCategoryNames[] = {"single_object", "two_objects", "counting",
                                          "colours",       "position",    "colour_attribution"};

bool matches(const DetectedObject& o, const ObjectGroup& g, bool checkColour) {
  return o.shape == g.shape && (!checkColour || o.colour == g.colour) &&
         (!g.sizeStated || o.size == g.size);
}

bool matchesStated(const DetectedObject& o, const ObjectGroup& g) {
  return matches(o, g, g.colourStated);
}

bool inRegion(const DetectedObject& o, Region region) {
  switch (region) {
    case Region::None:
      return true;
    case Region::Left:
      return o.cx < kRegionSide;
    case Region::Right:
      return o.cx > 1 - kRegionSide;
    case Region::Top:
      return o.cy < kRegionSide;
    case Region::Bottom:
      return o.cy > 1 - kRegionSide;
    case Region::Centre:
      return std::abs(o.cx - 0.5) < kRegionCentre && std::abs(o.cy - 0.5) < kRegionCentre;
  }
  return false;
}

bool inRelation(const DetectedObject& a, const DetectedObject& b, Relation relation) {
  switch (relation) {
    case Relation::None:
      return true;
    case Relation::LeftOf:
      return b.cx - a.cx > kRelationMargin;
    case Relation::RightOf:
      return a.cx - b.cx > kRelationMargin;
    case Relation::Above:
      return b.cy - a.cy > kRelationMargin;
    case Relation::Below:
      return a.cy - b.cy > kRelationMargin;
  }
  return false;
}

/// Whether two different objects i != j satisfy matchA(i), matchB(j) and pair(i, j).
template <typename A, typename B, typename P>
bool existsPair(const std::vector<DetectedObject>& objects, A matchA, B matchB, P pair) {
  for (size_t i = 0; i < objects.size(); ++i) {
    if (!matchA(objects[i])) continue;
    for (size_t j = 0; j < objects.size(); ++j)
      if (j != i && matchB(objects[j]) && pair(objects[i], objects[j])) return true;
  }
  return false;
}

bool twoGroupsWithColours(const Scene& s) {
  return s.groups.size() == 2 && s.groups[0].colourStated && s.groups[1].colourStated &&
         s.groups[0].colour != s.groups[1].colour;
}

}  // namespace

const char* categoryName(Category c) {
  return kCategoryNames[static_cast<int>(c)];
}

std::vector<Category> exercisedCategories(const Scene& asked) {
  std::vector<Category> out;
  if (asked.kind == SceneKind::Single) {
    out.push_back(Category::SingleObject);
    if (asked.groups.front().colourStated) out.push_back(Category::Colours);
  }
  if (asked.kind == SceneKind::TwoObjects || asked.kind == SceneKind::ColourAttribution)
    out.push_back(Category::TwoObjects);
  if (asked.kind == SceneKind::Counting) out.push_back(Category::Counting);
  bool positional = asked.relation != Relation::None;
  for (const ObjectGroup& g : asked.groups) positional |= g.region != Region::None;
  if (positional) out.push_back(Category::Position);
  if (twoGroupsWithColours(asked)) out.push_back(Category::ColourAttribution);
  return out;
}

EvalResult evaluate(const RgbImage& image, const Scene& asked) {
  validateSpec(asked);
  return evaluate(analyseImage(image), asked);
}

EvalResult evaluate(const SceneAnalysis& analysis, const Scene& asked) {
  validateSpec(asked);
  EvalResult result;
  result.analysis = analysis;
  const std::vector<DetectedObject>& objs = analysis.objects;
  const ObjectGroup& a = asked.groups.front();
  const ObjectGroup* b = asked.groups.size() > 1 ? &asked.groups[1] : nullptr;
  auto shapeIs = [](Shape s) { return [s](const DetectedObject& o) { return o.shape == s; }; };
  auto stated = [](const ObjectGroup& g) {
    return [&g](const DetectedObject& o) { return matchesStated(o, g); };
  };
  auto withColour = [](const ObjectGroup& g) {
    return [&g](const DetectedObject& o) { return matches(o, g, true); };
  };
  auto any = [](const DetectedObject&, const DetectedObject&) { return true; };

  for (Category c : exercisedCategories(asked)) {
    bool pass = false;
    switch (c) {
      case Category::SingleObject:
        pass = objs.size() == 1 && matches(objs.front(), a, true);
        break;
      case Category::Colours:
        pass = !objs.empty();
        for (const DetectedObject& o : objs) pass = pass && o.colour == a.colour;
        break;
      case Category::TwoObjects:
        pass = b && existsPair(objs, shapeIs(a.shape), shapeIs(b->shape), any);
        break;
      case Category::Counting: {
        int n = 0;
        pass = true;
        for (const DetectedObject& o : objs)
          if (o.shape == a.shape) {
            ++n;
            pass = pass && matchesStated(o, a);
          }
        pass = pass && n == a.count;
        break;
      }
      case Category::Position:
        if (asked.relation != Relation::None && b) {
          pass = existsPair(objs, stated(a), stated(*b),
                            [&](const DetectedObject& x, const DetectedObject& y) {
                              return inRelation(x, y, asked.relation);
                            });
        } else {
          for (const DetectedObject& o : objs)
            pass = pass || (matchesStated(o, a) && inRegion(o, a.region));
        }
        break;
      case Category::ColourAttribution:
        pass = b && existsPair(objs, withColour(a), withColour(*b), any);
        break;
    }
    result.categories[static_cast<int>(c)] = pass;
  }

  // Lenient checks.
  bool anyColour = false, coloursFound = true, shapesFound = true;
  for (const ObjectGroup& g : asked.groups) {
    bool colourSeen = false, shapeSeen = false;
    for (const DetectedObject& o : objs) {
      colourSeen |= o.colour == g.colour;
      shapeSeen |= o.shape == g.shape;
    }
    if (g.colourStated) {
      anyColour = true;
      coloursFound = coloursFound && colourSeen;
    }
    shapesFound = shapesFound && shapeSeen;
  }
  if (anyColour) result.colourPresent = coloursFound;
  result.shapePresent = shapesFound;
  const Background& want = asked.background;
  if (want.stated) {
    const DetectedBackground& got = analysis.background;
    if (!want.gradient)
      result.background = !got.gradient && got.from == want.from;
    else
      result.background = got.gradient && ((got.from == want.from && got.to == want.to) ||
                                           (got.from == want.to && got.to == want.from));
  }
  return result;
}

// ---- scorer ------------------------------------------------------------------------------------

void EvalScorer::add(const EvalResult& result) {
  ++m_images;
  for (int c = 0; c < kCategoryCount; ++c)
    if (result.categories[c]) {
      ++m_categories[c].total;
      m_categories[c].passed += *result.categories[c] ? 1 : 0;
    }
  auto tally = [](Tally& t, bool pass) {
    ++t.total;
    t.passed += pass ? 1 : 0;
  };
  if (result.colourPresent) tally(m_colourPresent, *result.colourPresent);
  tally(m_shapePresent, result.shapePresent);
  if (result.background) tally(m_background, *result.background);
}

double EvalScorer::overall() const {
  double sum = 0;
  int n = 0;
  for (const Tally& t : m_categories)
    if (t.total > 0) {
      sum += t.score();
      ++n;
    }
  return n ? sum / n : 0.0;
}

std::string EvalScorer::report() const {
  std::string out;
  char line[128];
  auto row = [&](const char* name, const Tally& t) {
    std::snprintf(line, sizeof line, "  %-20s %6.3f  %5d / %d\n", name, t.score(), t.passed,
                  t.total);
    out += line;
  };
  std::snprintf(line, sizeof line, "%d images\n", m_images);
  out += line;
  for (int c = 0; c < kCategoryCount; ++c)
    if (m_categories[c].total > 0) row(kCategoryNames[c], m_categories[c]);
  std::snprintf(line, sizeof line, "  %-20s %6.3f\n", "overall", overall());
  out += line;
  out += "lenient:\n";
  row("colour_present", m_colourPresent);
  row("shape_present", m_shapePresent);
  row("background", m_background);
  return out;
}

nlohmann::json EvalScorer::toJson() const {
  auto tally = [](const Tally& t) {
    return nlohmann::json{{"score", t.score()}, {"passed", t.passed}, {"total", t.total}};
  };
  nlohmann::json categories = nlohmann::json::object();
  for (int c = 0; c < kCategoryCount; ++c)
    if (m_categories[c].total > 0) categories[kCategoryNames[c]] = tally(m_categories[c]);
  return {{"images", m_images},
          {"overall", overall()},
          {"categories", categories},
          {"lenient",
           {{"colour_present", tally(m_colourPresent)},
            {"shape_present", tally(m_shapePresent)},
            {"background", tally(m_background)}}}};
}

}  // namespace lienzo::train
