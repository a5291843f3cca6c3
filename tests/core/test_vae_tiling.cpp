// Tiled VAE decode / encode (core/model/vae_tiling.h) with the tiny SD1 VAE of the fixtures:
// identical to untiled when one tile covers, bounded error and no visible seam when several do,
// shapes, bad input, the tile layout and the automatic-tiling rule. Sizes come from the file.
//
// Error bounds: the fixture's VAE has random weights and 32 GroupNorm groups of one channel each,
// which makes it far more sensitive to its context than a trained VAE: decoding a 16-latent crop
// alone already differs from the same region of the full decode by 0.47 σ (mean |Δ| over the
// output's std). So the machinery is checked exactly instead (every output pixel is the
// smootherstep blend of the tiles' own decodes, as the header states), and the error against
// untiled only loosely: measured mean |Δ| / σ = 0.54 (decode) and 0.56 (encode mean) with the
// test's 16-latent tiles; kMeanRelTol leaves ~1.4x headroom. Realistic figures (trained built-in
// VAE, SD-1.5-shaped VAE) are in docs/performance.md, from `lienzo bench --vae-tiling error`.
#include "core/model/vae_tiling.h"

#include "core/io/safetensors.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using lienzo::AutoencoderKL;
using lienzo::SafetensorsFile;
using lienzo::VaeConfig;
using lienzo::VaeTileOptions;
namespace lt = lienzo::testing;

const char* kCheckpoint = "sd1/tiny-sd1.safetensors";
constexpr double kMeanRelTol = 0.75;  // mean |tiled - untiled| / σ; see the file comment
constexpr double kBlendTol = 1e-5;    // float32 blend of the tiles' outputs vs the same in double
constexpr double kSeamRatio = 1.25;   // boundary gradient / median gradient (no seam ≈ 1)

AutoencoderKL loadTinyVae() {
  const auto file = SafetensorsFile::open(lt::fixturePath(kCheckpoint));
  const auto prefix = lt::readJsonFixture("sd1/tiny-sd1.config.json")
                          .at("checkpoint_prefixes")
                          .at("vae")
                          .get<std::string>();
  return lienzo::loadAutoencoderKL(file, prefix, at::kFloat);
}

/// Small tiles so that a small picture needs several (the tiny VAE is cheap, but not free).
VaeTileOptions testOptions() {
  VaeTileOptions o;
  o.tileLatent = 16;
  o.overlapLatent = 6;
  o.blendLatent = 4;
  return o;
}

/// A smooth picture [1,C,H,W] in [-1,1]: waves and a soft disc (edges and gradients to blend).
at::Tensor smoothPicture(int64_t channels, int64_t height, int64_t width) {
  const auto y = at::linspace(0, 1, height).view({1, 1, height, 1});
  const auto x = at::linspace(0, 1, width).view({1, 1, 1, width});
  std::vector<at::Tensor> planes;
  for (int64_t c = 0; c < channels; ++c) {
    const double k = 3.0 + 2.0 * c;
    auto plane = at::sin(x * k + y * (7.0 - c)) * 0.6;
    plane = plane + at::sigmoid((0.09 - (x - 0.4).pow(2) - (y - 0.55).pow(2)) * 80.0) * 0.4;
    planes.push_back(plane);
  }
  return at::cat(planes, 1).clamp(-1.0, 1.0);
}

/// A realistic VAE-space latent: the posterior mean of a smooth picture.
at::Tensor latentOf(AutoencoderKL& vae, int64_t h, int64_t w) {
  const VaeConfig& c = vae->config();
  const int64_t f = c.downscaleFactor();
  return vae->encode(smoothPicture(c.inChannels, h * f, w * f)).mean.contiguous();
}

/// mean |a - b| / std(b).
double meanRelError(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().mean().item<double>() / b.std().item<double>();
}

