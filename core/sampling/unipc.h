// UniPC: diffusers' UniPCMultistepScheduler (unified predictor-corrector, B(h) = expm1(-h)
// "bh2", x0 prediction, solver_order 2, lower_order_final), A1111 "UniPC".
//
// Each step first corrects the previous prediction with the new model output (UniC, skipped on
// the first step), then predicts the next latent (UniP); orders ramp up over the first steps and
// drop to 1 on the last. Sigmas/timesteps: multistepSigmaSchedule() (default spacing linspace,
// optional Karras). Deterministic (no noise).
//
// Threads/ownership: as diffusers_scheduler.h.
#pragma once

#include <memory>
#include <vector>

#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/sampler.h"

namespace lienzo {

// Ref: diffusers schedulers/scheduling_unipc_multistep.py UniPCMultistepScheduler
std::unique_ptr<DiffusersScheduler> makeDiffusersUniPc(const DiffusersConfig& config,
                                                       const UniPcOptions& options = {});

/// "UniPC": UniPC on the model's table (ctx.schedule); ctx.scheduleType "Karras" selects
/// use_karras_sigmas, other names keep the default; eta is ignored.
std::unique_ptr<Sampler> makeUniPcSampler();

/// Solves the small float32 system A x = b (n <= 8, A row-major [n*n]) with torch.linalg.solve,
/// as UniPC's corrector does. Throws std::invalid_argument if A is singular.
std::vector<float> solveSmallSystem(std::vector<float> a, std::vector<float> b);

}  // namespace lienzo
