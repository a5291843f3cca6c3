// The built-in model's training stages behind `lienzo train` (app/cli_train.cpp):
//   tokenizer  → <out>/tokenizer.model (SentencePiece on the EN+ES caption corpus) + config.json
//   vae        → <out>/vae/ (checkpoint), <out>/vae.safetensors, scale factor into config.json
//   diffusion  → <out>/latents.safetensors, <out>/diffusion/ (checkpoint), eval.jsonl, samples/
//   export     → one .safetensors the normal loader runs (layout: core/pipeline/builtin_model.h)
// Every stage resumes (--resume) and can be stopped (TrainOptions::stop) at any step.
//
// Contract: the folder's config.json is the single source of the architecture once written;
// stages read it. Errors: std::runtime_error / std::invalid_argument with the file and reason.
#pragma once

#include "core/pipeline/builtin_config.h"
#include "core/train/decoder_trainer.h"
#include "core/train/diffusion_trainer.h"
#include "core/train/train_data.h"
#include "core/train/train_utils.h"
#include "core/train/vae_trainer.h"

#include <filesystem>

namespace lienzo::train {

/// The folder's config.json, or `defaults` (written there) when the folder has none.
BuiltinModelConfig loadOrCreateConfig(const TrainPaths& paths, const BuiltinModelConfig& defaults);
void saveConfig(const TrainPaths& paths, const BuiltinModelConfig& config);

struct TokenizerReport {
  int vocabSize = 0;
  int maxTokens = 0;  ///< longest corpus caption in pieces (+ EOS)
};
/// Trains the SentencePiece model on `corpusLines` captions (alternating EN/ES) and sets
/// config.vocabSize to the vocabulary it produced (config saved).
TokenizerReport trainTokenizer(const TrainPaths& paths, BuiltinModelConfig& config, int corpusLines,
                               uint64_t seed);

/// Writes the single-file model from <out>/vae.safetensors, the EMA weights of the diffusion
/// checkpoint and the tokenizer. Returns the file size in bytes. With `vaeFrom` (a built-in model
/// file, e.g. one whose decoder `lienzo train decoder` tuned) the VAE tensors come from that file
/// instead; its encoder and quant_conv must equal the folder's, which made the cached latents
/// (std::runtime_error naming the first tensor that differs).
uint64_t exportModel(const TrainPaths& paths, const BuiltinModelConfig& config,
                     const std::filesystem::path& output,
                     const std::filesystem::path& vaeFrom = {});

/// Seconds per optimizer step (forward + backward + AdamW, batch `batch`) of the VAE and of the
/// text encoder + U-Net at `config`'s sizes, median of `steps` timed steps after 2 warm-up steps,
/// on random data. Uses the current libtorch thread count.
struct StepTiming {
  double vaeSeconds = 0.0, diffusionSeconds = 0.0;
  int64_t vaeParams = 0, unetParams = 0, textParams = 0;
};
StepTiming benchmarkTrainingSteps(const BuiltinModelConfig& config, int64_t batch, bool bf16,
                                  int steps);

}  // namespace lienzo::train