/// The header's blend weight of the later of two tiles meeting at `cut` (output pixels) with a
/// cross-fade `width` wide, at output pixel p: smootherstep across the fade, 0 before, 1 after.
double laterTileWeight(int64_t p, double cut, double width) {
  const double t = std::clamp((p + 0.5 - (cut - width / 2)) / width, 0.0, 1.0);
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/// 1-D weights of tile i (start starts[i], side `side`) over its side * f output pixels.
at::Tensor tileWeights(const std::vector<int64_t>& starts, std::size_t i, int64_t side, int64_t f,
                       double width) {
  std::vector<double> w;
  for (int64_t j = 0; j < side * f; ++j) {
    const int64_t p = starts[i] * f + j;
    double v = 1.0;
    if (i > 0) v *= laterTileWeight(p, (starts[i] + starts[i - 1] + side) * f / 2.0, width);
    if (i + 1 < starts.size()) {
      v *= 1.0 - laterTileWeight(p, (starts[i + 1] + starts[i] + side) * f / 2.0, width);
    }
    w.push_back(v);
  }
  return at::tensor(w, at::kDouble);
}

/// Mean |horizontal difference| per column boundary: [W-1], averaged over batch, channels, rows.
at::Tensor columnGradient(const at::Tensor& img) {
  return (img.slice(3, 1) - img.slice(3, 0, -1)).abs().mean({0, 1, 2});
}

/// Output columns (image pixels) where neighbouring tiles hand over: the middle of each overlap.
std::vector<int64_t> cutColumns(int64_t latentW, const VaeTileOptions& o, int64_t f) {
  const auto starts = lienzo::vaeTileStarts(latentW, o);
  std::vector<int64_t> cuts;
  for (std::size_t i = 1; i < starts.size(); ++i) {
    cuts.push_back((starts[i] + starts[i - 1] + o.tileLatent) * f / 2);
  }
  return cuts;
}

/// Largest column gradient within ±blend/2 of any cut, over the median column gradient.
double seamRatio(const at::Tensor& img, const std::vector<int64_t>& cuts, int64_t halfWindow) {
  const auto g = columnGradient(img.to(at::kFloat));
  const double median = g.median().item<double>();
  double worst = 0.0;
  for (int64_t c : cuts) {
    const int64_t lo = std::max<int64_t>(c - 1 - halfWindow, 0);
    const int64_t hi = std::min<int64_t>(c + halfWindow, g.size(0));
    worst = std::max(worst, g.slice(0, lo, hi).max().item<double>());
  }
  return worst / median;
}

TEST(VaeTiling, OneTileIsIdenticalToUntiled) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const auto z = latentOf(vae, o.tileLatent, o.tileLatent - 3);
  lt::expectTensorEqual(lienzo::decodeTiled(vae, z, o), vae->decode(z), "decode, one tile");
  const int64_t f = vae->config().downscaleFactor();
  const auto x = smoothPicture(vae->config().inChannels, o.tileLatent * f, 5 * f);
  lt::expectTensorEqual(lienzo::encodeMomentsTiled(vae, x, o), vae->encodeMoments(x),
                        "encode, one tile");
}

TEST(VaeTiling, DecodeIsTheBlendOfTheTilesOwnDecodes) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const int64_t f = vae->config().downscaleFactor();
  const int64_t h = o.tileLatent + 4, w = o.tileLatent + 7;  // 2 x 2 tiles
  const auto z = latentOf(vae, h, w);
  const auto rows = lienzo::vaeTileStarts(h, o), cols = lienzo::vaeTileStarts(w, o);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(cols.size(), 2u);
  const auto tiled = lienzo::decodeTiled(vae, z, o);
  auto expected = at::zeros(tiled.sizes(), at::kDouble);
  auto total = at::zeros({h * f, w * f}, at::kDouble);
  const int64_t t = o.tileLatent;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < cols.size(); ++j) {
      const auto own = vae->decode(
          z.slice(2, rows[i], rows[i] + t).slice(3, cols[j], cols[j] + t));  // [1,3,t*f,t*f]
      const auto weight = at::outer(tileWeights(rows, i, t, f, o.blendLatent * f),
                                    tileWeights(cols, j, t, f, o.blendLatent * f));
      expected.slice(2, rows[i] * f, (rows[i] + t) * f)
          .slice(3, cols[j] * f, (cols[j] + t) * f)
          .add_(own.to(at::kDouble) * weight);
      total.slice(0, rows[i] * f, (rows[i] + t) * f)
          .slice(1, cols[j] * f, (cols[j] + t) * f)
          .add_(weight);
    }
  }
  lt::expectAllClose(total, at::ones_like(total), 1e-12, 0, "weights sum to one");
  lt::expectAllClose(tiled.to(at::kDouble), expected, kBlendTol, kBlendTol, "tiled decode");
}

TEST(VaeTiling, DecodeSeveralTilesStaysNearUntiled) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const int64_t f = vae->config().downscaleFactor();
  // Non-square, neither side a multiple of the tile or the stride: 2 x 3 tiles.
  const int64_t h = 2 * o.tileLatent - 5, w = 3 * o.tileLatent - 7;
  const auto z = latentOf(vae, h, w);
  const auto tiled = lienzo::decodeTiled(vae, z, o);
  const auto plain = vae->decode(z);
  ASSERT_EQ(tiled.sizes(), plain.sizes());
  EXPECT_EQ(tiled.size(2), h * f);
  EXPECT_EQ(tiled.size(3), w * f);
  EXPECT_EQ(tiled.scalar_type(), plain.scalar_type());
  const double err = meanRelError(tiled, plain);
  std::cout << "  decode " << h << "x" << w << " latent, tiled vs untiled: mean |d| / std " << err
            << "\n";
  EXPECT_LT(err, kMeanRelTol);
}

