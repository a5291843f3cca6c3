// Model calls of one txt2img request: guided U-Net, SDXL vector conditioning, VAE decode, pixels.
#include "core/model/unet_blocks.h"
#include "core/pipeline/model_bundle.h"

#include <ATen/ATen.h>

#include <numeric>

namespace lienzo {
namespace {

/// Repeats a [1, 77*k, D] context along the token axis to `tokens` (a multiple of 77*k). Keys and
/// values repeated equally leave cross-attention unchanged, so cond and uncond of different
/// chunk counts can share one batch. Ref: ComfyUI samplers.py cond_cat (lcm of lengths).
at::Tensor tileTokens(const at::Tensor& context, int64_t tokens) {
  const int64_t n = context.size(1);
  return n == tokens ? context : context.repeat({1, tokens / n, 1});
}

}  // namespace

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, const SdxlSizes& sizes) {
  // Ref: sgm/modules/encoders/modules.py ConcatTimestepEmbedderND (outdim 256 per number, the
  // U-Net's cos-first sinusoidal embedding), in the GeneralConditioner's embedder order.
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  const auto numbers =
      at::tensor({static_cast<float>(sizes.originalHeight), static_cast<float>(sizes.originalWidth),
                  static_cast<float>(sizes.cropTop), static_cast<float>(sizes.cropLeft),
                  static_cast<float>(sizes.targetHeight), static_cast<float>(sizes.targetWidth)},
                 opts);                                                    // [6]
  const auto emb = timestepEmbedding(numbers, 256).reshape({1, 6 * 256});  // [1,1536]
  const auto p = pooled.to(at::kCPU, at::kFloat);                          // [n,embedG]
  return at::cat({p, emb.expand({p.size(0), emb.size(1)})}, 1)             // [n,embedG+1536]
      .to(bundle.device, bundle.dtype);
}

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width) {
  SdxlSizes sizes;  // txt2img: no resize, no crop
  sizes.originalHeight = sizes.targetHeight = height;
  sizes.originalWidth = sizes.targetWidth = width;
  return sdxlVector(bundle, pooled, sizes);
}

ModelFn makeGuidedModel(const ModelBundle& bundle, const Conditioning& cond,
                        const Conditioning& uncond, double cfgScale, int64_t height,
                        int64_t width) {
  const bool guided = cfgScale != 1.0;
  auto vector = [&](const at::Tensor& pooled) {
    return bundle.pooledIsY ? pooled : sdxlVector(bundle, pooled, height, width);
  };
  at::Tensor context, y;
  if (guided) {
    const int64_t a = cond.context.size(1), b = uncond.context.size(1);
    const int64_t tokens = std::lcm(a, b);
    // Batch order [uncond | cond], as k-diffusion's CFGDenoiser / the fixtures do.
    context = at::cat({tileTokens(uncond.context, tokens), tileTokens(cond.context, tokens)}, 0);
    if (cond.pooled.defined()) y = at::cat({vector(uncond.pooled), vector(cond.pooled)}, 0);
  } else {
    context = cond.context;
    if (cond.pooled.defined()) y = vector(cond.pooled);
  }
  UNet unet = bundle.unet;
  const auto dtype = bundle.dtype;
  const auto device = bundle.device;
  return [=](const at::Tensor& xIn, const at::Tensor& t) mutable -> at::Tensor {
    // xIn [1,C,h,w] float32, t [1] -> eps/v [1,C,h,w] float32.
    const auto x = xIn.to(device, dtype);
    const auto tt = t.to(device, at::kFloat);
    if (!guided) return unet->forward(x, tt, context, y).to(xIn.device(), at::kFloat);
    const auto out = unet->forward(at::cat({x, x}, 0), at::cat({tt, tt}, 0), context, y)
                         .to(xIn.device(), at::kFloat);  // [2,C,h,w]
    const auto u = out.narrow(0, 0, 1);
    const auto c = out.narrow(0, 1, 1);
    return u + (c - u) * cfgScale;
  };
}

namespace {

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

at::Tensor decodeLatent(const ModelBundle& bundle, const at::Tensor& latent) {
  if (!bundle.hasVae())
    throw GenerationError(
        GenerationError::Code::UnsupportedModel,
        bundle.description.name +
            " has no VAE inside; this checkpoint cannot decode images on its own");
  const auto z = bundle.latentScaling.toVae(latent.to(bundle.device, at::kFloat));  // [1,C,h,w]
  AutoencoderKL vae = bundle.vae;
  at::Tensor image = vae->decode(z.to(bundle.dtype)).to(at::kCPU, at::kFloat);  // [1,3,H,W]
  if (allFinite(image)) return image;
  // Half-precision VAEs (the SD 1.x/SDXL VAEs in fp16 above all) overflow to NaN/Inf on some
  // latents; decode once more in float32 before giving up.
  // Ref: A1111 modules/processing.py decode_latent_batch (auto "no-half-vae" retry).
  if (bundle.dtype == at::kHalf || bundle.dtype == at::kBFloat16) {
    image = float32Copy(vae)->decode(z).to(at::kCPU, at::kFloat);
    if (allFinite(image)) return image;
  }
  throw GenerationError(
      GenerationError::Code::NumericalError,
      "the VAE produced NaN/Inf values" +
          std::string(bundle.dtype == at::kFloat ? "" : " (also when retried in float32)"));
}

RgbImage imageToRgb(const at::Tensor& image) {
  // [1,3,H,W] -> HWC uint8; torch.round is round-half-to-even like the reference scripts.
  const auto img01 = ((image[0] + 1.0) / 2.0).clamp(0.0, 1.0);
  const auto u8 = at::round(img01 * 255.0).to(at::kByte).permute({1, 2, 0}).contiguous();
  RgbImage out;
  out.height = static_cast<int>(u8.size(0));
  out.width = static_cast<int>(u8.size(1));
  out.pixels.assign(u8.data_ptr<uint8_t>(), u8.data_ptr<uint8_t>() + u8.numel());
  return out;
}

}  // namespace lienzo
