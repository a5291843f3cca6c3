// GenEval-style judging of an image against the scene it was asked to show (`lienzo eval`), by
// segmentation and shape measurement (scene_analysis.h), no neural network.
//
// Ref: GenEval (Ghosh et al. 2023, djghosh13/geneval evaluation/evaluate_images.py and
// summary_scores.py): one tag per prompt family, per-tag accuracy, overall = mean of the tags.
// Here the detector is replaced by scene_analysis.h and the families by SceneKind.
//
// Categories and the scenes that exercise them (evaluate() fills only those):
// - SingleObject  (Single scenes): exactly one object is found and it has the asked shape and
//                 colour (and size when the caption states it).
// - Colours       (Single scenes stating the colour): at least one object, and every object has
//                 the asked colour (shape ignored).
// - TwoObjects    (TwoObjects and ColourAttribution scenes): both asked shapes are found, as two
//                 different objects (colours and sizes ignored, like GenEval's "two object").
// - Counting      (Counting scenes): exactly N objects have the asked shape, and each has the
//                 stated colour/size.
// - Position      (a stated relation or region): the asked objects (shape + stated colour/size)
//                 are found and their box centres are in the stated relation (main-axis centre
//                 distance > kRelationMargin of the side) or region (left: cx < 0.42, right:
//                 cx > 0.58, top: cy < 0.42, bottom: cy > 0.58, centre: both within 0.5 +- 0.1).
// - ColourAttribution (two groups whose different colours are both stated): an object of shape A
//                 in colour A and a different one of shape B in colour B are found.
// Lenient checks for early training, separate from the categories: every stated colour is among
// the objects' colours; every asked shape is among the objects' shapes; the stated background
// (solid colour, or a gradient's two colours in either order) is right.
// The overall score is the mean of the per-category accuracies (GenEval), over categories that
// were exercised at least once.
//
// Thread-safety: evaluate() shares no state; an EvalScorer is a plain value (not synchronised).
#pragma once

#include "core/train/scene.h"
#include "core/train/scene_analysis.h"
#include "core/train/scene_render.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace lienzo::train {

enum class Category : uint8_t {
  SingleObject,
  TwoObjects,
  Counting,
  Colours,
  Position,
  ColourAttribution
};
inline constexpr int kCategoryCount = 6;
/// Relation margin: centres must differ by more than this fraction of the side.
inline constexpr double kRelationMargin = 0.08;

/// "single_object", "two_objects", "counting", "colours", "position", "colour_attribution".
const char* categoryName(Category category);

struct EvalResult {
  /// Pass/fail per category; empty for categories the scene does not exercise.
  std::array<std::optional<bool>, kCategoryCount> categories;
  std::optional<bool> colourPresent;  ///< empty when no colour is stated
  bool shapePresent = false;
  std::optional<bool> background;  ///< empty when the background is not stated
  SceneAnalysis analysis;          ///< what was found (for reports and debugging)

  const std::optional<bool>& operator[](Category c) const {
    return categories[static_cast<int>(c)];
  }
};

/// The categories `asked` exercises (see the table above).
std::vector<Category> exercisedCategories(const Scene& asked);

/// Judges `image` against `asked` (only its spec: groups, relation, background; the placements
/// are ignored). std::invalid_argument for an invalid spec or a malformed image.
EvalResult evaluate(const RgbImage& image, const Scene& asked);
EvalResult evaluate(const SceneAnalysis& analysis, const Scene& asked);

/// Accumulates results: per-category and lenient accuracies and the GenEval overall mean.
class EvalScorer {
 public:
  struct Tally {
    int passed = 0, total = 0;
    double score() const { return total ? double(passed) / total : 0.0; }
  };

  void add(const EvalResult& result);
  const Tally& category(Category c) const { return m_categories[static_cast<int>(c)]; }
  const Tally& colourPresent() const { return m_colourPresent; }
  const Tally& shapePresent() const { return m_shapePresent; }
  const Tally& background() const { return m_background; }
  int images() const { return m_images; }
  /// Mean of the category scores over categories with total > 0 (0 when none).
  double overall() const;
  /// A small table: one line per category, the lenient checks and the overall mean.
  std::string report() const;
  nlohmann::json toJson() const;

 private:
  std::array<Tally, kCategoryCount> m_categories{};
  Tally m_colourPresent, m_shapePresent, m_background;
  int m_images = 0;
};

}  // namespace lienzo::train