TEST(VaeTiling, EncodeSeveralTilesStaysNearUntiled) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const auto& c = vae->config();
  const int64_t f = c.downscaleFactor();
  const int64_t h = 3 * o.tileLatent - 9, w = 2 * o.tileLatent + 3;
  const auto x = smoothPicture(c.inChannels, h * f, w * f);
  const auto tiled = lienzo::encodeMomentsTiled(vae, x, o);
  const auto plain = vae->encodeMoments(x);
  ASSERT_EQ(tiled.sizes(), plain.sizes());
  EXPECT_EQ(tiled.size(1), 2 * c.embedDim);
  EXPECT_EQ(tiled.size(2), h);
  EXPECT_EQ(tiled.size(3), w);
  const double err =
      meanRelError(tiled.slice(1, 0, c.embedDim), plain.slice(1, 0, c.embedDim));  // the mean
  std::cout << "  encode " << h << "x" << w << " latent, tiled vs untiled mean: mean |d| / std "
            << err << "\n";
  EXPECT_LT(err, kMeanRelTol);
}

TEST(VaeTiling, NoSeamAtTileBoundaries) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const int64_t f = vae->config().downscaleFactor();
  const int64_t h = o.tileLatent + 4, w = 3 * o.tileLatent - 7;
  const auto z = latentOf(vae, h, w);
  const auto cuts = cutColumns(w, o, f);
  ASSERT_GE(cuts.size(), 2u);
  const int64_t half = o.blendLatent * f / 2 + 1;
  const double plain = seamRatio(vae->decode(z), cuts, half);
  const double blended = seamRatio(lienzo::decodeTiled(vae, z, o), cuts, half);
  auto hard = o;
  hard.blendLatent = 0;
  const double cut = seamRatio(lienzo::decodeTiled(vae, z, hard), cuts, half);
  std::cout << "  boundary / median column gradient: untiled " << plain << ", blended " << blended
            << ", hard cut " << cut << "\n";
  // The blended picture is as smooth across the boundaries as the untiled one; a hard cut is not
  // (the measure sees seams).
  EXPECT_LT(blended, std::max(kSeamRatio, plain * 1.1));
  EXPECT_GT(cut, 1.5 * std::max(kSeamRatio, plain));
}

TEST(VaeTiling, BatchAndDtypeFollowDecode) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const auto& c = vae->config();
  const int64_t f = c.downscaleFactor();
  const auto z = at::cat({latentOf(vae, o.tileLatent + 2, 2), latentOf(vae, o.tileLatent + 2, 2)});
  const auto wide = at::cat({z, z}, 3);  // [2,E,tile+2,4]: two tile rows, one column
  const auto out = lienzo::decodeTiled(vae, wide.to(at::kDouble), o);  // moved to float32
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, c.outChannels, (o.tileLatent + 2) * f, 4 * f}));
  EXPECT_EQ(out.scalar_type(), vae->dtype());
  // Both batch items are the same picture, so the tiles must treat the batch alike.
  lt::expectTensorEqual(out[0], out[1], "batch items");
}

TEST(VaeTiling, BadInputThrows) {
  c10::InferenceMode guard;
  auto vae = loadTinyVae();
  const auto o = testOptions();
  const auto& c = vae->config();
  const int64_t f = c.downscaleFactor();
  const int64_t big = 2 * o.tileLatent;  // several tiles: the tiled path checks, not decode
  EXPECT_THROW(lienzo::decodeTiled(vae, at::zeros({1, c.embedDim + 1, big, big}), o),
               std::invalid_argument);
  EXPECT_THROW(lienzo::decodeTiled(vae, at::zeros({c.embedDim, big, big}), o),
               std::invalid_argument);
  EXPECT_THROW(lienzo::decodeTiled(vae, at::zeros({1, c.embedDim, 0, big}), o),
               std::invalid_argument);
  EXPECT_THROW(
      lienzo::encodeMomentsTiled(vae, at::zeros({1, c.inChannels + 1, big * f, big * f}), o),
      std::invalid_argument);
  EXPECT_THROW(
      lienzo::encodeMomentsTiled(vae, at::zeros({1, c.inChannels, big * f + 1, big * f}), o),
      std::invalid_argument);
  EXPECT_THROW(
      lienzo::encodeMomentsTiled(vae, at::zeros({1, c.inChannels, 8 * f, 8 * f - f / 2}), o),
      std::invalid_argument);
  auto bad = o;
  bad.overlapLatent = bad.tileLatent;
  EXPECT_THROW(lienzo::decodeTiled(vae, at::zeros({1, c.embedDim, 4, 4}), bad),
               std::invalid_argument);
  bad = o;
  bad.blendLatent = bad.overlapLatent + 1;
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  bad = o;
  bad.tileLatent = 0;
  EXPECT_THROW(bad.validate(), std::invalid_argument);
}

