// Ref: PyTorch torch/nn/modules/linear.py reset_parameters (default init); diffusers
//      training_utils.py EMAModel; PyTorch optim/adamw.py (state layout).
#include "core/train/train_utils.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/text/clip_text_model.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/optim/adamw.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <unordered_set>
#include <utility>

namespace lienzo::train {

namespace {

bool containsAny(const std::string& path, const std::vector<std::string>& needles) {
  for (const auto& n : needles)
    if (path.find(n) != std::string::npos) return true;
  return false;
}

void uniformFanIn(at::Tensor& t, int64_t fanIn, at::Generator& gen) {
  const double bound = 1.0 / std::sqrt(double(fanIn));
  t.uniform_(-bound, bound, gen);
}

// AdamW's state key for a parameter: its TensorImpl address, printed as a string by libtorch 1.x
// and the raw pointer by libtorch 2.x (Optimizer::state() changed its key type).
using OptimizerStateKey =
    std::decay_t<decltype(std::declval<torch::optim::AdamW&>().state())>::key_type;

template <typename Key = OptimizerStateKey>
Key paramKey(const at::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream os;  // what c10::guts::to_string(p.unsafeGetTensorImpl()) writes
    os << p.unsafeGetTensorImpl();
    return os.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

}  // namespace

void initParameters(torch::nn::Module& module, at::Generator& gen,
                    const std::vector<std::string>& zeroPaths) {
  at::NoGradGuard noGrad;
  std::unordered_set<const c10::TensorImpl*> done;
  for (const auto& item : module.named_modules()) {
    torch::nn::Module* m = item.value().get();
    const std::string& path = item.key();
    const bool zero = containsAny(path + ".", zeroPaths);
    if (auto* lin = dynamic_cast<LinearImpl*>(m)) {
      uniformFanIn(lin->weight, lin->options.in, gen);
      if (lin->bias.defined()) uniformFanIn(lin->bias, lin->options.in, gen);
      if (zero) {
        lin->weight.zero_();
        if (lin->bias.defined()) lin->bias.zero_();
      }
    } else if (auto* conv = dynamic_cast<Conv2dImpl*>(m)) {
      const int64_t fanIn = conv->options.in * conv->options.kernel * conv->options.kernel;
      uniformFanIn(conv->weight, fanIn, gen);
      if (conv->bias.defined()) uniformFanIn(conv->bias, fanIn, gen);
      if (zero) {
        conv->weight.zero_();
        if (conv->bias.defined()) conv->bias.zero_();
      }
    } else if (auto* gn = dynamic_cast<GroupNormImpl*>(m); gn && gn->weight.defined()) {
      gn->weight.fill_(1.0);
      gn->bias.zero_();
    } else if (auto* ln = dynamic_cast<LayerNormImpl*>(m)) {
      ln->weight.fill_(1.0);
      ln->bias.zero_();
    } else if (auto* emb = dynamic_cast<TokenEmbeddingImpl*>(m)) {
      emb->weight.normal_(0.0, 0.02, gen);
    } else if (const auto own = m->named_parameters(false);
               own.contains("weight") && own["weight"].dim() >= 2) {
      // Other projections holding a `weight` [out, in, ...] (+ `bias` [out]), e.g. the VAE
      // attention's 1x1 q/k/v/proj_out: the reference's Conv2d 1x1 default, U(±1/sqrt(fan_in)).
      at::Tensor weight = own["weight"];  // handles share the parameters' storage
      const int64_t fanIn = weight.numel() / weight.size(0);
      uniformFanIn(weight, fanIn, gen);
      if (own.contains("bias")) {
        at::Tensor bias = own["bias"];
        uniformFanIn(bias, fanIn, gen);
      }
      if (zero)
        for (auto& p : m->parameters(false)) p.zero_();
    } else {
      continue;
    }
    for (const auto& p : m->parameters(false)) done.insert(p.unsafeGetTensorImpl());
  }
  // Parameters outside any layer (e.g. the U-Net's position map, UNetConfig::positionSide) have
  // no init rule of their own: under a zero path they start at zero.
  for (const auto& p : module.named_parameters(true))
    if (done.count(p.value().unsafeGetTensorImpl()) == 0 && containsAny(p.key() + ".", zeroPaths)) {
      at::Tensor t = p.value();
      t.zero_();
      done.insert(t.unsafeGetTensorImpl());
    }
  // Layers are built with uninitialised storage (loading pays no random init), so a parameter no
  // rule above covers would train from whatever the heap held: refuse instead.
  for (const auto& p : module.named_parameters(true))
    if (done.count(p.value().unsafeGetTensorImpl()) == 0)
      throw std::logic_error("initParameters: no initialisation rule for parameter '" + p.key() +
                             "'");
}

std::vector<std::pair<std::string, at::Tensor>> namedTensors(const torch::nn::Module& module,
                                                             const std::string& prefix) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : module.named_parameters(true))
    out.emplace_back(prefix + p.key(), p.value().detach());
  for (const auto& b : module.named_buffers(true))
    out.emplace_back(prefix + b.key(), b.value().detach());
  return out;
}

