// diffusers folder configs -> loader facts (see diffusers_config.h).
#include "core/pipeline/diffusers_config.h"

#include <ATen/ATen.h>

#include <vector>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

std::optional<int64_t> positive(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_integer()) return std::nullopt;
  const int64_t v = obj[key].get<int64_t>();
  return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

/// U-Net heads: an int is a fixed head count (SD1: 8); a per-level list becomes a fixed head
/// width when channels / heads agree across levels (SD2, SDXL: 64), else a fixed count.
void unetHeads(const nlohmann::json& cfg, const std::string& where, ModelOverrides& out) {
  nlohmann::json heads;
  if (cfg.contains("num_attention_heads") && !cfg["num_attention_heads"].is_null())
    heads = cfg["num_attention_heads"];
  else if (cfg.contains("attention_head_dim"))
    heads = cfg["attention_head_dim"];  // diffusers' historical misnomer: it is the head count
  if (heads.is_number_integer()) {
    out.unetNumHeads = heads.get<int64_t>();
    return;
  }
  if (!heads.is_array() || heads.empty()) return;
  const auto channels = cfg.value("block_out_channels", std::vector<int64_t>{});
  const auto counts = heads.get<std::vector<int64_t>>();
  if (channels.size() != counts.size())
    throw GenerationError(Code::ModelLoad, where +
                                               ": attention heads and block_out_channels "
                                               "have different lengths");
  bool sameWidth = true, sameCount = true;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] <= 0 || channels[i] % counts[i] != 0)
      throw GenerationError(Code::ModelLoad, where + ": level " + std::to_string(i) + " has " +
                                                 std::to_string(counts[i]) + " heads for " +
                                                 std::to_string(channels[i]) + " channels");
    sameWidth = sameWidth && channels[i] / counts[i] == channels[0] / counts[0];
    sameCount = sameCount && counts[i] == counts[0];
  }
  if (sameWidth) {
    out.unetNumHeadChannels = channels[0] / counts[0];
  } else if (sameCount) {
    out.unetNumHeads = counts[0];
  } else {
    throw GenerationError(Code::ModelLoad,
                          where +
                              ": per-level attention heads with neither a fixed head count "
                              "nor a fixed head width are not supported");
  }
}

}  // namespace

ModelOverrides diffusersOverrides(const DiffusersFolder& folder) {
  ModelOverrides out;
  if (folder.has("unet"))
    unetHeads(folder.config("unet"), (folder.root / "unet" / "config.json").string(), out);
  out.textHeads = positive(folder.config("text_encoder"), "num_attention_heads");
  out.text2Heads = positive(folder.config("text_encoder_2"), "num_attention_heads");
  const auto vae = folder.config("vae");
  if (vae.contains("scaling_factor") && vae["scaling_factor"].is_number())
    out.scaleFactor = vae["scaling_factor"].get<double>();
  const auto sched = folder.config("scheduler");
  if (!sched.empty())
    out.prediction =
        parseSchedulerConfig(sched, (folder.root / "scheduler" / "scheduler_config.json").string())
            .prediction;
  return out;
}

DiffusersConfig parseSchedulerConfig(const nlohmann::json& c, const std::string& where) {
  // Ref: diffusers schedulers (DDIMScheduler / EulerDiscreteScheduler config attributes).
  DiffusersConfig out;
  auto fail = [&](const std::string& what) {
    throw GenerationError(Code::ModelLoad, where + ": " + what);
  };
  if (!c.is_object()) fail("not a JSON object");
  auto str = [&](const char* key) -> std::optional<std::string> {
    if (c.contains(key) && c[key].is_string()) return c[key].get<std::string>();
    return std::nullopt;
  };
  if (auto n = positive(c, "num_train_timesteps")) out.numTrainTimesteps = *n;
  if (c.contains("beta_start") && c["beta_start"].is_number())
    out.betaStart = c["beta_start"].get<double>();
  if (c.contains("beta_end") && c["beta_end"].is_number())
    out.betaEnd = c["beta_end"].get<double>();
  if (auto b = str("beta_schedule")) {
    if (*b == "scaled_linear")
      out.betaSchedule = BetaSchedule::ScaledLinear;
    else if (*b == "linear")
      out.betaSchedule = BetaSchedule::Linear;
    else
      fail("beta_schedule '" + *b + "' is not supported (linear, scaled_linear)");
  }
  if (c.contains("trained_betas") && !c["trained_betas"].is_null())
    fail("trained_betas are not supported");
  if (c.contains("steps_offset") && c["steps_offset"].is_number_integer())
    out.stepsOffset = c["steps_offset"].get<int64_t>();
  if (c.contains("set_alpha_to_one") && c["set_alpha_to_one"].is_boolean())
    out.setAlphaToOne = c["set_alpha_to_one"].get<bool>();
  if (auto p = str("prediction_type")) {
    if (*p == "epsilon")
      out.prediction = Prediction::Epsilon;
    else if (*p == "v_prediction")
      out.prediction = Prediction::V;
    else
      fail("prediction_type '" + *p + "' is not supported (epsilon, v_prediction)");
  }
  if (auto s = str("timestep_spacing")) {
    try {
      out.spacing = timestepSpacingFromName(*s);
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
  }
  if (c.contains("use_karras_sigmas") && c["use_karras_sigmas"].is_boolean())
    out.useKarrasSigmas = c["use_karras_sigmas"].get<bool>();
  return out;
}

DiscreteSchedule scheduleFromConfig(const DiffusersConfig& config) {
  if (config.betaSchedule == BetaSchedule::ScaledLinear)
    return DiscreteSchedule::scaledLinear(config.numTrainTimesteps, config.betaStart,
                                          config.betaEnd);
  return DiscreteSchedule::fromAlphasCumprod(diffusersAlphasCumprod(config));
}

}  // namespace lienzo