TEST(VaeTiling, TileStartsCoverWithTheRequestedOverlap) {
  VaeTileOptions o;  // defaults: 64 / 16
  EXPECT_EQ(lienzo::vaeTileStarts(40, o), (std::vector<int64_t>{0}));
  EXPECT_EQ(lienzo::vaeTileStarts(64, o), (std::vector<int64_t>{0}));
  EXPECT_EQ(lienzo::vaeTileStarts(65, o), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(lienzo::vaeTileStarts(112, o), (std::vector<int64_t>{0, 48}));
  EXPECT_EQ(lienzo::vaeTileStarts(113, o), (std::vector<int64_t>{0, 25, 49}));
  for (int64_t length = 1; length <= 700; ++length) {
    const auto s = lienzo::vaeTileStarts(length, o);
    const int64_t side = std::min(o.tileLatent, length);
    ASSERT_EQ(s.front(), 0) << length;
    ASSERT_EQ(s.back(), length - side) << length;
    for (std::size_t i = 1; i < s.size(); ++i) {
      ASSERT_GE(s[i - 1] + side - s[i], o.overlapLatent) << length;  // overlap kept
      ASSERT_GT(s[i], s[i - 1]) << length;
    }
    // Fewest tiles: one fewer could not keep the overlap.
    const int64_t n = static_cast<int64_t>(s.size());
    if (n > 1) {
      ASSERT_GT(length - side, (n - 2) * (o.tileLatent - o.overlapLatent)) << length;
    }
  }
  EXPECT_THROW(lienzo::vaeTileStarts(0, o), std::invalid_argument);
}

TEST(VaeTiling, NeedsTilingRule) {
  using lienzo::vaeNeedsTiling;
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  EXPECT_FALSE(vaeNeedsTiling(1 * kGiB, 8 * kGiB));
  EXPECT_FALSE(vaeNeedsTiling(6 * kGiB, 8 * kGiB));  // exactly 3/4: still fits
  EXPECT_TRUE(vaeNeedsTiling(6 * kGiB + 1, 8 * kGiB));
  EXPECT_TRUE(vaeNeedsTiling(9 * kGiB, 8 * kGiB));
  EXPECT_TRUE(vaeNeedsTiling(1, 0));
  EXPECT_TRUE(vaeNeedsTiling(0, 0));
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(vaeNeedsTiling(kMax / 2, kMax));  // no overflow
  EXPECT_TRUE(vaeNeedsTiling(kMax, kMax / 2));
}

TEST(VaeTiling, MemoryEstimates) {
  const VaeConfig sd;  // SD 1.x/2.x/SDXL VAE shape
  const auto d512 = lienzo::estimateVaeDecodeBytes(sd, 512, 512, 4);
  const auto d1024 = lienzo::estimateVaeDecodeBytes(sd, 1024, 1024, 4);
  const auto d2048 = lienzo::estimateVaeDecodeBytes(sd, 2048, 2048, 4);
  // A constant (recycled buffers) plus a part that grows with the pixel count.
  EXPECT_GT(d1024, d512);
  EXPECT_NEAR(static_cast<double>(d2048 - d1024), 4.0 * static_cast<double>(d1024 - d512), 8.0);
  EXPECT_LT(lienzo::estimateVaeDecodeBytes(sd, 1024, 1024, 2), d1024);
  EXPECT_EQ(lienzo::estimateVaeDecodeBytes(sd, 512, 2048, 4), d1024);
  EXPECT_GT(lienzo::estimateVaeEncodeBytes(sd, 1024, 1024, 4), 0u);
  EXPECT_LT(lienzo::estimateVaeEncodeBytes(sd, 1024, 1024, 4), d1024);
  // A smaller VAE needs less.
  auto small = sd;
  small.baseChannels = 32;
  EXPECT_LT(lienzo::estimateVaeDecodeBytes(small, 1024, 1024, 4), d1024);
  // The decision the pipeline makes: an SD decode in float32 at 512² fits in 8 GiB, at 2048² not.
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  EXPECT_FALSE(lienzo::vaeNeedsTiling(d512, 8 * kGiB));
  EXPECT_TRUE(lienzo::vaeNeedsTiling(lienzo::estimateVaeDecodeBytes(sd, 2048, 2048, 4), 8 * kGiB));
  EXPECT_THROW(lienzo::estimateVaeDecodeBytes(sd, 0, 512, 4), std::invalid_argument);
}

}  // namespace
