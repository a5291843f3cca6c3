// The img2img / inpainting / outpainting / hires-fix / VAE-tiling options of `lienzo generate`:
// their names (for Args), their help text and how they fill GenerationParams.
//
// Contract: applyEditOptions() reads the picture files (readEditPicture / readEditMask, which
// throw ImageIoError with the file and the reason) and throws UsageError for malformed or
// contradictory values (an edit option without --init-image, a hires option without
// --hires-scale/--hires-size, both of those, an unknown choice). Range checks are left to
// validateEditParams() so the CLI and the UI say the same. One-shot process: no shared state.
#pragma once

#include "app/cli_args.h"
#include "core/pipeline/pipeline.h"

#include <set>
#include <string>

namespace lienzo::cli {

/// Option names that take a value / that are flags.
const std::set<std::string>& editValuedOptions();
const std::set<std::string>& editFlagOptions();

/// Fills params.edit, params.hires and params.vaeTiling from `args` (see the contract).
void applyEditOptions(const Args& args, GenerationParams& params);

/// The usage lines of these options (ends with a newline).
const char* editUsage();

}  // namespace lienzo::cli
