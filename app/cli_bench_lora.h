// `lienzo bench --lora RANK`: how long merging a LoRA into a full-size model takes. A benchmark,
// not a test: prints figures for docs/performance.md.
//
// The model is `--arch` (sd15, sd21, sdxl) with N(0, 0.02) random weights in `dtype` on the CPU:
// U-Net and text encoders registered in a WeightPatcher under their checkpoint keys, as a loaded
// checkpoint's are. The LoRA covers what kohya's networks.lora targets by default (every
// attention projection, feed-forward and proj_in/out of the U-Net's transformers; the text
// encoders' attention and MLP linears) at rank RANK, F16, alpha RANK/2, written to a temporary
// .safetensors. Timed: opening it and merging at strength 1 (apply), merging again at 0.5
// (switching the strength), restoring the base (removing it), and the file's A1111 hash (done
// once per file and session, for "Lora hashes"); plus the peak RSS.
// Failure: UsageError for bad options; whatever torch throws. Threads: run from main.
#pragma once

#include "app/cli_args.h"

#include <c10/core/ScalarType.h>

namespace lienzo::cli {

int runLoraBench(const Args& args, c10::ScalarType dtype);

}  // namespace lienzo::cli