// ---- EMA ---------------------------------------------------------------------------------------

Ema::Ema(const torch::nn::Module& module, double decay) : m_decay(decay) {
  for (const auto& p : module.named_parameters(true))
    m_tensors.emplace_back(p.key(), p.value().detach().to(at::kFloat).clone());
}

void Ema::update(const torch::nn::Module& module, int64_t step) {
  at::NoGradGuard noGrad;
  const double d = std::min(m_decay, (1.0 + double(step)) / (10.0 + double(step)));
  const auto params = module.parameters(true);
  if (params.size() != m_tensors.size()) throw std::logic_error("EMA: module changed");
  for (std::size_t i = 0; i < params.size(); ++i)
    m_tensors[i].second.mul_(d).add_(params[i].detach(), 1.0 - d);  // ema = d·ema + (1-d)·p
}

void Ema::copyTo(torch::nn::Module& module) const {
  at::NoGradGuard noGrad;
  auto params = module.parameters(true);
  if (params.size() != m_tensors.size()) throw std::logic_error("EMA: module changed");
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(m_tensors[i].second);
}

// ---- autocast, learning rate -------------------------------------------------------------------

// libtorch 2.4 replaced the per-device autocast switches by (device type, value) ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define LIENZO_AUTOCAST_BY_DEVICE_TYPE 1
#endif

AutocastScope::AutocastScope(bool enabled, c10::DeviceType device)
    : m_enabled(enabled), m_device(device) {
  if (!m_enabled) return;
#ifdef LIENZO_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(m_device, at::kBFloat16);
  at::autocast::set_autocast_enabled(m_device, true);
#else
  if (m_device == c10::kCUDA) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
#endif
}

AutocastScope::~AutocastScope() {
  if (!m_enabled) return;
#ifdef LIENZO_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(m_device, false);
#else
  if (m_device == c10::kCUDA)
    at::autocast::set_enabled(false);
  else
    at::autocast::set_cpu_enabled(false);
#endif
  at::autocast::clear_cache();
}

void copyParameters(torch::nn::Module& module, const SafetensorsFile& file,
                    const std::string& keyPrefix, const std::vector<std::string>& keepIfMissing) {
  at::NoGradGuard noGrad;
  for (auto& item : module.named_parameters(true)) {
    const auto key = keyPrefix + item.key();
    if (!file.contains(key) &&
        std::find(keepIfMissing.begin(), keepIfMissing.end(), item.key()) != keepIfMissing.end())
      continue;
    const auto value = file.load(key, at::kFloat);
    if (!value.sizes().equals(item.value().sizes()))
      throw std::runtime_error(file.path().string() + ": '" + key + "' has another shape");
    item.value().copy_(value);
  }
}

double learningRateAt(const TrainOptions& options, int64_t step) {
  if (options.warmup > 0 && step < options.warmup)
    return options.lr * double(step + 1) / double(options.warmup);
  if (options.lrFinal < 0) return options.lr;
  const double span = double(std::max<int64_t>(options.steps - options.warmup, 1));
  const double progress = std::clamp(double(step - options.warmup) / span, 0.0, 1.0);
  return options.lrFinal + (options.lr - options.lrFinal) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

void setLearningRate(torch::optim::AdamW& optimizer, double lr) {
  for (auto& group : optimizer.param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

// ---- checkpoints -------------------------------------------------------------------------------

bool hasCheckpoint(const std::filesystem::path& dir) {
  return std::filesystem::exists(dir / "state.safetensors");
}

void saveCheckpoint(const std::filesystem::path& dir, const std::string& stage,
                    const std::vector<std::pair<std::string, torch::nn::Module*>>& modules,
                    const std::vector<std::pair<std::string, const Ema*>>& emas,
                    const torch::optim::AdamW& optimizer, const TrainState& state) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [prefix, module] : modules) {
    auto part = namedTensors(*module, "model." + prefix);
    tensors.insert(tensors.end(), part.begin(), part.end());
  }
  for (const auto& [prefix, ema] : emas)
    for (const auto& [name, t] : ema->tensors()) tensors.emplace_back("ema." + prefix + name, t);

  nlohmann::json adamSteps = nlohmann::json::array();
  int64_t index = 0;
  const auto& opState = optimizer.state();
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      const auto it = opState.find(paramKey(p));
      if (it != opState.end()) {
        const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        tensors.emplace_back("adam." + std::to_string(index) + ".m", s.exp_avg());
        tensors.emplace_back("adam." + std::to_string(index) + ".v", s.exp_avg_sq());
        adamSteps.push_back(s.step());
      } else {
        adamSteps.push_back(0);
      }
      ++index;
    }
  }
  auto gen = state.gen;
  tensors.emplace_back("rng.torch", gen.get_state());

  std::ostringstream mt;
  mt << state.rng;
  nlohmann::json meta = {{"stage", stage},
                         {"step", state.step},
                         {"adam_steps", adamSteps},
                         {"mt19937_64", mt.str()},
                         {"extra", state.extra}};
  writeSafetensors(dir / "state.safetensors", tensors, {{"state", meta.dump()}});
}

