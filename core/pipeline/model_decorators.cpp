#include "core/pipeline/model_decorators.h"

#include <ATen/ATen.h>

#include <utility>

namespace lienzo {

ModelFn mapPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, Prediction prediction,
                       X0Map map) {
  const DiscreteSchedule sched = schedule;  // immutable value copy (tensors shared)
  const bool v = prediction == Prediction::V;
  return [inner = std::move(inner), sched, v, map = std::move(map)](const at::Tensor& x,
                                                                    const at::Tensor& t) {
    const auto out = inner(x, t);                                              // [B,C,h,w] ε or v
    const auto sigma = sched.tToSigma(t.to(at::kFloat).cpu()).to(x.device());  // [B]
    const auto abar = (1.0 / (1.0 + sigma * sigma)).view({-1, 1, 1, 1});
    const auto sa = abar.sqrt(), s1 = (1.0 - abar).sqrt();
    const auto x0 = map(v ? sa * x - s1 * out : (x - s1 * out) / sa);
    return v ? (sa * x - x0) / s1 : (x - sa * x0) / s1;
  };
}

ModelFn mapPredictedX0(ModelFn inner, const FlowSchedule& flow, X0Map map) {
  return [inner = std::move(inner), flow, map = std::move(map)](const at::Tensor& x,
                                                                const at::Tensor& t) {
    const auto v = inner(x, t);  // [B,C,h,w] velocity
    const auto sigma = flow.sigmaOfTimestep(t).to(x.device()).view({-1, 1, 1, 1});  // [B,1,1,1]
    const auto x0 = map(x - sigma * v);
    return (x - x0) / sigma;
  };
}

ModelFn clampPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, double limit,
                         Prediction prediction) {
  if (!(limit > 0)) return inner;
  return mapPredictedX0(std::move(inner), schedule, prediction,
                        [limit](const at::Tensor& x0) { return x0.clamp(-limit, limit); });
}

ModelFn blendPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, Prediction prediction,
                         const at::Tensor& nmask, const at::Tensor& init) {
  const at::Tensor keep = 1.0 - nmask;  // [1,C|1,h,w] 1 = keep the original
  return mapPredictedX0(
      std::move(inner), schedule, prediction, [nmask, keep, init](const at::Tensor& x0) {
        // Ref: A1111 CFGDenoiser: denoised * nmask + init_latent * mask
        return x0 * nmask.to(x0.device()) + init.to(x0.device()) * keep.to(x0.device());
      });
}

ModelFn blendPredictedX0(ModelFn inner, const FlowSchedule& flow, const at::Tensor& nmask,
                         const at::Tensor& init) {
  const at::Tensor keep = 1.0 - nmask;  // [1,C|1,h,w] 1 = keep the original
  return mapPredictedX0(std::move(inner), flow, [nmask, keep, init](const at::Tensor& x0) {
    // Ref: A1111 CFGDenoiser: denoised * nmask + init_latent * mask
    return x0 * nmask.to(x0.device()) + init.to(x0.device()) * keep.to(x0.device());
  });
}

}  // namespace lienzo
