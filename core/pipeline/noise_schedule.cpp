// DiscreteVpNoiseSchedule (noise_schedule.h).
#include "core/pipeline/noise_schedule.h"

#include "core/pipeline/model_decorators.h"

#include <utility>

namespace lienzo {

DiscreteVpNoiseSchedule::DiscreteVpNoiseSchedule(DiscreteSchedule schedule, Prediction prediction,
                                                 double x0Clamp,
                                                 std::optional<DiffusersConfig> diffusers,
                                                 std::string diffusersClass)
    : m_schedule(std::move(schedule)),
      m_prediction(prediction),
      m_x0Clamp(x0Clamp),
      m_diffusers(std::move(diffusers)),
      m_diffusersClass(std::move(diffusersClass)) {}

ModelFn DiscreteVpNoiseSchedule::decorate(ModelFn model) const {
  // Small models trained with the cosine schedule need |x0| clamped at sampling.
  if (!(m_x0Clamp > 0)) return model;
  return clampPredictedX0(std::move(model), m_schedule, m_x0Clamp, m_prediction);
}

const DiffusersConfig* DiscreteVpNoiseSchedule::diffusersScheduler() const {
  return m_diffusers ? &*m_diffusers : nullptr;
}

}  // namespace lienzo
