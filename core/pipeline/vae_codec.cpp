// AutoencoderKlCodec (vae_codec.h): posterior-mean encode, decode with the half-precision retry.
#include "core/pipeline/vae_codec.h"

#include "core/io/safetensors.h"
#include "core/model/vae_tiling.h"
#include "core/pipeline/pipeline.h"

#include <ATen/ATen.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// A float32 copy of a half-precision VAE (same device), for the NaN retry.
AutoencoderKL float32Copy(const AutoencoderKL& vae) {
  AutoencoderKL copy(vae->config());
  auto dst = copy->named_parameters(true);
  at::NoGradGuard noGrad;
  for (const auto& p : vae->named_parameters(true)) dst[p.key()].set_data(p.value().to(at::kFloat));
  return copy;
}

bool allFinite(const at::Tensor& t) {
  return at::isfinite(t).all().item<bool>();
}

}  // namespace

LatentSpace LatentSpace::of(LatentFormat format, int64_t factor) {
  const LatentFormatFacts& facts = latentFormatFacts(format);
  LatentSpace space;
  space.scaling.scale = facts.scale;
  space.scaling.shift = facts.shift;
  space.format = format;
  space.channels = facts.channels;
  space.factor = factor;
  return space;
}

std::shared_ptr<const VaeCodec> loadAutoencoderKlCodec(const SafetensorsFile& file,
                                                       const std::string& prefix,
                                                       LatentFormat format, c10::ScalarType dtype,
                                                       c10::Device device) {
  const VaeConfig config = VaeConfig::fromWeights(file, prefix);
  const LatentFormatFacts& facts = latentFormatFacts(format);
  if (config.embedDim != facts.channels)
    throw std::invalid_argument("VAE: " + file.path().filename().string() + " has " +
                                std::to_string(config.embedDim) + " latent channels; a " +
                                facts.name + " VAE has " + std::to_string(facts.channels));
  AutoencoderKL vae = loadAutoencoderKL(file, prefix, dtype, device);
  return std::make_shared<AutoencoderKlCodec>(
      std::move(vae), LatentSpace::of(format, config.downscaleFactor()), dtype, device);
}

AutoencoderKlCodec::AutoencoderKlCodec(AutoencoderKL vae, LatentSpace space, c10::ScalarType dtype,
                                       c10::Device device)
    : m_vae(std::move(vae)), m_space(space), m_dtype(dtype), m_device(device) {}

bool AutoencoderKlCodec::hasEncoder() const {
  return hasDecoder() && m_vae->config().hasEncoder;
}

uint64_t AutoencoderKlCodec::decodeBytes(int64_t height, int64_t width) const {
  if (!hasDecoder() || !m_vae->config().hasDecoder) return 0;
  return estimateVaeDecodeBytes(m_vae->config(), height, width, m_dtype == at::kFloat ? 4 : 2);
}

uint64_t AutoencoderKlCodec::encodeBytes(int64_t height, int64_t width) const {
  if (!hasEncoder()) return 0;
  return estimateVaeEncodeBytes(m_vae->config(), height, width, m_dtype == at::kFloat ? 4 : 2);
}

at::Tensor AutoencoderKlCodec::encode(const at::Tensor& image, bool tiled) const {
  if (!hasEncoder()) throw GenerationError(Code::UnsupportedModel, "this model has no VAE encoder");
  AutoencoderKL vae = m_vae;                   // the holder shares the (read-only) network
  const auto x = image.to(m_device, m_dtype);  // [1,3,H,W]
  const at::Tensor moments =
      tiled ? encodeMomentsTiled(vae, x, VaeTileOptions{}) : vae->encodeMoments(x);  // [1,2E,h,w]
  const auto mean = VaeLatentDistribution::fromMoments(moments.to(at::kFloat)).mean;
  return m_space.scaling.fromVae(mean).to(at::kCPU);  // [1,E,h,w] diffusion space
}

at::Tensor AutoencoderKlCodec::decode(const at::Tensor& latent, bool tiled) const {
  if (!hasDecoder())
    throw GenerationError(Code::UnsupportedModel, "this model has no VAE to decode with");
  const auto z = m_space.scaling.toVae(latent.to(m_device, at::kFloat));  // [1,C,h,w]
  AutoencoderKL vae = m_vae;
  auto run = [tiled](AutoencoderKL& v, const at::Tensor& zz) {
    return (tiled ? decodeTiled(v, zz, VaeTileOptions{}) : v->decode(zz)).to(at::kCPU, at::kFloat);
  };
  at::Tensor image = run(vae, z.to(m_dtype));  // [1,3,H,W]
  if (allFinite(image)) return image;
  // Half-precision VAEs (the SD 1.x/SDXL VAEs in fp16 above all) overflow to NaN/Inf on some
  // latents; decode once more in float32 before giving up.
  // Ref: A1111 modules/processing.py decode_latent_batch (auto "no-half-vae" retry).
  if (m_dtype == at::kHalf || m_dtype == at::kBFloat16) {
    AutoencoderKL copy = float32Copy(vae);
    image = run(copy, z);
    if (allFinite(image)) return image;
  }
  throw GenerationError(
      Code::NumericalError,
      "the VAE produced NaN/Inf values" +
          std::string(m_dtype == at::kFloat ? "" : " (also when retried in float32)"));
}

}  // namespace lienzo
