// What a diffusers folder's JSON files tell the loader beyond the weights: attention heads
// (unet/config.json, text_encoder*/config.json), the VAE latent scale (vae/config.json) and the
// noise schedule / parameterization (scheduler/scheduler_config.json).
//
// Contract: pure functions over parsed JSON; absent fields leave the defaults. Values Lienzo
// cannot honour (an unknown prediction_type, beta_schedule or timestep_spacing, per-level heads
// that fit neither a fixed head count nor a fixed head width) throw GenerationError(ModelLoad)
// naming the file and the value — a silent misread would produce garbage images.
#pragma once

#include "core/io/diffusers_folder.h"
#include "core/pipeline/model_bundle.h"
#include "core/sampling/diffusers_schedule.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lienzo {

/// Heads, text heads and the VAE scaling factor from the component configs.
/// Ref: diffusers UNet2DConditionModel (`attention_head_dim` is the head *count* when
/// `num_attention_heads` is null, per level when a list), transformers CLIPTextConfig.
ModelOverrides diffusersOverrides(const DiffusersFolder& folder);

/// scheduler_config.json -> DiffusersConfig (num_train_timesteps, beta_start/end,
/// beta_schedule linear|scaled_linear, steps_offset, set_alpha_to_one, prediction_type
/// epsilon|v_prediction, timestep_spacing, use_karras_sigmas). `where` names the file.
DiffusersConfig parseSchedulerConfig(const nlohmann::json& config, const std::string& where);

/// The k-diffusion training schedule of a scheduler config: scaled_linear as CompVis computes it
/// (float64 betas, so it equals the single-file checkpoints' `alphas_cumprod` buffer), linear
/// from diffusers' float32 table.
DiscreteSchedule scheduleFromConfig(const DiffusersConfig& config);

}  // namespace lienzo
