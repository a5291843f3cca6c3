#include "core/sampling/denoiser.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <vector>

namespace lienzo {
namespace {

// sigma [B] -> [B,1,1,...] with `ndim` dims. Ref: k-diffusion utils.append_dims
at::Tensor appendDims(const at::Tensor& v, int64_t ndim) {
  std::vector<int64_t> shape(v.sizes().begin(), v.sizes().end());
  while (static_cast<int64_t>(shape.size()) < ndim) shape.push_back(1);
  return v.reshape(shape);
}

void checkSigma(const at::Tensor& x, const at::Tensor& sigma) {
  if (sigma.dim() != 1 || x.dim() < 1 || sigma.size(0) != x.size(0)) {
    throw std::invalid_argument("KDenoiser: sigma must be [B] matching x's batch");
  }
}

}  // namespace

KDenoiser::KDenoiser(const DiscreteSchedule& schedule, Prediction prediction)
    : m_schedule(&schedule), m_prediction(prediction) {}

KDenoiser::KDenoiser(const FlowSchedule& flow) : m_flow(&flow), m_prediction(Prediction::Flow) {}

at::Tensor KDenoiser::cIn(const at::Tensor& sigma, int64_t ndim) const {
  if (m_flow) return appendDims(at::ones_like(sigma), ndim);  // the flow latent goes in as is
  // 1 / (sigma ** 2 + sigma_data ** 2) ** 0.5 with sigma_data = 1 (python 1/x is reciprocal(x)).
  return appendDims(at::reciprocal(at::sqrt(sigma * sigma + 1.0)), ndim);
}

at::Tensor KDenoiser::denoisedFromPrediction(const at::Tensor& x, const at::Tensor& sigma,
                                             const at::Tensor& prediction) const {
  checkSigma(x, sigma);
  const int64_t nd = x.dim();
  // Ref: sd3_impls.py ModelSamplingDiscreteFlow.calculate_denoised: model_input − output·sigma
  if (m_flow) return x - prediction * appendDims(sigma, nd);
  if (m_prediction == Prediction::Epsilon) {
    // Ref: DiscreteEpsDDPMDenoiser: input + eps * c_out, c_out = -sigma
    return x + prediction * appendDims(-sigma, nd);
  }
  // Ref: DiscreteVDDPMDenoiser.get_scalings / forward
  at::Tensor s2p1 = sigma * sigma + 1.0;
  at::Tensor cSkip = appendDims(at::reciprocal(s2p1) * 1.0, nd);
  at::Tensor cOut = appendDims((-sigma * 1.0) / at::sqrt(s2p1), nd);
  return prediction * cOut + x * cSkip;
}

at::Tensor KDenoiser::operator()(const ModelFn& model, const at::Tensor& x,
                                 const at::Tensor& sigma) const {
  checkSigma(x, sigma);
  // Flow: the latent itself and the network's timestep (sd3_impls BaseModel.apply_model).
  at::Tensor xIn = m_flow ? x : x * cIn(sigma, x.dim());                          // [B,C,H,W]
  at::Tensor t = m_flow ? m_flow->timestep(sigma) : m_schedule->sigmaToT(sigma);  // [B]
  at::Tensor out = model(xIn, t);  // [B,C,H,W] eps, v or the flow velocity
  if (!out.defined() || out.sizes() != x.sizes()) {
    throw std::runtime_error("KDenoiser: the model returned a tensor of the wrong shape");
  }
  return denoisedFromPrediction(x, sigma, out);
}

at::Tensor cfgCombine(const at::Tensor& uncond, const at::Tensor& cond, double scale) {
  return uncond + (cond - uncond) * scale;
}

}  // namespace lienzo
