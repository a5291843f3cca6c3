// `lienzo bench --arch sd35m|sd35l|flux [--quant bf16|q8_0|q4_0]`: one diffusion-transformer
// step at the real shapes with random weights, loaded the way a user's GGUF file is.
//
// The random checkpoint is written as a GGUF file in a temporary folder (or `--checkpoint FILE`,
// kept): linear weights in the `--quant` type, packed while they are written, one tensor at a time
// (a Flux-sized model is never dense in memory), other tensors BF16. It is then loaded with
// loadFluxGguf / loadMmditGguf (core/model/dit_gguf.h), linear weights kept packed and
// dequantized per layer, and `--runs` steps are timed (each printed; the first also pays the
// page faults of the mapped file). Peak RSS: VmHWM (/proc/self/status) and getrusage.
// Before writing, the weights' resident size plus an activation estimate is compared with
// MemAvailable and the file size with the free disk space: a run that does not fit is refused
// with the estimate (exit 1), never started. Usage errors exit 2.
#pragma once

#include <string>

namespace lienzo::cli {

class Args;

/// True for the --arch names this bench handles (sd35m, sd35l, flux).
bool isDitBenchArch(const std::string& arch);
int runDitBench(const Args& args);

}  // namespace lienzo::cli
