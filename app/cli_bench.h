// `lienzo bench`: times text encoding, one U-Net CFG step and a VAE decode of a named
// architecture at full size with random weights (nothing to download), and peak memory.
// Also writes / loads full-size random checkpoints to measure loading.
// `--vae-tiling` measures tiled VAE decode / encode (cli_bench_vae_tiling.h), `--lora RANK`
// merging a LoRA into full-size weights (cli_bench_lora.h), `--preview-overhead` what step
// previews cost next to sampling (cli_bench_preview.h).
#pragma once

#include "core/model/unet.h"
#include "core/text/clip_text_model.h"
#include "core/text/openclip_text_model.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace lienzo::cli {

int runBench(int argc, char** argv);

/// A full-size architecture of `--arch`: the U-Net config and which text encoders it has.
struct Arch {
  UNetConfig unet;
  bool sdxl = false;
  bool openClip = false;  ///< an OpenCLIP tower (SD2; SDXL's second)
};
/// "sd15" / "sd1", "sd21" / "sd2", "sdxl"; UsageError otherwise.
Arch archByName(const std::string& name);
ClipTextConfig clipL();                     ///< ViT-L/14
OpenClipTextConfig openClipFor(bool sdxl);  ///< ViT-H/14 (SD2) or ViT-bigG/14 (SDXL)

/// Peak resident set size of this process so far, MiB (getrusage).
double peakRssMiB();

/// Fills every parameter of `module` with N(0, 0.02) in `dtype` on `device` (benchmarks with
/// random weights); 4-D weights channels_last on the CPU, and on a GPU when `channelsLast`.
void randomizeWeights(torch::nn::Module& module, c10::ScalarType dtype, c10::Device device,
                      bool channelsLast = false);

}  // namespace lienzo::cli
