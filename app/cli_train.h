// `lienzo train`: trains the built-in model (core/train/trainer.h) in stages, each resumable.
//   lienzo train tokenizer --out DIR [--vocab N] [--corpus LINES] [--seed S] [--config FILE]
//   lienzo train vae       --out DIR [--steps N] [--batch B] [--lr LR] [--kl W] [common]
//   lienzo train diffusion --out DIR [--steps N] [--batch B] [--lr LR] [--min-snr G]
//                          [--cache N] [--eval-every N] [--eval-count N] [--cfg C] [common]
//   lienzo train export    --out DIR [-o FILE]      (default FILE: DIR/lienzo-builtin.safetensors)
//   lienzo train all       --out DIR [--vae-steps N] [--steps N] ... (every stage not yet done,
//                          then export; rerun with --resume to continue)
//   lienzo train bench     [--batch B] [--threads T] [--config FILE]   s/step F32 vs BF16
// common: --seed S --resume --bf16 --threads T --warmup N --lr-final LR (cosine decay)
//         --log-every N --checkpoint-every N
// SIGINT/SIGTERM stop at the next step boundary after writing a checkpoint.
#pragma once

namespace lienzo::cli {

/// argv holds the arguments after "train". Exit code: 0 done, 1 failure, 2 usage.
int runTrain(int argc, char** argv);

}  // namespace lienzo::cli
