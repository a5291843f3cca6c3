// ComfyUI's "custom sampling" graphs as the KSampler graphs metadata_import.h reads: Flux
// workflows (ComfyUI's own Flux example among them) sample with SamplerCustomAdvanced, whose
// settings sit in the nodes around it — the guider (BasicGuider: model + conditioning, CFG 1;
// CFGGuider: model, positive, negative, cfg), the noise (RandomNoise: noise_seed), the sampler
// (KSamplerSelect: sampler_name) and the sigmas (BasicScheduler: model, scheduler, steps,
// denoise). Each such node is replaced, under its own id, by the KSampler that says the same;
// a link stays a link (its value is copied as written), a missing neighbour leaves that input
// out. SamplerCustom (the older node) carries model, positive, negative, cfg, noise_seed itself
// and takes sampler / sigmas links like the advanced one.
//
// Ref: ComfyUI comfy_extras/nodes_custom_sampler.py (SamplerCustomAdvanced, SamplerCustom,
// BasicGuider, CFGGuider, RandomNoise, KSamplerSelect, BasicScheduler).
//
// Contract: changes only the graph given; any thread (one graph per call). Malformed graphs never
// throw: what cannot be mapped is left as it was.
#pragma once

#include <nlohmann/json.hpp>

namespace lienzo {

/// Replaces, in `graph` (a ComfyUI API graph), every SamplerCustomAdvanced / SamplerCustom node
/// by an equivalent KSampler node; other nodes are unchanged and nothing is copied but input
/// values and links (hostile graphs may nest arrays deeper than a recursive copy can go).
void comfyCustomSamplersAsKSampler(nlohmann::json& graph);

}  // namespace lienzo
