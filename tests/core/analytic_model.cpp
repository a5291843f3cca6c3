#include "analytic_model.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "support/fixtures.h"

namespace lienzo::testing {

at::Tensor analyticUnet(const at::Tensor& xIn, const at::Tensor& tIn, const at::Tensor& mu,
                        const at::Tensor& logSigmas, Prediction pred, double s) {
  // Ref: fixtures/samplers/README.md analytic_unet
  at::Tensor t = tIn.to(xIn.scalar_type()).reshape({-1});  // [B] or [1]
  at::Tensor lo = t.floor().to(at::kLong);
  at::Tensor hi = t.ceil().to(at::kLong);
  at::Tensor w = t.frac();
  at::Tensor sigma =
      (at::rsub(w, 1) * logSigmas.index_select(0, lo) + w * logSigmas.index_select(0, hi)).exp();
  std::vector<int64_t> shape(static_cast<size_t>(xIn.dim()), 1);
  shape[0] = -1;
  sigma = sigma.reshape(shape);                     // [B,1,1,1]
  at::Tensor x = xIn * (sigma * sigma + 1).sqrt();  // VP latent -> VE latent
  const double s2 = s * s;
  at::Tensor eps = sigma * (x - mu) / (sigma * sigma + s2);
  if (pred == Prediction::Epsilon) return eps;
  at::Tensor x0 = (x * s2 + sigma * sigma * mu) / (sigma * sigma + s2);
  return (eps - sigma * x0) / (sigma * sigma + 1).sqrt();  // v
}

AnalyticModel::AnalyticModel()
    : m_file(SafetensorsFile::open(fixturePath("samplers/model.safetensors"))) {
  m_logSigmas = m_file.load("log_sigmas", at::kFloat);
  const nlohmann::json manifest = readJsonFixture("samplers/model.json");
  m_s = manifest.at("s").get<double>();
}

at::Tensor AnalyticModel::tensor(const std::string& name) const {
  return m_file.load(name, toScalarType(m_file.info(name).dtype));
}

at::Tensor AnalyticModel::byReference(const std::string& reference) const {
  const std::string prefix = "model.safetensors:";
  if (reference.rfind(prefix, 0) != 0) {
    throw std::runtime_error("unexpected tensor reference '" + reference + "'");
  }
  return m_file.load(reference.substr(prefix.size()), at::kFloat);
}

ModelFn AnalyticModel::modelFn(const at::Tensor& mu, Prediction pred) const {
  at::Tensor logSigmas = m_logSigmas;
  const double s = m_s;
  return [=](const at::Tensor& xIn, const at::Tensor& t) {
    return analyticUnet(xIn, t, mu, logSigmas, pred, s);
  };
}

ModelFn AnalyticModel::cfgModelFn(const at::Tensor& muUncond, const at::Tensor& muCond,
                                  double scale, Prediction pred) const {
  at::Tensor logSigmas = m_logSigmas;
  const double s = m_s;
  at::Tensor mu = at::cat({muUncond, muCond});
  return [=](const at::Tensor& xIn, const at::Tensor& t) {
    at::Tensor out = analyticUnet(at::cat({xIn, xIn}), at::cat({t, t}), mu, logSigmas, pred, s);
    auto parts = out.chunk(2);  // uncond, cond
    return parts[0] + (parts[1] - parts[0]) * scale;
  };
}

FixtureSet::FixtureSet(const std::string& stem)
    : m_manifest(readJsonFixture(stem + ".json")),
      m_file(SafetensorsFile::open(fixturePath(stem + ".safetensors"))) {}

const nlohmann::json& FixtureSet::findCase(
    const std::function<bool(const nlohmann::json&)>& pred) const {
  for (const auto& c : cases()) {
    if (pred(c)) return c;
  }
  throw std::runtime_error("no fixture case matches the request");
}

bool FixtureSet::has(const std::string& caseId, const std::string& suffix) const {
  return m_file.contains(caseId + "/" + suffix);
}

at::Tensor FixtureSet::load(const std::string& caseId, const std::string& suffix) const {
  const std::string name = caseId + "/" + suffix;
  const auto dtype = toScalarType(m_file.info(name).dtype);
  return m_file.load(name, dtype == at::kLong ? at::kLong : at::kFloat);
}

Prediction predictionFromName(const std::string& name) {
  if (name == "eps") return Prediction::Epsilon;
  if (name == "v") return Prediction::V;
  throw std::runtime_error("unknown prediction '" + name + "'");
}

std::vector<int64_t> shapeFromJson(const nlohmann::json& shape) {
  std::vector<int64_t> out;
  for (const auto& d : shape) out.push_back(d.get<int64_t>());
  return out;
}

}  // namespace lienzo::testing
