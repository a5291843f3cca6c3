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
// without folder and extension), Denoising strength (only when < 1), Clip skip (only when > 1).
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
