// `lienzo bench`: times text encoding, one U-Net CFG step and a VAE decode of a named
// architecture at full size with random weights (nothing to download), and peak memory.
// Also writes / loads full-size random checkpoints to measure loading.
// `--vae-tiling` measures tiled VAE decode / encode (cli_bench_vae_tiling.h).
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace torch::nn {
class Module;
}

namespace lienzo::cli {

int runBench(int argc, char** argv);

/// Peak resident set size of this process so far, MiB (getrusage).
double peakRssMiB();

/// Fills every parameter of `module` with N(0, 0.02) in `dtype` on `device` (benchmarks with
/// random weights); 4-D weights channels_last on the CPU, and on a GPU when `channelsLast`.
void randomizeWeights(torch::nn::Module& module, c10::ScalarType dtype, c10::Device device,
                      bool channelsLast = false);

}  // namespace lienzo::cli
