// `lienzo eval --model FILE`: the built-in model's GenEval-style scores on held-out scenes.
//   lienzo eval --model FILE [--count N] [--lang en|es|both] [--steps S] [--cfg C]
//               [--sampler NAME] [--seed S] [--threads T] [--write DIR] [--json]
// For i < N: the held-out scene i (train::heldOutSeed(i), never drawn by the trainers), a caption
// with varied wording in each language, one image through the normal pipeline (generate(), image
// seed S + i, the model's default sampler/steps/CFG unless given), judged by the evaluator.
// Prints a report per language (or JSON); --write keeps every image with its scene and caption.
#pragma once

namespace lienzo::cli {
class Args;

/// Returns 0 when done, 1 when the model cannot be loaded or an image failed, 2 usage.
int runEvalModel(const Args& args);

}  // namespace lienzo::cli
