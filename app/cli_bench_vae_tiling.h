// `lienzo bench --vae-tiling MODE`: measures tiled against untiled VAE decode / encode
// (core/model/vae_tiling.h). A benchmark, not a test: prints figures for docs/performance.md.
//
// - MODE error: a synthetic picture (shapes with hard edges on smooth gradients) is encoded and
//   decoded untiled and with each tiling of `--variants` (tile/overlap/blend in latent pixels,
//   comma-separated; default the VaeTileOptions defaults); prints max / mean absolute error of
//   the decode in [-1,1] units and in 8-bit levels, of the encoder's posterior mean in latent
//   units, and (first variant only: it costs an untiled decode) of the encode round trip (decode
//   of the tiled mean) in 8-bit levels.
// - MODE decode / encode: one untiled (or `--tiled`) pass of a `--width` x `--height` picture,
//   then the time, the process's peak RSS and the estimateVae*Bytes figure. Run each mode in a
//   fresh process (scripts/bench-vae-tiling.sh) so that peaks do not mix.
// The VAE is `--vae FILE` (tensors under `--vae-prefix`, default "first_stage_model.") or an
// SD-1.5-shaped one (VaeConfig defaults) with N(0, 0.02) random weights, in `dtype` on the CPU.
// Failure: UsageError for bad options; whatever loading or the VAE throws.
// Threads: run from main; uses libtorch's intra-op threads.
#pragma once

#include "app/cli_args.h"

#include <c10/core/ScalarType.h>

namespace lienzo::cli {

int runVaeTilingBench(const Args& args, c10::ScalarType dtype);

}  // namespace lienzo::cli
