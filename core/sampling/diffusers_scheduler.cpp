#include "core/sampling/diffusers_scheduler.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

#include "core/sampling/ddim.h"
#include "core/sampling/ddpm.h"
#include "core/sampling/diffusers_dpmsolver.h"
#include "core/sampling/diffusers_euler.h"
#include "core/sampling/discrete_common.h"
#include "core/sampling/lcm.h"
#include "core/sampling/plms.h"
#include "core/sampling/schedule.h"
#include "core/sampling/unipc.h"

namespace lienzo {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::unique_ptr<DiffusersScheduler> makeDiffusersScheduler(const std::string& className,
                                                           const DiffusersSchedulerOptions& opts) {
  const std::string n = lower(className);
  if (n == "ddimscheduler") return makeDiffusersDdim(opts.config, opts.eta);
  if (n == "pndmscheduler") return makeDiffusersPndm(opts.config);
  if (n == "ddpmscheduler") return makeDiffusersDdpm(opts.config);
  if (n == "lcmscheduler") return makeDiffusersLcm(opts.config, opts.lcm);
  if (n == "eulerdiscretescheduler") return makeDiffusersEuler(opts.config);
  if (n == "eulerancestraldiscretescheduler") return makeDiffusersEulerAncestral(opts.config);
  if (n == "lmsdiscretescheduler") return makeDiffusersLms(opts.config);
  if (n == "dpmsolvermultistepscheduler") return makeDiffusersDpmSolver(opts.config, opts.sde);
  if (n == "unipcmultistepscheduler") return makeDiffusersUniPc(opts.config, opts.unipc);
  throw std::invalid_argument(
      "unknown diffusers scheduler '" + className +
      "' (known: DDIMScheduler, PNDMScheduler, DDPMScheduler, LCMScheduler, "
      "EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, LMSDiscreteScheduler, "
      "DPMSolverMultistepScheduler, UniPCMultistepScheduler)");
}

at::Tensor DiffusersScheduler::addNoise(const at::Tensor& x0, const at::Tensor& noise,
                                        int64_t index) const {
  const discrete::AlphaSigma a = discrete::vpAlphaSigma(static_cast<float>(sigmaAt(index)));
  return x0 * a.alpha + noise * a.sigma;  // [B,C,H,W]
}

at::Tensor runDiffusersPipeline(DiffusersScheduler& scheduler, int64_t steps,
                                const at::Tensor& unitNoise, const ModelFn& model,
                                const NoiseFn& noise, const StepFn& onStep,
                                const at::Tensor& initLatent, int64_t runSteps) {
  if (!model) throw std::invalid_argument("diffusers pipeline: ModelFn is empty");
  if (!unitNoise.defined() || unitNoise.dim() < 1) {
    throw std::invalid_argument("diffusers pipeline: unitNoise must be a [B,...] tensor");
  }
  scheduler.setTimesteps(steps);
  const at::Tensor& timesteps = scheduler.timesteps();
  const at::Tensor tsDouble = timesteps.to(at::kDouble);
  const int64_t iterations = scheduler.iterations();
  int64_t start = 0;
  at::Tensor x;
  if (initLatent.defined()) {
    const at::Tensor x0 = initLatent.to(unitNoise.device(), at::kFloat);
    if (runSteps <= 0 || iterations == 0) return x0;
    // Ref: diffusers StableDiffusionImg2ImgPipeline: timesteps[t_start:], add_noise at the first
    start = std::clamp<int64_t>(steps - runSteps, 0, iterations - 1);
    x = scheduler.addNoise(x0, unitNoise.to(at::kFloat), start);  // [B,C,H,W]
  } else {
    // Ref: diffusers StableDiffusionPipeline: latents = randn * scheduler.init_noise_sigma
    x = unitNoise * static_cast<float>(scheduler.initNoiseSigma());  // [B,C,H,W]
  }
  at::Tensor denoised;
  for (int64_t i = start; i < iterations; ++i) {
    const at::Tensor modelIn =
        scheduler.usesScaleModelInput() ? scheduler.scaleModelInput(x, i) : x;
    const double t = tsDouble[i].item<double>();
    const at::Tensor out = model(modelIn, discrete::timestepBatch(t, modelIn));
    DiffusersStepOutput r = scheduler.step(out, i, x, noise);
    x = std::move(r.prevSample);
    denoised = std::move(r.predOriginal);
    if (!discrete::reportStep(onStep, i - start, iterations - start, scheduler.sigmaAt(i), x,
                              denoised))
      break;
  }
  return scheduler.returnsDenoised() && denoised.defined() ? denoised : x;
}

DiffusersSampler::DiffusersSampler(std::string className, DiffusersSchedulerOptions defaults,
                                   bool supportsKarras)
    : m_className(std::move(className)),
      m_defaults(std::move(defaults)),
      m_supportsKarras(supportsKarras) {}

at::Tensor DiffusersSampler::sample(const SamplingContext& ctx) {
  discrete::checkContext(ctx, m_className.c_str());
  DiffusersSchedulerOptions opts = m_defaults;
  opts.config.alphasCumprod = ctx.schedule->alphasCumprod();
  opts.config.numTrainTimesteps = ctx.schedule->numTimesteps();
  opts.config.prediction = ctx.prediction;
  // "Karras" turns Karras sigmas on where the class has them; otherwise the configured value
  // (a model folder's scheduler_config.json may ask for them) stands.
  if (m_supportsKarras && discrete::isKarrasScheduleType(ctx.scheduleType))
    opts.config.useKarrasSigmas = true;
  std::unique_ptr<DiffusersScheduler> scheduler = makeDiffusersScheduler(m_className, opts);
  if (!ctx.initLatent.defined())
    return runDiffusersPipeline(*scheduler, ctx.steps, ctx.unitNoise, ctx.model, ctx.noise,
                                ctx.onStep);
  const DenoiseWindow window = denoiseWindow(ctx.steps, ctx.strength, ctx.fixedSteps);
  return runDiffusersPipeline(*scheduler, window.scheduleSteps, ctx.unitNoise, ctx.model, ctx.noise,
                              ctx.onStep, ctx.initLatent, window.runSteps);
}

int DiffusersSampler::modelCalls(int steps) const {
  try {
    std::unique_ptr<DiffusersScheduler> scheduler = makeDiffusersScheduler(m_className, m_defaults);
    scheduler->setTimesteps(steps);
    return static_cast<int>(scheduler->iterations());
  } catch (const std::invalid_argument&) {
    return 0;  // a run with this many steps would be refused
  }
}

}  // namespace lienzo
