// `lienzo bench --preview-overhead`: what step previews cost next to sampling at a size (512²
// by default). Components: the median SD1.5-shaped U-Net CFG step (random weights), the linear
// projection, a TAESD decode (a --taesd file or random weights) and, with --parts vae, the full
// VAE decode, each as a share of the step; and what TAESD's 5 % budget (step_preview.h) makes of
// it. With --model FILE: the same request sampled with linear, budgeted-TAESD and every-step
// TAESD previews through generate(), sampling time per step and the ratio to linear.
#pragma once

#include "app/cli_args.h"

#include <c10/core/ScalarType.h>

namespace lienzo::cli {

int runPreviewBench(const Args& args, c10::ScalarType dtype);

}  // namespace lienzo::cli
