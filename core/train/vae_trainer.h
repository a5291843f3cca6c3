// Stage 1 of the built-in model: the KL autoencoder, trained on scenes rendered on the fly.
// Ref: CompVis ldm/models/autoencoder.py AutoencoderKL (reconstruction + KL of the diagonal
// Gaussian posterior); here the reconstruction term is the pixel MSE (no GAN / LPIPS: flat
// procedural images).
//
// Contract: trainVae() resumes from paths.vaeCheckpoint() when options.resume and a checkpoint
// exists, checkpoints every options.checkpointEvery steps and on stop, and after the last step
// writes paths.vaeWeights() (tensors "first_stage_model.*", metadata "psnr", "scale_factor").
// Progress lines go to stderr. Throws on I/O errors.
#pragma once

#include "core/pipeline/builtin_config.h"
#include "core/train/train_data.h"
#include "core/train/train_utils.h"

#include <string>

namespace lienzo::train {

struct VaeTrainResult {
  int64_t steps = 0;  ///< steps done in total (including resumed ones)
  bool finished = false;
  double firstLoss = 0.0;    ///< loss of the first step of this call
  double loss = 0.0;         ///< running mean of the last steps
  double psnr = 0.0;         ///< on held-out scenes (dB), when finished
  double scaleFactor = 1.0;  ///< 1 / std of the latent means, when finished
};

VaeTrainResult trainVae(const BuiltinModelConfig& config, const TrainOptions& options,
                        double klWeight, const TrainPaths& paths);

/// "~psnr 31.508dB": the PSNR of a running pixel MSE measured in [-1,1] units (progress lines).
std::string psnrNote(double runningMse);

/// PSNR (dB) of mean reconstructions and the latent-mean standard deviation over `count` held-out
/// scenes, in float32.
std::pair<double, double> measureVae(AutoencoderKL& vae, int side, int64_t count);

}  // namespace lienzo::train
