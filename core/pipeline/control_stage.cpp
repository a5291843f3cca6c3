// ControlNets of a request (control_stage.h).
#include "core/pipeline/control_stage.h"

#include "core/control/control_hint.h"
#include "core/control/control_schedule.h"
#include "core/control/controlnet_file.h"
#include "core/control/preprocessors.h"
#include "core/edit/canvas.h"
#include "core/edit/mask.h"
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/pipeline/control_pictures.h"
#include "core/pipeline/edit_pictures.h"
#include "core/pipeline/network_stage.h"
#include "core/sampling/schedule.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace lienzo {

using Code = GenerationError::Code;

const char* controlModeName(ControlMode mode) {
  switch (mode) {
    case ControlMode::Balanced:
      return "Balanced";
    case ControlMode::Prompt:
      return "My prompt is more important";
    case ControlMode::Control:
      return "ControlNet is more important";
  }
  return "Balanced";
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool parseControlMode(const std::string& text, ControlMode& mode) {
  const std::string t = lower(text);
  for (ControlMode m : {ControlMode::Balanced, ControlMode::Prompt, ControlMode::Control}) {
    if (t == lower(controlModeName(m))) {
      mode = m;
      return true;
    }
  }
  if (t == "balanced")
    mode = ControlMode::Balanced;
  else if (t == "prompt")
    mode = ControlMode::Prompt;
  else if (t == "control")
    mode = ControlMode::Control;
  else
    return false;
  return true;
}

const char* controlWindowRuleName(ControlWindowRule rule) {
  return rule == ControlWindowRule::ComfyUI ? "ComfyUI" : "A1111";
}

bool parseControlWindowRule(const std::string& text, ControlWindowRule& rule) {
  const std::string t = lower(text);
  if (t == "a1111")
    rule = ControlWindowRule::A1111;
  else if (t == "comfyui")
    rule = ControlWindowRule::ComfyUI;
  else
    return false;
  return true;
}

struct ActiveControl::Unit {
  ControlUnit params;
  mutable ControlNet net{nullptr};          // forward() is not const; the module is only read
  at::Tensor hintEmb;                       // [1,mc,h,w]
  std::vector<float> scales;                // N
  double sigmaStart = 0.0, sigmaEnd = 0.0;  // ComfyUI rule
};

namespace {

std::string unitName(std::size_t index, const ControlUnit& u) {
  return "ControlNet " + std::to_string(index) + " (\"" + u.model + "\")";
}

/// The family words users know for a ControlNet's or a U-Net's config.
std::string familyText(const UNetConfig& c) {
  switch (c.family) {
    case UNetFamily::SD1:
      return "SD 1.x";
    case UNetFamily::SD2:
      return "SD 2.x";
    case UNetFamily::SDXL:
      return "SDXL";
  }
  return "?";
}

/// Refuses a ControlNet whose encoder is not a copy of the model's (another family).
void checkCompatible(const std::string& who, const UNetConfig& net, const UNetConfig& base,
                     const std::string& modelName) {
  const bool same = net.modelChannels == base.modelChannels &&
                    net.channelMult == base.channelMult && net.numResBlocks == base.numResBlocks &&
                    net.contextDim == base.contextDim && net.admInChannels == base.admInChannels &&
                    net.transformerDepth == base.transformerDepth &&
                    net.linearProjection == base.linearProjection;
  if (same) return;
  throw GenerationError(
      Code::InvalidParams,
      who + " is a ControlNet for " + familyText(net) + " (width " +
          std::to_string(net.modelChannels) + ", text width " + std::to_string(net.contextDim) +
          ") but the model \"" + modelName + "\" is " + familyText(base) + " (width " +
          std::to_string(base.modelChannels) + ", text width " + std::to_string(base.contextDim) +
          "); choose a ControlNet made for " + familyText(base));
}

/// The unit's 8-bit control picture at width x height, preprocessed (control_pictures.h).
RgbImage unitPicture(const std::string& who, const ControlUnit& u, const GenerationParams& p,
                     int width, int height) {
  try {
    return lienzo::controlPicture(u, p.edit.initImage, width, height);
  } catch (const std::invalid_argument& e) {
    throw GenerationError(Code::InvalidParams, who + ": " + e.what());
  }
}

}  // namespace

ActiveControl::ActiveControl(const ModelBundle& bundle, const GenerationParams& p, int width,
                             int height) {
  if (p.controls.empty()) return;
  const UNetConfig* base = bundle.diffusion->unetConfig();
  if (!base)
    throw GenerationError(Code::UnsupportedModel,
                          bundle.description.name + " is not a U-Net model; ControlNets need one");
  const DiscreteSchedule* schedule = bundle.schedule->discrete();
  if (schedule) m_schedule = std::make_shared<const DiscreteSchedule>(*schedule);
  for (std::size_t index = 0; index < p.controls.size(); ++index) {
    const ControlUnit& u = p.controls[index];
    const std::string who = unitName(index, u);
    const auto path = findLoraFile(p.folders.controlnets, u.model);
    if (!path)
      throw GenerationError(Code::ModelLoad, who + ": no such ControlNet file (looked in the " +
                                                 "ControlNet folders and as a path)");
    std::optional<ControlNetFile> file;
    try {
      file = openControlNetFile(*path);
    } catch (const std::exception& e) {
      throw GenerationError(Code::ModelLoad, who + ": " + e.what());
    }
    ControlNetConfig config = file->config;
    checkCompatible(who, config.unet, *base, bundle.description.name);
    config.unet.numHeads = base->numHeads;  // the encoder is a copy of the model's
    config.unet.numHeadChannels = base->numHeadChannels;

    auto unit = std::make_shared<Unit>();
    unit->params = u;
    try {
      unit->net = loadControlNet(*file, config, bundle.dtype, bundle.device);
    } catch (const std::exception& e) {
      throw GenerationError(Code::ModelLoad, who + ": " + e.what());
    }
    const RgbImage picture = unitPicture(who, u, p, width, height);
    at::Tensor hint;
    if (resolvePreprocessor(u.preprocessor) == std::optional<std::string>("inpaint")) {
      if (p.edit.mask.empty())
        throw GenerationError(Code::InvalidParams,
                              who + ": the inpaint preprocessor needs the request's mask");
      GrayImage mask = p.edit.invertMask ? edit::invertMask(p.edit.mask) : p.edit.mask;
      mask = edit::resizeImage(mask, width, height, editResizeMode(u.resizeMode));
      hint = inpaintHint(picture, mask);  // [1,3,H,W], masked = -1
    } else {
      hint = controlHint(picture);  // [1,3,H,W]
    }
    unit->hintEmb = unit->net->hintEmbedding(hint);  // [1,mc,H/8,W/8]
    const bool soft = u.mode != ControlMode::Balanced;
    unit->scales = controlScales(config.residualCount(), u.weight, soft);
    if (u.window == ControlWindowRule::ComfyUI) {
      if (!schedule)
        throw GenerationError(Code::UnsupportedModel,
                              who + ": the ComfyUI window needs a discrete noise schedule");
      unit->sigmaStart = comfyPercentToSigma(*schedule, u.start);
      unit->sigmaEnd = comfyPercentToSigma(*schedule, u.end);
    }
    m_units.push_back(std::move(unit));
  }
}

namespace {

struct RunState {
  int samplingStep = 0;  // A1111's counter, see control_schedule.h
  int steps = 1;
};

}  // namespace

ActiveControl::Run ActiveControl::startRun(int steps) const {
  Run run;
  if (m_units.empty()) return run;
  auto state = std::make_shared<RunState>();
  state->steps = std::max(steps, 1);
  run.afterStep = [state](const SamplerStep& step) {
    state->samplingStep = step.index;  // the model calls of step index + 1 see this value
    state->steps = std::max(step.total, 1);
  };
  const auto units = m_units;
  const auto schedule = m_schedule;
  run.control = [units, state, schedule](const at::Tensor& x, const at::Tensor& t,
                                         const at::Tensor& context, const at::Tensor& y,
                                         const std::vector<bool>& uncondRows) -> UNetResiduals {
    // x [B,C,h,w], t [B]; one t for the whole batch (CFG halves share it).
    UNetResiduals sum;
    double sigma = -1.0;
    for (const auto& unit : units) {
      const ControlUnit& u = unit->params;
      bool active = true;
      if (u.window == ControlWindowRule::A1111) {
        active = a1111ControlActive(state->samplingStep, state->steps, u.start, u.end);
      } else {
        if (sigma < 0.0)  // the sampler's sigma, back from its t (k-diffusion t_to_sigma)
          sigma = schedule->tToSigma(t.reshape({-1}).narrow(0, 0, 1).to(at::kCPU, at::kFloat))
                      .item<double>();
        active = comfyControlActive(sigma, unit->sigmaStart, unit->sigmaEnd);
      }
      if (!active) continue;
      // Rows that get control: all, or (Control mode) the cond rows only.
      std::vector<int64_t> rows;
      for (std::size_t b = 0; b < uncondRows.size(); ++b)
        if (!(u.mode == ControlMode::Control && uncondRows[b])) rows.push_back(int64_t(b));
      if (rows.empty()) continue;
      const bool all = rows.size() == uncondRows.size();
      const at::Tensor idx = at::tensor(rows, at::kLong).to(x.device());
      auto pick = [&](const at::Tensor& v) {
        return all || !v.defined() ? v : v.index_select(0, idx.to(v.device()));
      };
      const at::Tensor tt = t.numel() == 1 ? t : pick(t);
      UNetResiduals r = unit->net->forward(pick(x), unit->hintEmb, tt, pick(context), pick(y));
      auto place = [&](const at::Tensor& part, float scale) {
        at::Tensor scaled = part * scale;  // Ref: ControlLDM.apply_model c * scale (float32)
        if (all) return scaled;
        std::vector<int64_t> shape = scaled.sizes().vec();
        shape[0] = int64_t(uncondRows.size());
        return at::zeros(shape, scaled.options()).index_copy_(0, idx.to(scaled.device()), scaled);
      };
      const std::size_t n = r.skips.size();
      if (sum.skips.empty()) sum.skips.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        const at::Tensor add = place(r.skips[i], unit->scales[i]);
        sum.skips[i] = sum.skips[i].defined() ? sum.skips[i] + add : add;
      }
      const at::Tensor mid = place(r.middle, unit->scales[n]);
      sum.middle = sum.middle.defined() ? sum.middle + mid : mid;
    }
    return sum;
  };
  return run;
}

}  // namespace lienzo
