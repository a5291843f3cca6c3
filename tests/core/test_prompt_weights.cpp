// A1111 emphasis on text-encoder output (label unit), with hand-computed expectations.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "core/text/prompt_weights.h"
#include "support/tensor_compare.h"

namespace {

using lienzo::applyPromptWeights;
using lienzo::EmphasisMode;

at::Tensor tensor(std::vector<float> values, at::IntArrayRef shape) {
  return at::tensor(values, at::kFloat).reshape(shape).clone();
}

TEST(PromptWeights, OriginalRestoresTheMean) {
  // hidden [1,2,2] = [[1,2],[3,4]], weights [2,1]:
  // z = [[2,4],[3,4]], mean(hidden) = 2.5, mean(z) = 3.25, z *= 2.5 / 3.25.
  const at::Tensor hidden = tensor({1, 2, 3, 4}, {1, 2, 2});
  const at::Tensor weights = tensor({2, 1}, {1, 2});
  const at::Tensor out = applyPromptWeights(hidden, weights);
  const float s = 2.5f / 3.25f;
  lienzo::testing::expectAllClose(out, tensor({2 * s, 4 * s, 3 * s, 4 * s}, {1, 2, 2}), 1e-6, 1e-6,
                                  "original");
  EXPECT_NEAR(out.mean().item<float>(), 2.5f, 1e-6);
}

TEST(PromptWeights, EachChunkIsNormalisedOnItsOwn) {
  // Chunk 0 as above; chunk 1 = [[1,1],[1,1]] with weights [1,3]: z = [[1,1],[3,3]],
  // mean 1 -> 2, scale 0.5.
  const at::Tensor hidden = tensor({1, 2, 3, 4, 1, 1, 1, 1}, {2, 2, 2});
  const at::Tensor weights = tensor({2, 1, 1, 3}, {2, 2});
  const at::Tensor out = applyPromptWeights(hidden, weights);
  const float s = 2.5f / 3.25f;
  lienzo::testing::expectAllClose(
      out, tensor({2 * s, 4 * s, 3 * s, 4 * s, 0.5f, 0.5f, 1.5f, 1.5f}, {2, 2, 2}), 1e-6, 1e-6,
      "per chunk");
}

TEST(PromptWeights, NoNormAndIgnore) {
  const at::Tensor hidden = tensor({1, 2, 3, 4}, {1, 2, 2});
  const at::Tensor weights = tensor({2, 0.5f}, {1, 2});
  lienzo::testing::expectTensorEqual(applyPromptWeights(hidden, weights, EmphasisMode::NoNorm),
                                     tensor({2, 4, 1.5f, 2}, {1, 2, 2}), "no norm");
  lienzo::testing::expectTensorEqual(applyPromptWeights(hidden, weights, EmphasisMode::Ignore),
                                     hidden, "ignore");
}

TEST(PromptWeights, UnitWeightsKeepTheValues) {
  const at::Tensor hidden = at::randn({2, 77, 8}, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor out = applyPromptWeights(hidden, at::ones({2, 77}));
  lienzo::testing::expectAllClose(out, hidden, 1e-6, 1e-5, "unit weights");
}

TEST(PromptWeights, ZeroWeightedMeanDoesNotProduceNaN) {
  // z = [[1],[-1]] has mean 0: the rescale is skipped instead of dividing by zero.
  const at::Tensor hidden = tensor({1, -1}, {1, 2, 1});
  const at::Tensor out = applyPromptWeights(hidden, tensor({1, 1}, {1, 2}));
  EXPECT_FALSE(at::isnan(out).any().item<bool>());
  lienzo::testing::expectTensorEqual(out, hidden, "zero mean");
}

TEST(PromptWeights, KeepsTheInputDtype) {
  const at::Tensor hidden = tensor({1, 2, 3, 4}, {1, 2, 2}).to(at::kHalf);
  const at::Tensor out = applyPromptWeights(hidden, tensor({2, 1}, {1, 2}));
  EXPECT_EQ(out.scalar_type(), at::kHalf);
  const float s = 2.5f / 3.25f;
  lienzo::testing::expectAllClose(
      out.to(at::kFloat), tensor({2 * s, 4 * s, 3 * s, 4 * s}, {1, 2, 2}), 1e-2, 1e-3, "half");
}

TEST(PromptWeights, ShapeMismatchThrows) {
  EXPECT_THROW(applyPromptWeights(at::zeros({2, 77, 8}), at::ones({1, 77})), std::invalid_argument);
  EXPECT_THROW(applyPromptWeights(at::zeros({77, 8}), at::ones({77})), std::invalid_argument);
}

}  // namespace
