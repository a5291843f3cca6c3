// Test helper: the samplers fixtures' closed-form "analytic model" and small fixture readers,
// shared by the sampler tests (k-diffusion, CompVis/diffusers-style).
//
// analyticUnet() is the python `analytic_unet` of fixtures/samplers/README.md op for op in float32:
// data x0 ~ N(mu, s^2) elementwise, wrapped as a discrete-time SD "UNet" that takes the VP-scaled
// latent and a (fractional) timestep and returns eps or v.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/sampling/sampler.h"

namespace lienzo::testing {

/// analytic_unet(x_in, t, mu, log_sigmas, s, pred): x_in [B,...], t [B] or [1] (any dtype),
/// mu broadcastable to x_in, logSigmas [T] float32.
at::Tensor analyticUnet(const at::Tensor& xIn, const at::Tensor& t, const at::Tensor& mu,
                        const at::Tensor& logSigmas, Prediction pred, double s = 0.5);

/// samplers/model.safetensors: schedule tables, means, self-test vectors.
class AnalyticModel {
 public:
  /// Opens fixturePath("samplers/model.safetensors") and reads model.json (s).
  AnalyticModel();
  at::Tensor tensor(const std::string& name) const;  ///< in its stored dtype
  /// "model.safetensors:mu_A" -> tensor mu_A.
  at::Tensor byReference(const std::string& reference) const;
  const at::Tensor& logSigmas() const { return m_logSigmas; }
  double s() const { return m_s; }
  /// A ModelFn for conditioning mean `mu` (no guidance).
  ModelFn modelFn(const at::Tensor& mu, Prediction pred) const;
  /// A ModelFn applying CFG on the eps/v output: u + (c - u) * scale over one batched call.
  ModelFn cfgModelFn(const at::Tensor& muUncond, const at::Tensor& muCond, double scale,
                     Prediction pred) const;

 private:
  SafetensorsFile m_file;
  at::Tensor m_logSigmas;
  double m_s = 0.5;
};

/// One sampler fixture set: "<stem>.json" (cases, failures) + "<stem>.safetensors".
class FixtureSet {
 public:
  /// e.g. FixtureSet("samplers/kdiffusion").
  explicit FixtureSet(const std::string& stem);
  const nlohmann::json& manifest() const { return m_manifest; }
  const nlohmann::json& cases() const { return m_manifest.at("cases"); }
  /// The first case for which `pred` is true; throws std::runtime_error when none.
  const nlohmann::json& findCase(const std::function<bool(const nlohmann::json&)>& pred) const;
  bool has(const std::string& caseId, const std::string& suffix) const;
  /// Tensor `<caseId>/<suffix>` as float32 (int64 tensors keep their dtype).
  at::Tensor load(const std::string& caseId, const std::string& suffix) const;

 private:
  nlohmann::json m_manifest;
  SafetensorsFile m_file;
};

/// "eps" | "v" -> Prediction.
Prediction predictionFromName(const std::string& name);
/// A JSON shape list -> std::vector<int64_t>.
std::vector<int64_t> shapeFromJson(const nlohmann::json& shape);

}  // namespace lienzo::testing
