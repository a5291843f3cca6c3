#include "core/sampling/diffusers_schedule.h"

#include "core/sampling/discrete_common.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace lienzo {
namespace {

// np.round: half to even (the default FE_TONEAREST rounding mode).
double roundHalfEven(double v) {
  return std::nearbyint(v);
}

// numpy.linspace(start, stop, num) in float64: i * step + start, last point exactly `stop`.
std::vector<double> npLinspace(double start, double stop, int64_t num) {
  std::vector<double> out(static_cast<size_t>(num));
  if (num == 1) {
    out[0] = start;
    return out;
  }
  const double step = (stop - start) / static_cast<double>(num - 1);
  for (int64_t i = 0; i < num; ++i) out[i] = static_cast<double>(i) * step + start;
  out[num - 1] = stop;
  return out;
}

// numpy.arange(start, stop, step) for float64: length ceil((stop - start) / step), values
// start + i * delta with delta = (start + step) - start (numpy's DOUBLE_fill).
std::vector<double> npArange(double start, double stop, double step) {
  const double len = std::ceil((stop - start) / step);
  const int64_t n = len > 0 ? static_cast<int64_t>(len) : 0;
  std::vector<double> out(static_cast<size_t>(n));
  if (n == 0) return out;
  out[0] = start;
  const double delta = (start + step) - start;
  for (int64_t i = 1; i < n; ++i) out[i] = start + static_cast<double>(i) * delta;
  return out;
}

std::vector<double> trailingTimesteps(int64_t T, int64_t n) {
  // Ref: np.round(np.arange(T, 0, -T / n)) - 1
  std::vector<double> ts =
      npArange(static_cast<double>(T), 0.0, -(static_cast<double>(T) / static_cast<double>(n)));
  for (double& t : ts) t = roundHalfEven(t) - 1.0;
  return ts;
}

// sigmas with a final 0 appended, as float32 [n+1].
at::Tensor sigmasWithZero(const std::vector<double>& sigmas) {
  std::vector<double> all(sigmas);
  all.push_back(0.0);
  return discrete::floatTensor(all);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TimestepSpacing timestepSpacingFromName(const std::string& name) {
  const std::string n = lower(name);
  if (n == "linspace") return TimestepSpacing::Linspace;
  if (n == "leading") return TimestepSpacing::Leading;
  if (n == "trailing") return TimestepSpacing::Trailing;
  throw std::invalid_argument("unknown timestep spacing '" + name +
                              "' (valid: linspace, leading, trailing)");
}

const char* timestepSpacingName(TimestepSpacing spacing) {
  switch (spacing) {
    case TimestepSpacing::Linspace:
      return "linspace";
    case TimestepSpacing::Leading:
      return "leading";
    case TimestepSpacing::Trailing:
      return "trailing";
  }
  return "?";
}

void checkInferenceSteps(int64_t n, int64_t numTrainTimesteps, const char* who) {
  if (n < 1 || n > numTrainTimesteps) {
    throw std::invalid_argument(std::string(who) + ": steps must be in [1, " +
                                std::to_string(numTrainTimesteps) + "], got " + std::to_string(n));
  }
}

at::Tensor diffusersBetas(const DiffusersConfig& config) {
  if (config.numTrainTimesteps < 2) {
    throw std::invalid_argument("diffusers config: num_train_timesteps must be >= 2");
  }
  // Ref: diffusers DDIMScheduler.__init__: torch.linspace(..., dtype=torch.float32) [** 2]
  if (config.betaSchedule == BetaSchedule::Linear) {
    return at::linspace(config.betaStart, config.betaEnd, config.numTrainTimesteps, at::kFloat);
  }
  const double lo = std::pow(config.betaStart, 0.5);  // python beta_start ** 0.5
  const double hi = std::pow(config.betaEnd, 0.5);
  return at::pow(at::linspace(lo, hi, config.numTrainTimesteps, at::kFloat), 2);
}

at::Tensor diffusersAlphasCumprod(const DiffusersConfig& config) {
  if (config.alphasCumprod.defined()) {
    at::Tensor table = config.alphasCumprod.to(at::kCPU, at::kFloat).contiguous();
    if (table.dim() != 1 || table.size(0) != config.numTrainTimesteps) {
      throw std::invalid_argument("diffusers config: alphas_cumprod must have shape [" +
                                  std::to_string(config.numTrainTimesteps) + "]");
    }
    return table;
  }
  const at::Tensor alphas = at::rsub(diffusersBetas(config), 1.0);  // 1.0 - betas
  return at::cumprod(alphas, 0);  // [T] float32 (torch accumulates in double on CPU)
}

at::Tensor diffusersSigmaTable(const at::Tensor& alphasCumprod) {
  // Ref: ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5, float32
  return at::pow(at::div(at::rsub(alphasCumprod, 1.0), alphasCumprod), 0.5);
}

std::vector<double> diffusersTimesteps(TimestepSpacing spacing, int64_t T, int64_t n,
                                       int64_t stepsOffset, bool roundLinspace) {
  checkInferenceSteps(n, T, "diffusers timesteps");
  std::vector<double> ts;
  switch (spacing) {
    case TimestepSpacing::Linspace: {
      ts = npLinspace(0.0, static_cast<double>(T - 1), n);
      for (double& t : ts) {
        // Euler / LMS: np.linspace(..., dtype=np.float32); DDIM & co: .round()
        t = roundLinspace ? roundHalfEven(t) : static_cast<double>(static_cast<float>(t));
      }
      std::reverse(ts.begin(), ts.end());
      break;
    }
    case TimestepSpacing::Leading: {
      const int64_t ratio = T / n;
      for (int64_t i = n - 1; i >= 0; --i)
        ts.push_back(static_cast<double>(i * ratio + stepsOffset));
      break;
    }
    case TimestepSpacing::Trailing:
      ts = trailingTimesteps(T, n);
      break;
  }
  return ts;
}

std::vector<double> diffusersMultistepTimesteps(TimestepSpacing spacing, int64_t T, int64_t n,
                                                int64_t stepsOffset) {
  checkInferenceSteps(n, T, "diffusers multistep timesteps");
  std::vector<double> ts;
  switch (spacing) {
    case TimestepSpacing::Linspace: {
      // Ref: np.linspace(0, T - 1, n + 1).round()[::-1][:-1]
      const std::vector<double> all = npLinspace(0.0, static_cast<double>(T - 1), n + 1);
      for (int64_t i = n; i >= 1; --i) ts.push_back(roundHalfEven(all[i]));
      break;
    }
    case TimestepSpacing::Leading: {
      // Ref: (np.arange(0, n + 1) * (T // (n + 1))).round()[::-1][:-1] + steps_offset
      const int64_t ratio = T / (n + 1);
      for (int64_t i = n; i >= 1; --i) ts.push_back(static_cast<double>(i * ratio + stepsOffset));
      break;
    }
    case TimestepSpacing::Trailing:
      ts = trailingTimesteps(T, n);
      break;
  }
  return ts;
}

std::vector<double> interpSigmas(const at::Tensor& sigmaTable, const std::vector<double>& x) {
  const at::Tensor table = sigmaTable.to(at::kCPU, at::kFloat).contiguous();
  const float* fp = table.data_ptr<float>();
  const int64_t len = table.numel();
  if (len < 2) throw std::invalid_argument("interpSigmas: table needs >= 2 entries");
  std::vector<double> out;
  out.reserve(x.size());
  // Ref: numpy compiled_base.c arr_interp with xp = arange(len)
  for (const double xv : x) {
    if (std::isnan(xv)) {
      out.push_back(xv);
    } else if (xv < 0.0) {
      out.push_back(fp[0]);
    } else if (xv >= static_cast<double>(len - 1)) {
      out.push_back(fp[len - 1]);
    } else {
      const int64_t j = static_cast<int64_t>(std::floor(xv));
      const double xj = static_cast<double>(j);
      if (xj == xv) {
        out.push_back(fp[j]);
      } else {
        const double slope = (static_cast<double>(fp[j + 1]) - static_cast<double>(fp[j])) /
                             (static_cast<double>(j + 1) - xj);
        out.push_back(slope * (xv - xj) + static_cast<double>(fp[j]));
      }
    }
  }
  return out;
}

std::vector<double> karrasSigmas(int64_t n, double sigmaMin, double sigmaMax, double rho) {
  if (n < 1) throw std::invalid_argument("karrasSigmas: n must be >= 1");
  const std::vector<double> ramp = npLinspace(0.0, 1.0, n);
  const double minInvRho = std::pow(sigmaMin, 1.0 / rho);
  const double maxInvRho = std::pow(sigmaMax, 1.0 / rho);
  std::vector<double> out(ramp.size());
  for (size_t i = 0; i < ramp.size(); ++i) {
    out[i] = std::pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
  }
  return out;
}

double diffusersSigmaToT(double sigma, const at::Tensor& logSigmaTable) {
  const at::Tensor table = logSigmaTable.to(at::kCPU, at::kFloat).contiguous();
  const float* ls = table.data_ptr<float>();
  const int64_t len = table.numel();
  if (len < 2) throw std::invalid_argument("diffusersSigmaToT: table needs >= 2 entries");
  const double logSigma = std::log(std::max(sigma, 1e-10));
  // dists = log_sigma - log_sigmas[:, None] is float32 under numpy 1.x value-based casting.
  const float logSigmaF = static_cast<float>(logSigma);
  int64_t low = 0;
  for (int64_t j = 0; j < len; ++j) {
    if (logSigmaF - ls[j] >= 0.0f) low = j;  // argmax(cumsum(dists >= 0)) = last such j
  }
  low = std::min<int64_t>(low, len - 2);
  const int64_t high = low + 1;
  // low_idx has shape (1,), so low/high are float32 arrays and, under value-based casting, w is
  // float32 too; (1 - w) * low_idx + w * high_idx promotes to float64 (float32 x int64 arrays).
  const float lowV = ls[low];
  const float highV = ls[high];
  float w = (lowV - logSigmaF) / (lowV - highV);
  w = std::clamp(w, 0.0f, 1.0f);
  return static_cast<double>(1.0f - w) * static_cast<double>(low) +
         static_cast<double>(w) * static_cast<double>(high);
}

DiffusersSigmaSchedule eulerSigmaSchedule(const DiffusersConfig& config, int64_t n) {
  const int64_t T = config.numTrainTimesteps;
  const TimestepSpacing spacing = config.spacing.value_or(TimestepSpacing::Linspace);
  const at::Tensor table = diffusersSigmaTable(diffusersAlphasCumprod(config));  // [T]
  // Ref: diffusers EulerDiscreteScheduler.set_timesteps (interpolation_type "linear")
  std::vector<double> ts = diffusersTimesteps(spacing, T, n, config.stepsOffset, false);
  std::vector<double> sig = interpSigmas(table, ts);
  if (config.useKarrasSigmas) {
    sig = karrasSigmas(n, sig.back(), sig.front());
    const at::Tensor logTable = at::log(table);
    for (size_t i = 0; i < sig.size(); ++i) ts[i] = diffusersSigmaToT(sig[i], logTable);
  }
  DiffusersSigmaSchedule out;
  out.timesteps = discrete::floatTensor(ts);
  out.sigmas = sigmasWithZero(sig);
  const float maxSigma = out.sigmas.max().item<float>();
  // Ref: EulerDiscreteScheduler.init_noise_sigma
  if (spacing == TimestepSpacing::Linspace || spacing == TimestepSpacing::Trailing) {
    out.initNoiseSigma = maxSigma;
  } else {
    out.initNoiseSigma = std::sqrt(maxSigma * maxSigma + 1.0f);
  }
  return out;
}

DiffusersSigmaSchedule multistepSigmaSchedule(const DiffusersConfig& config, int64_t n) {
  const int64_t T = config.numTrainTimesteps;
  const TimestepSpacing spacing = config.spacing.value_or(TimestepSpacing::Linspace);
  const at::Tensor table = diffusersSigmaTable(diffusersAlphasCumprod(config));  // [T]
  // Ref: diffusers DPMSolverMultistepScheduler.set_timesteps (final_sigmas_type "zero")
  std::vector<double> ts = diffusersMultistepTimesteps(spacing, T, n, config.stepsOffset);
  std::vector<double> sig;
  if (config.useKarrasSigmas) {
    const float* s = table.data_ptr<float>();
    sig = karrasSigmas(n, s[0], s[T - 1]);
    const at::Tensor logTable = at::log(table);
    ts.resize(sig.size());
    for (size_t i = 0; i < sig.size(); ++i) {
      ts[i] = roundHalfEven(diffusersSigmaToT(sig[i], logTable));
    }
  } else {
    sig = interpSigmas(table, ts);
  }
  DiffusersSigmaSchedule out;
  out.timesteps = discrete::longTensor(ts);
  out.sigmas = sigmasWithZero(sig);
  out.initNoiseSigma = 1.0;
  return out;
}

}  // namespace lienzo