void loadCheckpoint(const std::filesystem::path& dir, const std::string& stage,
                    const std::vector<std::pair<std::string, torch::nn::Module*>>& modules,
                    const std::vector<std::pair<std::string, Ema*>>& emas,
                    torch::optim::AdamW& optimizer, TrainState& state) {
  const auto path = dir / "state.safetensors";
  const SafetensorsFile file = SafetensorsFile::open(path);
  const auto metaIt = file.metadata().find("state");
  if (metaIt == file.metadata().end())
    throw std::runtime_error(path.string() + ": not a trainer checkpoint (no 'state' metadata)");
  const auto meta = nlohmann::json::parse(metaIt->second);
  if (meta.at("stage").get<std::string>() != stage)
    throw std::runtime_error(path.string() + ": checkpoint of stage '" +
                             meta.at("stage").get<std::string>() + "', expected '" + stage + "'");
  at::NoGradGuard noGrad;
  for (const auto& [prefix, module] : modules) copyParameters(*module, file, "model." + prefix);
  for (const auto& [prefix, ema] : emas)
    for (auto& [name, t] : ema->tensors()) t.copy_(file.load("ema." + prefix + name, at::kFloat));

  const auto& adamSteps = meta.at("adam_steps");
  auto& opState = optimizer.state();
  int64_t index = 0;
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) {
      const std::string m = "adam." + std::to_string(index) + ".m";
      if (file.contains(m)) {
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(adamSteps.at(index).get<int64_t>());
        s->exp_avg(file.load(m, at::kFloat).to(p.device()).clone());
        s->exp_avg_sq(
            file.load("adam." + std::to_string(index) + ".v", at::kFloat).to(p.device()).clone());
        opState[paramKey(p)] = std::move(s);
      }
      ++index;
    }
  }
  state.step = meta.at("step").get<int64_t>();
  std::istringstream mt(meta.at("mt19937_64").get<std::string>());
  mt >> state.rng;
  state.gen.set_state(file.load("rng.torch").clone());
  state.extra = meta.value("extra", nlohmann::json::object());
}

// ---- progress ----------------------------------------------------------------------------------

void afterStep(const TrainOptions& options, int64_t step, double loss, double lr, double& running,
               Progress& progress, const std::function<void()>& checkpoint,
               const std::function<std::string(double)>& note) {
  running = running == 0.0 ? loss : 0.98 * running + 0.02 * loss;
  if (step % options.logEvery == 0 || step == options.steps)
    progress.report(step, running, lr, note ? note(running) : std::string());
  if (options.checkpointEvery > 0 && step % options.checkpointEvery == 0) checkpoint();
}

std::string formatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const int64_t s = int64_t(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(s / 3600),
                  (long long)(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

Progress::Progress(std::string stage, int64_t startStep, int64_t totalSteps)
    : m_stage(std::move(stage)),
      m_startStep(startStep),
      m_total(totalSteps),
      m_start(std::chrono::steady_clock::now()) {}

void Progress::report(int64_t step, double loss, double lr, const std::string& extra) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double done = double(step - m_startStep);
  const double itPerSec = elapsed > 0 ? done / elapsed : 0.0;
  const double eta = itPerSec > 0 ? double(m_total - step) / itPerSec : -1.0;
  std::fprintf(stderr, "[%s] step %lld/%lld loss %.5f lr %.2e %.2f it/s ETA %s%s%s\n",
               m_stage.c_str(), (long long)step, (long long)m_total, loss, lr, itPerSec,
               formatDuration(eta).c_str(), extra.empty() ? "" : " ", extra.c_str());
  std::fflush(stderr);
}

}  // namespace lienzo::train
