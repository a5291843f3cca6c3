// Training data of the built-in model: rendered procedural scenes as tensors, caption batches
// (EN/ES, caption dropout for classifier-free guidance) and the latent cache the diffusion stage
// trains on. Plus the layout of a training folder.
//
// Contract: deterministic given the generator state. Scenes come from core/train/scene.h
// (sampleScene(seed)); images from render(scene, side) with the default supersampling, i.e.
// exactly what the evaluator judges. Errors: std::runtime_error/std::invalid_argument.
#pragma once

#include "core/train/captions.h"
#include "core/train/scene.h"
#include "core/train/scene_render.h"

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace lienzo {
class SpTokenizer;
}

namespace lienzo::train {

/// Files of one training folder (`lienzo train … --out DIR`).
struct TrainPaths {
  std::filesystem::path root;
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path tokenizer() const { return root / "tokenizer.model"; }
  std::filesystem::path vaeCheckpoint() const { return root / "vae"; }
  std::filesystem::path vaeWeights() const { return root / "vae.safetensors"; }
  std::filesystem::path decoderCheckpoint() const { return root / "decoder"; }
  std::filesystem::path latents() const { return root / "latents.safetensors"; }
  std::filesystem::path diffusionCheckpoint() const { return root / "diffusion"; }
  std::filesystem::path exported() const { return root / "lienzo-builtin.safetensors"; }
  std::filesystem::path samples() const { return root / "samples"; }
};

/// RGB image → [3,H,W] float32 in [-1,1].
at::Tensor imageToTensor(const RgbImage& image);
/// [3,H,W] (any float, about [-1,1]) → 8-bit RGB (clamp, round).
RgbImage tensorToImage(const at::Tensor& image);
/// Renders scenes at `side` px → [B,3,side,side] float32 in [-1,1].
at::Tensor renderBatch(const std::vector<Scene>& scenes, int side);
/// `count` fresh training scenes (seeds drawn from `rng`, see trainingSeed) rendered at `side` px
/// → [count,3,side,side] float32 in [-1,1].
at::Tensor renderTrainingBatch(std::mt19937_64& rng, int64_t count, int side);

/// Scene seeds reserved for evaluation (never drawn by the trainers, which draw 63-bit seeds
/// with the top bit clear): 0x8000'0000'0000'0000 + i.
uint64_t heldOutSeed(int64_t index);
/// A training scene seed (top bit clear).
uint64_t trainingSeed(std::mt19937_64& rng);

/// Captions for `scenes`, languages alternating randomly, each replaced by "" with probability
/// `dropout` (classifier-free guidance).
std::vector<std::string> sampleCaptions(const std::vector<Scene>& scenes, std::mt19937_64& rng,
                                        double dropout);
/// Token ids [B, tokens] int64 (EOS appended, padded with pad id).
at::Tensor tokenize(const SpTokenizer& tokenizer, const std::vector<std::string>& texts,
                    int64_t tokens);

/// Draws indices into `scenes` with probability proportional to the weight of each scene's kind
/// (SceneKind order; e.g. positional scenes twice as often as their share of a latent cache).
/// Immutable after construction; draw() only advances the caller's generator.
class KindWeightedSampler {
 public:
  /// std::invalid_argument when a weight is negative or not finite, or when the scenes given
  /// weight add up to zero (e.g. no scenes at all).
  KindWeightedSampler(const std::vector<Scene>& scenes,
                      const std::array<double, kSceneKindCount>& weights);
  int64_t draw(std::mt19937_64& rng) const;

 private:
  std::vector<double> m_cumulative;  // running sum of the weights, one entry per scene
};

/// Parses "positional=3,counting=2" (sceneKindName names; kinds not named keep 1) into weights.
/// std::invalid_argument naming the bad part.
std::array<double, kSceneKindCount> parseKindWeights(const std::string& text);

/// VAE latents (distribution means, VAE space) of N training scenes, with the scene seeds.
struct LatentCache {
  at::Tensor latents;           ///< [N,C,h,w] float32
  std::vector<uint64_t> seeds;  ///< N scene seeds
  std::vector<Scene> scenes;    ///< sampleScene(seeds[i]) (rebuilt on load)

  /// Encodes `count` new scenes drawn from `seed` with `encode` (images [B,3,S,S] → means
  /// [B,C,h,w]), `batch` at a time. `progress(done, count)` is called after each batch.
  static LatentCache build(int64_t count, uint64_t seed, int side, int64_t batch,
                           const std::function<at::Tensor(const at::Tensor&)>& encode,
                           const std::function<void(int64_t, int64_t)>& progress = {});
  void save(const std::filesystem::path& file) const;
  static LatentCache load(const std::filesystem::path& file);
};

}  // namespace lienzo::train
