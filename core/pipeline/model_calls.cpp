// Model calls of the generation stages (model_calls.h): guided diffusion model, VAE encode and
// decode, pixels.
#include "core/pipeline/model_calls.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <vector>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// Repeats a [1, 77*k, D] context along the token axis to `tokens` (a multiple of 77*k). Keys and
/// values repeated equally leave cross-attention unchanged, so cond and uncond of different
/// chunk counts can share one batch. Ref: ComfyUI samplers.py cond_cat (lcm of lengths).
at::Tensor tileTokens(const at::Tensor& context, int64_t tokens) {
  const int64_t n = context.size(1);
  return n == tokens ? context : context.repeat({1, tokens / n, 1});
}

}  // namespace

ModelFn makeGuidedModel(const ModelBundle& bundle, const Conditioning& cond,
                        const Conditioning& uncond, double cfgScale, int64_t height, int64_t width,
                        const at::Tensor& concat, ControlFn control,
                        std::vector<std::string>* notices) {
  const bool guided = cfgScale != 1.0;
  const TextConditioner& text = *bundle.text;
  auto vector = [&](const at::Tensor& pooled) { return text.vector(pooled, height, width); };
  const std::shared_ptr<const DiffusionModel> model = bundle.diffusion;
  at::Tensor context, y;                // the batched call's: [uncond | cond] when guided
  at::Tensor halfContext[2], halfY[2];  // the sequential calls': [0] uncond, [1] cond
  bool batchable = true;
  if (guided) {
    const int64_t a = cond.context.size(1), b = uncond.context.size(1);
    // Cross-attention (U-Net): tiling both contexts to a common length leaves each half's
    // output unchanged. Joint attention (MMDiT, Flux: DiffusionModel::contextTilable) would
    // see the repeated tokens, so different lengths run one half after the other.
    batchable = a == b || model->contextTilable();
    halfContext[0] = uncond.context;
    halfContext[1] = cond.context;
    if (cond.pooled.defined()) {
      halfY[0] = vector(uncond.pooled);
      halfY[1] = vector(cond.pooled);
    }
    if (batchable) {
      const int64_t tokens = std::lcm(a, b);
      // Batch order [uncond | cond], as k-diffusion's CFGDenoiser / the fixtures do.
      context = at::cat({tileTokens(uncond.context, tokens), tileTokens(cond.context, tokens)}, 0);
      if (cond.pooled.defined()) y = at::cat({halfY[0], halfY[1]}, 0);
    }
  } else {
    context = cond.context;
    if (cond.pooled.defined()) y = vector(cond.pooled);
  }
  const int64_t extra = model->inChannels() - model->latentChannels();
  if (extra > 0 && (!concat.defined() || concat.size(1) != extra))
    throw GenerationError(GenerationError::Code::InvalidParams,
                          bundle.description.name + " takes " + std::to_string(extra) +
                              " conditioning channels (an inpainting model) besides the latent");
  const at::Tensor c = extra > 0 ? concat.to(model->device(), model->dtype()) : at::Tensor();
  // Shared by the closure's copies: set after an out-of-memory batch, or from the start when the
  // halves cannot share a batch.
  const auto sequential = std::make_shared<bool>(!batchable);
  return [=](const at::Tensor& xIn, const at::Tensor& t) -> at::Tensor {
    // xIn [1,C,h,w] float32, t [1] -> eps/v [1,C,h,w] float32 (c [1,K,h,w]).
    // Ref: ldm DiffusionWrapper 'hybrid': cat([x] + c_concat, dim=1), c_concat unscaled.
    const auto xd = xIn.to(model->device(), model->dtype());
    const auto x = c.defined() ? at::cat({xd, c}, 1) : xd;
    const auto tt = t.to(model->device(), at::kFloat);
    if (!guided) {
      const UNetResiduals r = control ? control(xd, tt, context, y, {false}) : UNetResiduals();
      return model->forward(x, tt, context, y, r.empty() ? nullptr : &r)
          .to(xIn.device(), at::kFloat);
    }
    if (!*sequential) {
      try {
        const auto t2 = at::cat({tt, tt}, 0);
        // Rows [uncond | cond] (see above).
        const UNetResiduals r = control
                                    ? control(at::cat({xd, xd}, 0), t2, context, y, {true, false})
                                    : UNetResiduals();
        const auto out =
            model->forward(at::cat({x, x}, 0), t2, context, y, r.empty() ? nullptr : &r)
                .to(xIn.device(), at::kFloat);  // [2,C,h,w]
        const auto u = out.narrow(0, 0, 1);
        const auto co = out.narrow(0, 1, 1);
        return u + (co - u) * cfgScale;
      } catch (const std::exception& e) {
        if (!isOutOfMemory(e)) throw;
      }
      // The failed batch's tensors are released with its exception; from now on one half at a
      // time (A1111's --medvram "batch_cond_uncond" off; diffusers' sequential CFG).
      *sequential = true;
      const std::string notice =
          "the diffusion model ran out of memory with the prompt and negative prompt as one "
          "batch; they were run one after the other";
      if (notices && std::find(notices->begin(), notices->end(), notice) == notices->end())
        notices->push_back(notice);
    }
    // Half 0 is uncond, half 1 cond (each with its own, untiled context).
    auto half = [&](int64_t row) {
      const at::Tensor& ctx = halfContext[row];
      const at::Tensor& yy = halfY[row];
      const UNetResiduals r = control ? control(xd, tt, ctx, yy, {row == 0}) : UNetResiduals();
      return model->forward(x, tt, ctx, yy, r.empty() ? nullptr : &r).to(xIn.device(), at::kFloat);
    };
    const auto u = half(0);
    const auto co = half(1);
    return u + (co - u) * cfgScale;
  };
}

