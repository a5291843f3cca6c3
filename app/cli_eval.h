// `lienzo eval`: GenEval-style scores for the built-in model's procedural scenes (evaluator.h).
//   lienzo eval --render N [--seed S] [--size PX] [--shuffle] [--write DIR] [--json]
//       renders N sampled scenes and scores them (the evaluator's ceiling, >= 0.97 per category);
//       --shuffle also scores each scene against the next scene's image (should be near 0);
//       --write keeps the images with their scene JSON and captions.
//   lienzo eval IMAGE... [--scene SCENE.json] [--json] [--verbose]
//       scores images against the scene each was asked for (default: IMAGE's .json sibling).
//   lienzo eval --dir DIR [--json]      every image in DIR that has a .json sibling
//   lienzo eval --captions N [--seed S] [--lang en|es]   sampled captions, one per line
//   lienzo eval --model FILE [--count N] ...   a model's scores on held-out captions
//       (cli_eval_model.h; builds with the trainer)
// Images: .ppm always; PNG/JPEG/WebP when built with image I/O (LIENZO_HAVE_IMAGEIO).
#pragma once

namespace lienzo::cli {

/// Returns the exit code: 0 done (for --render: every category >= 0.97), 1 a file could not be
/// read or the --render ceiling was missed, 2 usage.
int runEval(int argc, char** argv);

}  // namespace lienzo::cli
