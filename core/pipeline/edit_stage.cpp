// Stage 2 (editing) and the pixel composite; see edit_stage.h.
#include "core/pipeline/edit_stage.h"

#include "core/edit/composite.h"
#include "core/edit/mask.h"
#include "core/pipeline/edit_pictures.h"
#include "core/pipeline/model_calls.h"
#include "core/sampling/rng.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// [1,1,H,W] float32 of a mask: value / 255.
at::Tensor maskTensor(const GrayImage& mask) {
  const auto u8 = at::from_blob(const_cast<uint8_t*>(mask.pixels.data()),
                                {1, 1, mask.height, mask.width}, at::kByte);
  return u8.to(at::kFloat) / 255.0f;
}

}  // namespace

at::Tensor inpaintConditioning(const ModelBundle& bundle, const at::Tensor& image,
                               const at::Tensor& mask01, double weight) {
  const auto m = at::round(mask01.to(at::kFloat));  // [1,1,H,W] (A1111 mask_round)
  const auto img = image.to(at::kFloat);
  // Ref: A1111 inpainting_image_conditioning: lerp(image, image * (1 - mask), weight)
  const auto masked = at::lerp(img, img * (1.0f - m), weight);
  const auto latent = encodeImage(bundle, masked);  // [1,4,h,w]
  // Ref: Stability-AI LatentInpaintDiffusion: F.interpolate(mask, size=latent_hw) (nearest)
  const auto small = at::upsample_nearest2d(m, {latent.size(2), latent.size(3)});
  return at::cat({small, latent}, 1);  // [1,5,h,w]
}

at::Tensor txt2imgInpaintConditioning(const ModelBundle& bundle, int64_t height, int64_t width) {
  // Ref: A1111 txt2img_image_conditioning: encode zeros (a black picture), mask channel 1.
  const auto latent = encodeImage(bundle, at::zeros({1, 3, height, width}, at::kFloat));
  const auto ones = at::ones({1, 1, latent.size(2), latent.size(3)}, at::kFloat);
  return at::cat({ones, latent}, 1);  // [1,5,h,w]
}

PreparedEdit prepareEdit(const ModelBundle& bundle, const GenerationParams& params, bool tiledVae) {
  const EditParams& e = params.edit;
  if (!e.active())
    throw GenerationError(Code::InvalidParams, "prepareEdit: the request has no init picture");
  const EditPictures pictures = prepareEditPictures(params);
  const bool inpaint = !pictures.mask.empty();
  if (!inpaint && bundle.diffusion->inChannels() > bundle.diffusion->latentChannels())
    throw GenerationError(Code::InvalidParams,
                          bundle.description.name +
                              " is an inpainting model: with an init picture it needs a mask "
                              "(or outpaint margins); for plain img2img use a regular model");
  PreparedEdit out;
  out.width = pictures.width;
  out.height = pictures.height;
  out.source = pictures.source;
  out.mask = pictures.mask;
  out.maskedContent = pictures.maskedContent;
  out.canvasWidth = pictures.canvasWidth;
  out.canvasHeight = pictures.canvasHeight;
  out.overlay = pictures.overlay;
  out.onlyMasked = pictures.onlyMasked;
  out.pasteTo = pictures.pasteTo;
  const RgbImage& picture = out.source;

  const at::Tensor image = rgbToImage(picture);        // [1,3,H,W]
  out.encoded = encodeImage(bundle, image, tiledVae);  // [1,C,h,w]
  const int64_t h = out.encoded.size(2), w = out.encoded.size(3);
  if (inpaint) {
    const GrayImage small = edit::latentMask(out.mask, static_cast<int>(w), static_cast<int>(h));
    const std::vector<float> values = edit::latentMaskValues(small, /*round=*/true);
    out.nmask = at::tensor(values, at::kFloat)
                    .reshape({1, 1, h, w})
                    .expand({1, out.encoded.size(1), h, w})
                    .contiguous();  // [1,C,h,w] 1 = repaint
  }
  if (bundle.diffusion->inChannels() > bundle.diffusion->latentChannels()) {
    const at::Tensor m =
        inpaint ? maskTensor(out.mask) : at::ones({1, 1, image.size(2), image.size(3)});
    out.concat = inpaintConditioning(bundle, image, m, e.maskWeight);
  }
  return out;
}

at::Tensor initialLatent(const PreparedEdit& edit, int64_t seed) {
  if (!edit.nmask.defined()) return edit.encoded;
  const at::Tensor keep = 1.0f - edit.nmask;
  switch (edit.maskedContent) {
    case MaskedContent::LatentNoise: {
      // Ref: A1111: init_latent * mask + create_random_tensors(shape, seeds) * nmask
      Generator gen(static_cast<uint64_t>(seed));
      const at::Tensor noise = randn(gen, edit.encoded.sizes());
      return edit.encoded * keep + noise * edit.nmask;
    }
    case MaskedContent::LatentNothing:
      return edit.encoded * keep;
    case MaskedContent::Fill:
    case MaskedContent::Original:
      break;
  }
  return edit.encoded;
}

at::Tensor blendFinalLatent(const PreparedEdit& edit, const at::Tensor& samples,
                            const at::Tensor& init) {
  if (!edit.nmask.defined()) return samples;
  // Ref: A1111 StableDiffusionProcessingImg2Img.sample: samples * nmask + init_latent * mask
  const auto n = edit.nmask.to(samples.device());
  return samples * n + init.to(samples.device()) * (1.0f - n);
}

RgbImage compositeEdit(const PreparedEdit& edit, const RgbImage& generated) {
  if (edit.overlay.empty()) return generated;
  if (edit.onlyMasked) return edit::applyOverlay(generated, edit.overlay, edit.pasteTo);
  return edit::applyOverlay(generated, edit.overlay);
}

}  // namespace lienzo
