// `lienzo bench`: times text encoding, one U-Net CFG step and a VAE decode of a named
// architecture at full size with random weights (nothing to download), and peak memory.
// Also writes / loads full-size random checkpoints to measure loading.
#pragma once

namespace lienzo::cli {

int runBench(int argc, char** argv);

}  // namespace lienzo::cli
