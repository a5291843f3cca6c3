// Shared machinery of the built-in model's trainers (vae_trainer.h, diffusion_trainer.h):
// options, parameter initialisation, EMA, AdamW state and RNG checkpointing, BF16 autocast scope,
// the progress line.
//
// Contract
// - A checkpoint is ONE safetensors file (`<dir>/state.safetensors`, written atomically:
//   temporary file + rename) holding the trained weights ("model.<module path>"), the EMA weights
//   ("ema.<path>"), the AdamW moments ("adam.<i>.m"/"adam.<i>.v", i = parameter index in
//   module order), the torch generator state ("rng.torch") and, in metadata "state", a JSON
//   object with the step, the AdamW step counts, the std::mt19937_64 state and the stage.
//   Restoring it into a freshly built trainer continues the run bit-identically (same threads).
// - Errors: std::runtime_error / std::invalid_argument with the file and the reason.
// - Threads: one trainer per process is intended (at::set_num_threads is process-wide).
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/DeviceType.h>
#include <torch/nn/module.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace torch::optim {
class AdamW;
}

namespace lienzo {
class SafetensorsFile;
}

namespace lienzo::train {

struct TrainOptions {
  int64_t steps = 1000;  ///< total steps of this stage (a resumed run stops at the same total)
  int64_t batch = 32;
  double lr = 1e-3;
  int64_t warmup = 200;
  /// < 0: constant `lr` after the warm-up; otherwise cosine decay from `lr` (end of warm-up) to
  /// this at `steps` (then held). Ref: Loshchilov & Hutter 2017 (SGDR, one cycle, no restart).
  double lrFinal = -1.0;
  double weightDecay = 0.01;
  double gradClip = 1.0;
  double emaDecay = 0.999;
  uint64_t seed = 1;
  int threads = 0;    ///< 0 = leave libtorch's default
  bool bf16 = false;  ///< BF16 autocast for conv/linear/matmul (norms stay float32)
  /// Where the networks train ("cpu", "cuda", "cuda:1"). Data, RNG streams and checkpoints stay
  /// on the CPU, so a run is reproducible and resumable on either.
  std::string device = "cpu";
  bool resume = false;  ///< continue from the stage's checkpoint when present
  int64_t logEvery = 50;
  int64_t checkpointEvery = 500;
  /// Stop cleanly (checkpoint, return) when set, e.g. from a SIGINT/SIGTERM handler.
  const std::atomic<bool>* stop = nullptr;
};

/// PyTorch-default initialisation for the project's layers (core/model/layers.h): Linear/Conv2d
/// weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), norms weight 1 / bias 0, token embeddings
/// N(0, 0.02). Parameters whose path contains one of `zeroPaths` are set to 0 (SD zero_module:
/// the last conv of ResBlocks, attention proj_out, the U-Net output conv), as are loose
/// parameters outside any layer under such a path (the U-Net's position map); any other
/// parameter without a rule is a std::logic_error.
void initParameters(torch::nn::Module& module, at::Generator& gen,
                    const std::vector<std::string>& zeroPaths = {});

/// Copies `file`'s tensors named `keyPrefix + <parameter path>` into every parameter of `module`
/// (float32, in place, no autograd). std::runtime_error naming `file` and the key when one is
/// missing or has another shape; parameters named in `keepIfMissing` (paths without the prefix)
/// keep their value when the file lacks them.
void copyParameters(torch::nn::Module& module, const SafetensorsFile& file,
                    const std::string& keyPrefix,
                    const std::vector<std::string>& keepIfMissing = {});

/// (prefix + path, tensor) for every parameter (and buffer) of `module`, detached.
std::vector<std::pair<std::string, at::Tensor>> namedTensors(const torch::nn::Module& module,
                                                             const std::string& prefix);

/// Exponential moving average of a module's float parameters.
// Ref: diffusers training_utils.py EMAModel (decay warm-up min(decay, (1 + n) / (10 + n))).
class Ema {
 public:
  Ema(const torch::nn::Module& module, double decay);
  void update(const torch::nn::Module& module, int64_t step);
  /// Copies the EMA values into `module` (same architecture).
  void copyTo(torch::nn::Module& module) const;
  std::vector<std::pair<std::string, at::Tensor>>& tensors() { return m_tensors; }
  const std::vector<std::pair<std::string, at::Tensor>>& tensors() const { return m_tensors; }

 private:
  double m_decay;
  std::vector<std::pair<std::string, at::Tensor>> m_tensors;  // (path, float32 value)
};

/// RAII BF16 autocast on the CPU or CUDA (no-op when disabled); clears the cast cache on exit.
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled, c10::DeviceType device = c10::kCPU);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool m_enabled;
  c10::DeviceType m_device;
};

/// Linear warm-up to `lr` over `warmup` steps, then constant or (lrFinal ≥ 0) cosine to lrFinal.
double learningRateAt(const TrainOptions& options, int64_t step);
void setLearningRate(torch::optim::AdamW& optimizer, double lr);

/// Everything a checkpoint restores besides the module weights.
struct TrainState {
  int64_t step = 0;
  std::mt19937_64 rng;
  at::Generator gen;
  nlohmann::json extra = nlohmann::json::object();  ///< stage-specific values (running loss...)
};

/// Writes `dir/state.safetensors` (see the contract). `modules` are (prefix, module) pairs, e.g.
/// {"unet.", unet}, {"text.", text}; the EMA entries are stored under "ema." + their path.
void saveCheckpoint(const std::filesystem::path& dir, const std::string& stage,
                    const std::vector<std::pair<std::string, torch::nn::Module*>>& modules,
                    const std::vector<std::pair<std::string, const Ema*>>& emas,
                    const torch::optim::AdamW& optimizer, const TrainState& state);
/// Whether `dir/state.safetensors` exists.
bool hasCheckpoint(const std::filesystem::path& dir);
/// Restores what saveCheckpoint wrote into already-built modules/EMAs/optimizer; throws
/// std::runtime_error when the stage or any shape differs.
void loadCheckpoint(const std::filesystem::path& dir, const std::string& stage,
                    const std::vector<std::pair<std::string, torch::nn::Module*>>& modules,
                    const std::vector<std::pair<std::string, Ema*>>& emas,
                    torch::optim::AdamW& optimizer, TrainState& state);

/// Progress line on stderr: "[stage] step S/N loss L lr R it/s X ETA 1h02m".
class Progress {
 public:
  Progress(std::string stage, int64_t startStep, int64_t totalSteps);
  void report(int64_t step, double loss, double lr, const std::string& extra = {});

 private:
  std::string m_stage;
  int64_t m_startStep, m_total;
  std::chrono::steady_clock::time_point m_start;
};

/// The bookkeeping every stage does after an optimizer step (`step` already counted): folds `loss`
/// into `running` (0.98 old / 0.02 new; the first loss starts it), writes the progress line every
/// options.logEvery steps and at the last step (with `note(running)` appended when given), and
/// calls `checkpoint` every options.checkpointEvery steps (never when that is 0).
void afterStep(const TrainOptions& options, int64_t step, double loss, double lr, double& running,
               Progress& progress, const std::function<void()>& checkpoint,
               const std::function<std::string(double)>& note = {});

/// "1h02m" / "3m10s".
std::string formatDuration(double seconds);

}  // namespace lienzo::train
