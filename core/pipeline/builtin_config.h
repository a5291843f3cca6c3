// The built-in model's configuration: stored as JSON in the safetensors metadata key
// "lienzo.model" (file layout: core/pipeline/builtin_model.h). Plain value; no pipeline or sampler
// dependency, so the trainer (lienzo_core_trainer) and the loader share it.
//
// Contract: fromJson() throws std::invalid_argument on a malformed or inconsistent config;
// base64Decode() throws std::invalid_argument on malformed input.
#pragma once

#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/text/clip_text_model.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

/// Metadata keys of a built-in model file.
inline constexpr const char* kBuiltinConfigKey = "lienzo.model";
inline constexpr const char* kBuiltinTokenizerKey = "lienzo.tokenizer";
/// File name of the shipped default model (resources/models/, installed in the data dir).
inline constexpr const char* kBuiltinModelFileName = "lienzo-builtin.safetensors";

struct BuiltinModelConfig {
  int64_t imageSize = 64;  ///< default (and training) image side in pixels

  // VAE (AutoencoderKL, f = 2^(levels-1)).
  int64_t vaeChannels = 16;
  std::vector<int64_t> vaeMult{1, 2, 4};
  int64_t vaeResBlocks = 1;
  int64_t latentChannels = 4;
  int64_t vaeGroups = 0;  ///< GroupNorm groups (divide every VAE width); 0 = no norm layers

  // Text encoder (ClipTextModel layout, causal, QuickGELU).
  int64_t vocabSize = 384;  ///< = the SentencePiece vocabulary
  int64_t tokens = 48;      ///< token sequence length (ids padded/truncated to it)
  int64_t textWidth = 128;
  int64_t textLayers = 3;
  int64_t textHeads = 2;
  int64_t textIntermediate = 512;
  /// Also condition the U-Net on the text's last position ([B,W]; causal, so it has seen the whole
  /// caption) through label_emb into the timestep embedding, as SDXL does with its pooled text
  /// (a global path besides cross-attention). Old files without the key: false.
  bool pooledText = false;

  // U-Net.
  int64_t unetChannels = 64;
  std::vector<int64_t> unetMult{1, 2, 2};
  std::vector<int64_t> unetResBlocks{1, 1, 1};
  std::vector<int64_t> unetTransformerDepth{0, 1, 1};
  int64_t unetMiddleDepth = 1;
  int64_t unetHeadChannels = 32;
  /// A learned position map after the U-Net's conv_in (UNetConfig::positionSide = the latent
  /// side). JSON "unet"."positional", written only when true.
  bool unetPositional = false;

  // Diffusion.
  std::string schedule = "cosine";  ///< "cosine" (Nichol & Dhariwal) or "scaled_linear" (SD)
  int64_t timesteps = 1000;
  std::string prediction = "epsilon";
  double scaleFactor = 1.0;  ///< diffusion latent = scaleFactor * VAE latent
  double x0Clamp = 4.0;      ///< |predicted x0| limit at sampling (0 = off)
  double defaultCfg = 4.0;
  int64_t defaultSteps = 20;
  std::string tokenizerFile = "tokenizer.model";

  nlohmann::json toJson() const;
  static BuiltinModelConfig fromJson(const nlohmann::json& json);
  /// Throws std::invalid_argument when sizes are inconsistent.
  void validate() const;

  UNetConfig unetConfig() const;
  VaeConfig vaeConfig() const;
  ClipTextConfig textConfig() const;
  /// The U-Net's `y` from the text encoder's output [B,N,W]: its last position [B,W] when
  /// pooledText, else an undefined tensor.
  at::Tensor pooled(const at::Tensor& context) const;
  /// [T] float32 alphas_cumprod of `schedule`.
  at::Tensor alphasCumprod() const;
  int64_t latentSize() const { return imageSize >> (int64_t(vaeMult.size()) - 1); }
};

/// Cosine schedule (Nichol & Dhariwal 2021): abar(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 +
/// s)·π/2), s = 0.008, betas clipped to 0.999; returns [T] float32 alphas_cumprod of steps 1..T.
at::Tensor cosineAlphasCumprod(int64_t timesteps);

/// Base64 (RFC 4648, with padding) for the tokenizer bytes in metadata.
std::string base64Encode(const std::string& bytes);
/// Throws std::invalid_argument on malformed input.
std::string base64Decode(const std::string& text);

}  // namespace lienzo
