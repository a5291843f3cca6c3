// The key map between diffusers model folders and the original single-file layouts
// (CompVis/ldm SD 1.x/2.x, Stability sgm SDXL) — the one table Lienzo's modules rely on to load a
// diffusers folder, whose networks use the original names (`register_module` = checkpoint keys).
//
// Contract
// - One component at a time (unet/, vae/, text_encoder/, text_encoder_2/). componentLayout() says
//   where that component lives in the original file of a family (key prefix, text-encoder kind).
// - diffusersToOriginal() takes the tensors of one component file (diffusers names, no prefix)
//   and returns them under the original names (with the prefix); originalToDiffusers() is the
//   inverse and ignores keys outside the component's prefix. Renames are zero-copy; the few
//   layout changes are: VAE mid-attention q/k/v/proj_out [C,C] (diffusers Linear) <->
//   [C,C,1,1] (original 1x1 conv); OpenCLIP `attn.in_proj_{weight,bias}` (q,k,v stacked by rows)
//   <-> HF `self_attn.{q,k,v}_proj`; OpenCLIP `text_projection` [W,E] (x @ P) <-> HF
//   `text_projection.weight` [E,W] (Linear).
// - Keys with no counterpart on the other side are dropped, and only these: OpenCLIP
//   `logit_scale` / `attn_mask` and HF `position_ids` of an OpenCLIP-kind encoder; SD2's
//   `text_projection` (diffusers' SD2 encoder is a CLIPTextModel without projection; going to
//   the original an identity [W,W] projection is supplied, unused by SD2). Every other unknown
//   key throws std::invalid_argument naming it, so a layout this table does not know is a clear
//   error, never a silently half-loaded network.
// - Pure functions; thread-safe.
//
// Ref: diffusers scripts/convert_original_stable_diffusion_to_diffusers.py,
// convert_diffusers_to_original_stable_diffusion.py, convert_diffusers_to_original_sdxl.py
// (unet_conversion_map*, vae_conversion_map*, textenc_conversion_lst,
// convert_open_clip_checkpoint).
#pragma once

#include "core/io/checkpoint.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace lienzo {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

enum class DiffusersComponent { Unet, Vae, TextEncoder, TextEncoder2 };

/// Sub-folder name of a component: "unet", "vae", "text_encoder", "text_encoder_2".
const char* diffusersComponentDir(DiffusersComponent component);

/// How the original file stores a text encoder.
enum class TextEncoderKind {
  HfClip,   ///< HF CLIPTextModel names (`text_model.*`), identical on both sides (SD1, SDXL CLIP-L)
  OpenClip  ///< OpenCLIP names (`transformer.resblocks.*`): SD2, SDXL bigG
};

struct ComponentLayout {
  DiffusersComponent component = DiffusersComponent::Unet;
  std::string originalPrefix;  ///< e.g. "model.diffusion_model."
  TextEncoderKind textKind = TextEncoderKind::HfClip;
  bool textProjection = false;  ///< diffusers side has `text_projection` (WithProjection model)
};

/// The layout of `component` in the original file of `family` (SD1, SD2, SDXL). Throws
/// std::invalid_argument for other families or a component the family does not have.
ComponentLayout componentLayout(ModelFamily family, DiffusersComponent component);

/// diffusers names (one component file, no prefix) -> original names (with prefix).
NamedTensors diffusersToOriginal(const ComponentLayout& layout, const NamedTensors& tensors);

/// Original names (keys outside layout.originalPrefix are ignored) -> diffusers names.
NamedTensors originalToDiffusers(const ComponentLayout& layout, const NamedTensors& tensors);

}  // namespace lienzo