at::Tensor rgbToImage(const RgbImage& rgb) {
  if (rgb.empty() || rgb.width <= 0 || rgb.height <= 0 ||
      rgb.pixels.size() != size_t(rgb.width) * size_t(rgb.height) * 3)
    throw GenerationError(Code::InvalidParams, "the picture is empty or malformed");
  const auto u8 = at::from_blob(const_cast<uint8_t*>(rgb.pixels.data()),
                                {1, rgb.height, rgb.width, 3}, at::kByte);
  // Ref: A1111 np.array(img).astype(np.float32) / 255.0, then 2x - 1  → [1,3,H,W]
  return (u8.permute({0, 3, 1, 2}).to(at::kFloat) / 255.0f) * 2.0f - 1.0f;
}

bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return true;
  const std::string what = e.what();
  return what.find("can't allocate") != std::string::npos ||
         what.find("out of memory") != std::string::npos;
}

namespace {

/// `run(tiled)`, and once more in tiles when an untiled run runs out of memory. The failed
/// attempt's exception (and every tensor it kept alive) is gone before the retry starts.
template <class Run>
at::Tensor retryTiledOnOom(const Run& run, bool tiled, const std::string& what, int64_t height,
                           int64_t width, std::vector<std::string>* notices) {
  if (tiled) return run(true);
  try {
    return run(false);
  } catch (const std::exception& e) {
    if (!isOutOfMemory(e)) throw;
  }
  if (notices)
    notices->push_back("the VAE ran out of memory " + what + " the " + std::to_string(width) + "x" +
                       std::to_string(height) + " picture whole; it was done in tiles");
  return run(true);
}

}  // namespace

at::Tensor encodeImage(const ModelBundle& bundle, const at::Tensor& image, bool tiled,
                       std::vector<std::string>* notices) {
  if (!bundle.hasVae() || !bundle.vae->hasEncoder())
    throw GenerationError(Code::UnsupportedModel,
                          bundle.description.name + " has no VAE encoder to encode a picture with");
  const VaeCodec& vae = *bundle.vae;
  return retryTiledOnOom([&](bool t) { return vae.encode(image, t); }, tiled, "encoding",
                         image.size(2), image.size(3), notices);  // [1,E,h,w] diffusion space
}

at::Tensor decodeLatent(const ModelBundle& bundle, const at::Tensor& latent, bool tiled,
                        std::vector<std::string>* notices) {
  if (!bundle.hasVae())
    throw GenerationError(
        GenerationError::Code::UnsupportedModel,
        bundle.description.name +
            " has no VAE inside; this checkpoint cannot decode images on its own");
  const VaeCodec& vae = *bundle.vae;
  const int64_t f = vae.factor();
  return retryTiledOnOom([&](bool t) { return vae.decode(latent, t); }, tiled, "decoding",
                         latent.size(2) * f, latent.size(3) * f, notices);  // [1,3,H,W] f32 CPU
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
