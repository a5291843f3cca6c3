// ControlNet units <-> sd-webui-controlnet's infotext values, one field per unit:
//   ControlNet 0: "Module: canny, Model: control_v11p_sd15_canny, Weight: 1.0, Resize Mode: Crop
//   and Resize, Threshold A: 100.0, Threshold B: 200.0, Guidance Start: 0.0, Guidance End: 1.0,
//   Pixel Perfect: True, Control Mode: Balanced"
// (the outer quotes are infotext.h's quoting; a model given as a path is written as its stem).
// Threshold A/B carry the preprocessor's knobs as sd-webui-controlnet does (canny low/high,
// scribble/threshold value, tile_resample rate). Lienzo's own item, only for the non-default rule:
// "Guidance Rule: ComfyUI". Pictures are never in the text. Reading accepts sd-webui-controlnet's
// texts: a " [hash]" after the model name is dropped, preprocessor aliases are resolved, unknown
// items (Processor Res, Hr Option, Save Detected Map, …) are ignored.
//
// Contract: pure functions, thread-safe, torch-free. parseControlUnit() throws
// std::invalid_argument for a value without Module/Model or with an unreadable number/label.
#pragma once

#include "core/pipeline/pipeline.h"

#include <string>

namespace lienzo {

/// "ControlNet <index>", the field name.
std::string controlUnitKey(std::size_t index);
/// Index of a "ControlNet <n>" field name, or -1 for any other key.
int controlUnitIndex(const std::string& key);

std::string formatControlUnit(const ControlUnit& unit);
ControlUnit parseControlUnit(const std::string& value);

}  // namespace lienzo
