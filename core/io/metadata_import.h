// Generation parameters from any tool's image metadata, mapped onto A1111 infotext keys so that
// one code path (the prompt panel's "restore parameters") serves every source.
//
// Sources (shared/formats/METADATA.md), tried in this order:
//   1. A1111 / Forge / Lienzo: text chunk `parameters` (parseInfotext; a legacy combined sampler
//      name such as "DPM++ 2M Karras" is split into Sampler + Schedule type as A1111 does).
//   Every sampler/schedule name translation below is core/sampling/sampler_names.h's.
//   2. ComfyUI: text chunk `prompt`, the API graph. The KSampler / KSamplerAdvanced node is found
//      (the one fed by an EmptyLatentImage when there are several, else the lowest node id) and
//      its links are followed through pass-through nodes (LoRA loaders, CLIPSetLastLayer,
//      conditioning nodes, ControlNet apply) to CLIPTextEncode (positive/negative text),
//      EmptyLatentImage (Size) and CheckpointLoaderSimple (Model). ComfyUI sampler/scheduler
//      names become A1111's (euler_ancestral -> "Euler a", dpmpp_2m + karras -> "DPM++ 2M" +
//      Schedule type "Karras"); unknown names are kept as they are.
//   3. InvokeAI: text chunk `invokeai_metadata` (JSON; scheduler "dpmpp_2m_k" -> "DPM++ 2M" +
//      "Karras", clip_skip n -> "Clip skip: n+1").
// Keys produced: Steps, Sampler, Schedule type, CFG scale, Seed, Size ("WxH"), Model (file name
// without folder and extension), Denoising strength (only when < 1, or for a picture edit),
// Clip skip (only when > 1), and the edit / hires keys of params_infotext.h:
//   ComfyUI: the first sampler's latent_image is followed back. From a VAEEncode /
//     VAEEncodeForInpaint / InpaintModelConditioning (an encoded picture): Denoising strength =
//     denoise (also 1). Any ComfyUI Denoising strength comes with "Img2img steps: fixed"
//     (KSampler runs exactly `steps` of an int(steps/denoise) schedule). SetLatentNoiseMask,
//     VAEEncodeForInpaint, InpaintModelConditioning: inpainting, "Mask blur: 0" (these nodes do
//     not blur; VAEEncodeForInpaint's grow_mask_by and grey fill have no Lienzo key).
//     ImagePadForOutpaint on the picture: "Outpaint: L,T,R,B", "Outpaint fill: neutral" (its
//     grey canvas), "Outpaint feather" = feathering. An ImageScale on the picture gives Size
//     (plus the margins). A second sampler whose latent is an upscale of the first's output
//     (LatentUpscale / LatentUpscaleBy, or VAEDecode -> ImageScale(By) / ImageUpscaleWithModel
//     -> VAEEncode) is the hires pass: Hires resize (width x height) or Hires upscale
//     (scale_by), Hires steps, Hires upscaler (bilinear -> "Latent", bicubic -> "Latent
//     (bicubic)", nearest-exact -> "Latent (nearest-exact)", others "Latent (<method>)"; pixel
//     lanczos -> "Lanczos"; an upscale model -> its file stem), Hires sampler / prompt / negative
//     prompt when unlike the first pass's, and its denoise as Denoising strength (as Hires
//     denoising strength when the first pass is an img2img).
//   InvokeAI: strength, else 1 - denoising_start -> Denoising strength (also 1 when there is an
//     init_image or a non-txt2img generation_mode); hrf_enabled: Hires resize = width x height
//     (InvokeAI's final size), Size = hrf_width x hrf_height when present (the first pass),
//     Hires upscaler from hrf_method (bilinear -> "Latent", others as written, e.g. "ESRGAN"),
//     hrf_strength -> Denoising strength (Hires denoising strength after an img2img strength).
//     InvokeAI's img2img slices the full schedule (A1111-like), so no "Img2img steps".
//   Flux / SD3 (ComfyUI): a FluxGuidance node on the positive conditioning -> "Distilled CFG
//     Scale" = guidance; ModelSamplingFlux on the model chain -> "Base shift" / "Max shift";
//     ModelSamplingSD3 / ModelSamplingAuraFlow -> "Shift" (params_infotext.h reads them).
//     SamplerCustomAdvanced / SamplerCustom graphs (ComfyUI's Flux workflows) are read as the
//     KSampler they amount to (comfy_custom_sampler.h).
//
// Contract: pure functions, thread-safe; malformed input (bad JSON, missing nodes, cycles, wrong
// types) never throws: it yields whatever could be recovered, or std::nullopt when nothing was.
#pragma once

#include "core/io/infotext.h"

#include <map>
#include <optional>
#include <string>

namespace lienzo {

/// From a file's text chunks (keyword -> UTF-8 text), e.g. readPngTextMap().
std::optional<Infotext> importGenerationMetadata(
    const std::map<std::string, std::string>& textChunks);

/// ComfyUI `prompt` chunk (API graph JSON); std::nullopt without a usable sampler node.
std::optional<Infotext> importComfyUiPrompt(const std::string& promptJson);
/// InvokeAI `invokeai_metadata` chunk; std::nullopt when it is not a JSON object with a prompt
/// or generation settings.
std::optional<Infotext> importInvokeAiMetadata(const std::string& metadataJson);

/// ComfyUI sampler_name -> A1111 sampler name ("euler_ancestral" -> "Euler a"); unknown names
/// come back unchanged. resolveComfySampler() (core/sampling/sampler_names.h) with one argument.
std::string comfyUiSamplerToA1111(const std::string& samplerName);
/// ComfyUI scheduler -> A1111 "Schedule type" ("karras" -> "Karras"); unknown names unchanged.
/// resolveComfySampler() (core/sampling/sampler_names.h) with one argument.
std::string comfyUiSchedulerToA1111(const std::string& scheduler);

}  // namespace lienzo
