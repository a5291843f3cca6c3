// `lienzo generate`: headless txt2img to PNG files with A1111 `parameters` metadata.
#pragma once

namespace lienzo::cli {

/// Exit codes: 0 ok, 2 bad arguments, 3 model could not be loaded, 4 generation failed,
/// 5 output could not be written, 130 cancelled (SIGINT).
int runGenerate(int argc, char** argv);

}  // namespace lienzo::cli
