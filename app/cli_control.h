// The ControlNet options of `lienzo generate` (repeatable groups, one per ControlNet):
//   --control MODEL [--control-image FILE] [--control-preprocessor NAME] [--control-weight W]
//   [--control-start A] [--control-end B] [--control-mode balanced|prompt|control]
//   [--control-rule a1111|comfyui] [--control-resize just|crop|fill] [--control-low N]
//   [--control-high N] [--control-threshold N] [--control-tile-rate R]
// Each `--control` starts a unit; the `--control-*` options after it set that unit (those before
// the first `--control` set the first one). `--controlnet-dir DIR[:DIR...]` says where MODEL
// names are looked for (default: the model library's ControlNet folders).
//
// Contract: applyControlOptions() reads the pictures (ImageIoError with the file and the reason)
// and throws UsageError for a malformed value or a `--control-*` option without `--control`;
// ranges are checked by validateParams() so the CLI and the UI say the same. One-shot process.
#pragma once

#include "app/cli_args.h"
#include "core/pipeline/pipeline.h"

#include <set>
#include <string>

namespace lienzo::cli {

const std::set<std::string>& controlValuedOptions();

/// Fills params.controls (and params.folders.controlnets when --controlnet-dir is given).
void applyControlOptions(const Args& args, GenerationParams& params);

/// The usage lines of these options (ends with a newline).
const char* controlUsage();

}  // namespace lienzo::cli
