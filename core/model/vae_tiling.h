// Tiled VAE decode and encode: large pictures in overlapping tiles, cross-faded so that no seam
// shows, with peak memory bounded by the tile size instead of the picture size.
//
// Contract
// - decodeTiled(vae, z, o) ≈ vae->decode(z) and encodeMomentsTiled(vae, x, o) ≈
//   vae->encodeMoments(x), with the same shapes, dtype and device conventions (inputs are moved
//   to the weights' dtype/device; outputs are in the weights' dtype on their device, in the
//   input's memory format). Not bit-identical once a picture needs more than one tile: every tile
//   sees only its own neighbourhood, so the decoder's global mid attention and every GroupNorm
//   compute their statistics per tile (docs/performance.md states the measured error). A picture
//   that one tile covers (h <= tileLatent and w <= tileLatent) goes straight to decode /
//   encodeMoments: identical result.
// - Tiles: along each axis of length L (latent pixels) the fewest tiles of side
//   T = min(tileLatent, L) with at least overlapLatent shared between neighbours, spread evenly,
//   the first flush with 0 and the last with L. Blend: neighbours meet at the middle of their
//   overlap; the outputs cross-fade over blendLatent latent pixels (blendLatent * f image pixels
//   when decoding) centred there with smootherstep weights; the rest of the overlap is context
//   whose outputs are dropped (tile borders are where the zero padding and per-tile statistics
//   hurt most). The weights of a pixel sum to exactly 1 (a partition of unity: products of 1-D
//   partitions), so nothing is normalised and a constant picture stays constant.
// - Memory: one tile's activations at a time (plus the full-size output, in float32 until the
//   end), whatever the picture size.
// - Failure: std::invalid_argument for a bad input shape (as decode / encodeMoments: wrong rank or
//   channels, empty, image sides not multiples of downscaleFactor()), invalid options, or a VAE
//   without the decoder / encoder; whatever decode / encodeMoments throw (e.g. out of memory).
// - Threads: as decode / encode (nothing is mutated; run under c10::InferenceMode). The memory
//   estimates and vaeNeedsTiling are pure functions.
// Ref: ../shared/specs/next-wave.md §3.2 (ComfyUI comfy/utils.py tiled_scale_multidim, sd.cpp
//      ggml_extend.hpp sd_tiling_calc_tiles / sd_tensor_merge_2d smootherstep, diffusers
//      AutoencoderKL.enable_tiling).
#pragma once

#include "core/model/vae.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace lienzo {

struct VaeTileOptions {
  /// Tile side in latent pixels (64 = 512 image pixels for SD). Large tiles keep each tile's
  /// GroupNorm and attention statistics close to the whole picture's (smaller error); the peak
  /// memory grows with its square (about 1.3 GiB for an SD VAE decode in float32 at 64).
  int64_t tileLatent = 64;
  /// Minimum overlap between neighbouring tiles in latent pixels (25 % of a 64 tile, as ComfyUI's
  /// out-of-memory fallback and diffusers). Must be < tileLatent.
  int64_t overlapLatent = 16;
  /// Width of the cross-fade in latent pixels, centred in the overlap; at most overlapLatent.
  /// 0 = a hard cut at the middle of the overlap (no blend; for comparisons).
  int64_t blendLatent = 8;

  /// Throws std::invalid_argument naming the first invalid field.
  void validate() const;
};

/// Start (in latent pixels) of each tile along an axis of `length` latent pixels: the fewest
/// tiles of side min(tileLatent, length) with at least overlapLatent shared between neighbours,
/// the first at 0 and the last at length - side, the others spread evenly (rounded). Neighbours
/// i-1 and i hand over at the middle of their overlap. Throws std::invalid_argument for invalid
/// options or length < 1.
std::vector<int64_t> vaeTileStarts(int64_t length, const VaeTileOptions& options);

/// z [B,embedDim,h,w] in VAE space → image [B,outChannels,h*f,w*f], as AutoencoderKLImpl::decode.
at::Tensor decodeTiled(AutoencoderKL& vae, const at::Tensor& z, const VaeTileOptions& options);

/// x [B,inChannels,H,W] in [-1,1], H and W multiples of f → moments [B,2*embedDim,H/f,W/f], as
/// AutoencoderKLImpl::encodeMoments (the posterior mean is the first half of the channels). Image
/// tiles are tileLatent * f pixels.
at::Tensor encodeMomentsTiled(AutoencoderKL& vae, const at::Tensor& x,
                              const VaeTileOptions& options);

/// Rough upper estimate of the peak working memory of an *untiled* decode of one
/// `height` x `width` image (image pixels) with `elementBytes`-byte activations (4 = float32,
/// 2 = bf16/f16), weights not included (scale by the batch size for batches):
///   elementBytes * H * W * (3.25 * widest + outChannels) + 1 GiB,
/// widest = the widest full-resolution tensor, base * max(channelMult[0], channelMult[1]) (the
/// deeper level's output is upsampled before level 0 narrows it; 256 for SD), 1 GiB = the most
/// that CPU buffer recycling keeps (buffer_recycling.h). Calibrated on the peak RSS of
/// SD-1.5-shaped float32 decodes on the CPU (docs/performance.md, "Tiled VAE"): 512² 1.86 GiB
/// estimated vs ~1.7 GiB measured, 2048² 14.0 GiB vs ~13.2 GiB.
uint64_t estimateVaeDecodeBytes(const VaeConfig& config, int64_t height, int64_t width,
                                int64_t elementBytes);
/// The same for an untiled encode: elementBytes * H * W * (6 * base * channelMult[0] +
/// inChannels) + 1 GiB (the encoder's full-resolution level dominates). The 6 is the slope of the
/// SD-1.5-shaped float32 peak RSS between 256² and 512² (9.1 tensors), scaled by how much that
/// slope overstated the decoder's large-size slope (5.7 vs 3.25); not measured at 2048².
uint64_t estimateVaeEncodeBytes(const VaeConfig& config, int64_t height, int64_t width,
                                int64_t elementBytes);

/// The rule for automatic tiling: tile when the estimate exceeds three quarters of the available
/// memory (the rest is headroom for the estimate's error, the allocator's fragmentation and
/// whatever else the process holds). availableBytes = 0 (nothing free / unknown) → tile.
bool vaeNeedsTiling(uint64_t estimatedBytes, uint64_t availableBytes);

}  // namespace lienzo
