// Lienzo's built-in model: its configuration (stored as JSON in the safetensors metadata key
// "lienzo.model") and its family's factory: loadBuiltinParts() fills a ModelBundle's components
// (a SentencePiece text conditioner, UNetDiffusionModel, a DiscreteVpNoiseSchedule with the
// predicted-x0 clamp its sampling needs, AutoencoderKlCodec), all facts from its config.
//
// File layout (one .safetensors, written by `lienzo train export`):
//   model.diffusion_model.*   U-Net (core/model/unet.h layout, any widths)
//   first_stage_model.*       AutoencoderKL (core/model/vae.h layout, small widths, own GroupNorm
//                             group count from the config)
//   text_model.*              ClipTextModel layout (embeddings.*, encoder.layers.N.*,
//   final_layer_norm.*) alphas_cumprod            [T] float32 training schedule metadata
//   "lienzo.model"     = BuiltinModelConfig::toJson().dump() metadata "lienzo.tokenizer" = base64
//   of the SentencePiece .model bytes
//
// Contract: BuiltinModelConfig is a plain value. fromJson() throws std::invalid_argument on a
// malformed or inconsistent config. loadBuiltinParts() throws GenerationError(ModelLoad) when the
// file lacks the tokenizer or a network, or when SentencePiece support is not compiled in.
// encodeBuiltinPrompt() runs under inference mode; safe from any thread on a loaded bundle.
#pragma once

#include "core/pipeline/builtin_config.h"
#include "core/sampling/sampler.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;
class ModelBundle;
class DiscreteSchedule;
struct Conditioning;
struct ModelDescription;

/// Reads the config from a file's "lienzo.model" metadata; std::invalid_argument when absent.
BuiltinModelConfig readBuiltinConfig(const SafetensorsFile& file);

/// The settings a built-in model wants (its image size, steps, CFG; DDIM, what the trainer's
/// evaluation samples with) into `d`; loadBuiltinParts and describeModelFile both use it.
void describeBuiltinDefaults(ModelDescription& d, const BuiltinModelConfig& config);

/// The built-in model's factory: fills family, dtype, device, the four components and the
/// description defaults (size, steps) from a built-in model file.
void loadBuiltinParts(ModelBundle& bundle, const SafetensorsFile& file, c10::ScalarType dtype,
                      c10::Device device);

/// bundle.text->encode(prompt, 1) of a built-in bundle: context [1, tokens, textWidth] in the
/// bundle dtype (no A1111 weighting syntax). UnsupportedModel for other families.
Conditioning encodeBuiltinPrompt(const ModelBundle& bundle, const std::string& prompt);

}  // namespace lienzo
