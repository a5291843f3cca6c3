// Ref: ../shared/specs/next-wave.md §3.2 — tile layout as sd.cpp sd_tiling_calc_tiles (fewest
//      tiles with at least the requested overlap, last tile flush with the edge), smootherstep
//      partition of unity as sd.cpp sd_tensor_merge_2d; unlike sd.cpp the cross-fade is narrower
//      than the overlap and centred in it, so each tile's outermost outputs are dropped.
#include "core/model/vae_tiling.h"

#include "core/model/buffer_recycling.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

namespace {

/// Live full-resolution tensors at the peak of an untiled decode / encode, in units of one tensor
/// of the widest full-resolution width, and what buffer recycling may keep on top (see
/// estimateVaeDecodeBytes). Calibrated on the peak RSS of SD-1.5-shaped float32 passes on the CPU
/// (docs/performance.md, "Tiled VAE").
constexpr double kVaeDecodeLiveTensors = 3.25;
constexpr double kVaeEncodeLiveTensors = 6.0;
constexpr double kRecycledBytes = static_cast<double>(BufferRecyclingScope::kDefaultMaxCachedBytes);

/// Tiles along one axis, in latent pixels.
struct AxisTiles {
  int64_t size = 0;             ///< side of every tile along this axis
  std::vector<int64_t> starts;  ///< first latent pixel of each tile, increasing
  std::vector<double> cuts;     ///< cuts[i]: where tile i-1 hands over to tile i (output pixels)
  std::vector<double> halfs;    ///< half-width of the cross-fade at cuts[i] (output pixels)
};

/// Fewest tiles of side min(tile, length) with at least `overlap` shared, spread evenly; cuts at
/// the middle of each overlap, in output pixels (`scale` output pixels per latent pixel).
AxisTiles layoutAxis(int64_t length, const VaeTileOptions& o, int64_t scale) {
  AxisTiles a;
  a.size = std::min(o.tileLatent, length);
  const int64_t span = length - a.size;  // total travel of the tile start
  const int64_t stride = o.tileLatent - o.overlapLatent;
  const int64_t gaps = span == 0 ? 0 : (span + stride - 1) / stride;
  for (int64_t i = 0; i <= gaps; ++i) {
    a.starts.push_back(gaps == 0 ? 0 : (i * span + gaps / 2) / gaps);  // rounded, 0 … span
  }
  const std::size_t n = a.starts.size();
  a.cuts.assign(n, 0.0);
  a.halfs.assign(n, 0.0);
  for (std::size_t i = 1; i < n; ++i) {
    const int64_t shared = a.starts[i - 1] + a.size - a.starts[i];  // ≥ overlap (latent pixels)
    a.cuts[i] = static_cast<double>((a.starts[i] + a.starts[i - 1] + a.size) * scale) / 2.0;
    a.halfs[i] = std::min(o.blendLatent, shared) * scale / 2.0;
  }
  // Neighbouring cross-fades must not meet, or the weights would stop summing to one (possible
  // only when the overlap exceeds a third of the tile and tiles are pushed close together).
  for (std::size_t i = 1; i < n; ++i) {
    if (i > 1) a.halfs[i] = std::min(a.halfs[i], (a.cuts[i] - a.cuts[i - 1]) / 2.0);
    if (i + 1 < n) a.halfs[i] = std::min(a.halfs[i], (a.cuts[i + 1] - a.cuts[i]) / 2.0);
  }
  return a;
}

/// Quintic smootherstep, 0 → 0 and 1 → 1 with zero first and second derivatives at both ends.
/// Ref: sd.cpp ggml_extend.hpp smootherstep_f32.
double smootherstep(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

/// How much of tile `i` is used at output pixel `p` past cut `k` (0 before it, 1 after it).
double rampAt(const AxisTiles& a, std::size_t k, int64_t p) {
  const double centre = p + 0.5;
  if (a.halfs[k] <= 0.0) return centre >= a.cuts[k] ? 1.0 : 0.0;
  return smootherstep((centre - (a.cuts[k] - a.halfs[k])) / (2.0 * a.halfs[k]));
}

/// 1-D weights of tile `i` over its a.size * scale output pixels: the ramp in from the previous
/// tile times the ramp out to the next one. Over all tiles they sum to 1 at every pixel.
std::vector<float> axisWeights(const AxisTiles& a, std::size_t i, int64_t scale) {
  const int64_t first = a.starts[i] * scale;
  std::vector<float> w(static_cast<std::size_t>(a.size * scale));
  for (std::size_t j = 0; j < w.size(); ++j) {
    const int64_t p = first + static_cast<int64_t>(j);
    double v = 1.0;
    if (i > 0) v *= rampAt(a, i, p);
    if (i + 1 < a.starts.size()) v *= 1.0 - rampAt(a, i + 1, p);
    w[j] = static_cast<float>(v);
  }
  return w;
}

at::Tensor weightTensor(const std::vector<float>& w, const c10::Device& device) {
  return at::tensor(at::ArrayRef<float>(w), at::kFloat).to(device);
}

/// Runs `fn` on every tile of `input` and blends the outputs. The grid is in latent pixels:
/// a tile [y0,y1)x[x0,x1) reads input pixels scaled by `inScale` and writes output pixels scaled
/// by `outScale`. `fn` returns [B,C,(y1-y0)*outScale,(x1-x0)*outScale] in the model's dtype.
template <typename Fn>
at::Tensor runTiled(const at::Tensor& input, int64_t latentH, int64_t latentW, int64_t inScale,
                    int64_t outScale, const VaeTileOptions& o, c10::ScalarType dtype,
                    const c10::Device& device, Fn&& fn) {
  const AxisTiles rows = layoutAxis(latentH, o, outScale);
  const AxisTiles cols = layoutAxis(latentW, o, outScale);
  std::vector<at::Tensor> colWeights;
  for (std::size_t j = 0; j < cols.starts.size(); ++j) {
    colWeights.push_back(weightTensor(axisWeights(cols, j, outScale), device).view({1, 1, 1, -1}));
  }
  at::Tensor out;  // [B,C,latentH*outScale,latentW*outScale], float32 accumulator
  for (std::size_t i = 0; i < rows.starts.size(); ++i) {
    const auto rowWeight = weightTensor(axisWeights(rows, i, outScale), device).view({1, 1, -1, 1});
    const int64_t y0 = rows.starts[i];
    for (std::size_t j = 0; j < cols.starts.size(); ++j) {
      const int64_t x0 = cols.starts[j];
      const auto tileIn = input.slice(2, y0 * inScale, (y0 + rows.size) * inScale)
                              .slice(3, x0 * inScale, (x0 + cols.size) * inScale);
      auto tileOut = fn(tileIn).to(at::kFloat);  // [B,C,rows.size*outScale,cols.size*outScale]
      if (!out.defined()) {
        out = at::zeros({tileOut.size(0), tileOut.size(1), latentH * outScale, latentW * outScale},
                        at::TensorOptions().dtype(at::kFloat).device(device));
      }
      tileOut.mul_(rowWeight).mul_(colWeights[j]);
      out.slice(2, y0 * outScale, (y0 + rows.size) * outScale)
          .slice(3, x0 * outScale, (x0 + cols.size) * outScale)
          .add_(tileOut);
    }
  }
  return out.to(dtype).contiguous(input.suggest_memory_format());
}

bool oneTile(int64_t latentH, int64_t latentW, const VaeTileOptions& o) {
  return latentH <= o.tileLatent && latentW <= o.tileLatent;
}

uint64_t saturatingBytes(double bytes) {
  constexpr auto kMax = std::numeric_limits<uint64_t>::max();
  return bytes >= static_cast<double>(kMax) ? kMax : static_cast<uint64_t>(bytes);
}

void checkSizeArgs(int64_t height, int64_t width, int64_t elementBytes) {
  if (height <= 0 || width <= 0 || elementBytes <= 0) {
    throw std::invalid_argument("VAE memory estimate: sizes must be positive");
  }
}

}  // namespace

void VaeTileOptions::validate() const {
  if (tileLatent < 1) throw std::invalid_argument("VAE tiling: tileLatent must be >= 1");
  if (overlapLatent < 0 || overlapLatent >= tileLatent) {
    throw std::invalid_argument("VAE tiling: overlapLatent must be in [0, tileLatent)");
  }
  if (blendLatent < 0 || blendLatent > overlapLatent) {
    throw std::invalid_argument("VAE tiling: blendLatent must be in [0, overlapLatent]");
  }
}

std::vector<int64_t> vaeTileStarts(int64_t length, const VaeTileOptions& options) {
  options.validate();
  if (length < 1) throw std::invalid_argument("VAE tiling: length must be >= 1");
  return layoutAxis(length, options, 1).starts;
}

at::Tensor decodeTiled(AutoencoderKL& vae, const at::Tensor& z, const VaeTileOptions& options) {
  options.validate();
  const VaeConfig& c = vae->config();
  if (!c.hasDecoder) throw std::invalid_argument("VAE: this checkpoint has no decoder");
  if (!z.defined() || z.dim() != 4 || z.size(1) != c.embedDim || z.size(2) == 0 || z.size(3) == 0) {
    throw std::invalid_argument("VAE decode: expected a latent [B," + std::to_string(c.embedDim) +
                                ",h,w]");
  }
  const int64_t h = z.size(2), w = z.size(3);
  if (oneTile(h, w, options)) return vae->decode(z);
  const auto zd = z.to(vae->device());  // small; tiles are sliced on the model's device
  return runTiled(zd, h, w, /*inScale=*/1, /*outScale=*/c.downscaleFactor(), options, vae->dtype(),
                  vae->device(), [&](const at::Tensor& tile) { return vae->decode(tile); });
}

at::Tensor encodeMomentsTiled(AutoencoderKL& vae, const at::Tensor& x,
                              const VaeTileOptions& options) {
  options.validate();
  const VaeConfig& c = vae->config();
  if (!c.hasEncoder) throw std::invalid_argument("VAE: this checkpoint has no encoder");
  const int64_t f = c.downscaleFactor();
  if (!x.defined() || x.dim() != 4 || x.size(1) != c.inChannels || x.size(2) % f != 0 ||
      x.size(3) % f != 0 || x.size(2) == 0 || x.size(3) == 0) {
    throw std::invalid_argument("VAE encode: expected an image [B," + std::to_string(c.inChannels) +
                                ",H,W] with H and W positive multiples of " + std::to_string(f));
  }
  const int64_t h = x.size(2) / f, w = x.size(3) / f;
  if (oneTile(h, w, options)) return vae->encodeMoments(x);
  const auto xd = x.to(vae->device());
  return runTiled(xd, h, w, /*inScale=*/f, /*outScale=*/1, options, vae->dtype(), vae->device(),
                  [&](const at::Tensor& tile) { return vae->encodeMoments(tile); });
}

uint64_t estimateVaeDecodeBytes(const VaeConfig& c, int64_t height, int64_t width,
                                int64_t elementBytes) {
  checkSizeArgs(height, width, elementBytes);
  // The deepest-but-one level's output is upsampled to full resolution before level 0 narrows it.
  int64_t widest = c.baseChannels * c.channelMult.front();
  if (c.channelMult.size() > 1) widest = std::max(widest, c.baseChannels * c.channelMult[1]);
  const double pixels = static_cast<double>(height) * static_cast<double>(width);
  return saturatingBytes(pixels * elementBytes * (kVaeDecodeLiveTensors * widest + c.outChannels) +
                         kRecycledBytes);
}

uint64_t estimateVaeEncodeBytes(const VaeConfig& c, int64_t height, int64_t width,
                                int64_t elementBytes) {
  checkSizeArgs(height, width, elementBytes);
  const int64_t widest = c.baseChannels * c.channelMult.front();
  const double pixels = static_cast<double>(height) * static_cast<double>(width);
  return saturatingBytes(pixels * elementBytes * (kVaeEncodeLiveTensors * widest + c.inChannels) +
                         kRecycledBytes);
}

bool vaeNeedsTiling(uint64_t estimatedBytes, uint64_t availableBytes) {
  // estimate > 3/4 · available, without overflow; nothing available → tile.
  return availableBytes == 0 || estimatedBytes > availableBytes - availableBytes / 4;
}

}  // namespace lienzo
