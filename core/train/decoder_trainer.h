// Decoder fine-tuning of an exported built-in model: the VAE's encoder (and quant_conv) stays
// frozen, so the latent space — and with it the U-Net and text encoder trained on it — is
// unchanged, while post_quant_conv + decoder learn to draw the scenes sharper (small stars,
// triangles and squares that the first-stage training left as round blobs).
// Ref: Stability AI sd-vae-ft-mse (the SD 1.x decoder fine-tuned with the encoder frozen).
//
// Contract: tuneDecoder() reads `model` (a built-in model file; std::invalid_argument when it is
// not one), trains on scenes rendered on the fly (pixel MSE of decode(posterior sample) against
// the render), resumes from paths.decoderCheckpoint() when options.resume and a checkpoint
// exists, checkpoints every options.checkpointEvery steps and on stop, and after the last step
// writes `output`: every tensor and metadata entry of `model`, the decoder and post_quant_conv
// replaced by their EMA weights, plus metadata "lienzo.decoder_steps". Progress lines go to
// stderr. Runs on the calling thread, on the CPU. Throws on I/O errors.
#pragma once

#include "core/train/train_data.h"
#include "core/train/train_utils.h"

#include <filesystem>

namespace lienzo::train {

struct DecoderTuneResult {
  int64_t steps = 0;  ///< steps done in total (including resumed ones)
  bool finished = false;
  double loss = 0.0;        ///< running mean of the last steps
  double psnrBefore = 0.0;  ///< held-out PSNR (dB) of `model`'s VAE, when finished
  double psnrAfter = 0.0;   ///< held-out PSNR (dB) of the written VAE, when finished
};

/// Whether `name` (a VAE parameter path, e.g. "decoder.conv_in.weight") is tuned by tuneDecoder.
bool isDecoderParameter(const std::string& name);

DecoderTuneResult tuneDecoder(const std::filesystem::path& model, const TrainOptions& options,
                              const TrainPaths& paths, const std::filesystem::path& output);

}  // namespace lienzo::train
