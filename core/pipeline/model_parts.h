// Where the separately distributed parts of an SD3 / Flux model are: the T5-XXL and CLIP text
// encoders and the 16-channel VAE that people download as their own files (ComfyUI's
// `models/text_encoders/`, `models/clip/`, `models/vae/`; A1111/Forge's `models/text_encoder/`,
// `models/VAE/`). Shared by the family factories (sd3_factory.h, the Flux loader) and `lienzo
// info`.
//
// Order of preference for one part: the file given explicitly (LoadOptions::parts, the CLI's
// --t5 / --clip-l / --clip-g / --vae), else — the factory checks this before asking — the part
// bundled inside the checkpoint, else the first file with one of the part's usual names in the
// folders searched (modelPartSearchDirs), names tried in order in each folder, folders in order.
//
// Contract: pure functions over the file system (reads directory listings only, opens nothing);
// any thread. Failure: findModelPart throws GenerationError(ModelLoad) naming the part, its flag,
// the names tried and every folder looked in; an explicit path that is not a file is the same
// error naming the flag.
#pragma once

#include "core/io/checkpoint_family.h"
#include "core/pipeline/model_loader.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

enum class ModelPart { T5, ClipL, ClipG, Vae };

/// "T5-XXL text encoder", "CLIP-L text encoder", "CLIP-G text encoder", "VAE".
const char* modelPartTitle(ModelPart part);
/// The CLI flag that gives the part: "--t5", "--clip-l", "--clip-g", "--vae".
const char* modelPartFlag(ModelPart part);
/// The explicit path of `part` in `given` (empty when not given).
const std::filesystem::path& givenModelPart(const ModelParts& given, ModelPart part);

/// The file names people have for `part` of `family`, in preference order. An entry ending in
/// '*' is a prefix: every `<prefix>….safetensors` of a folder, in name order. T5: t5xxl_fp16,
/// t5xxl_fp8_e4m3fn, t5xxl_fp8_e4m3fn*, t5xxl*; CLIP-L: clip_l, clip_l*; CLIP-G: clip_g,
/// clip_g*; VAE: SD3 sd3_vae, sd3.5_vae, sd35_vae; Flux ae, flux_vae, flux*vae*… (the family
/// picks the VAE names; the text encoders are shared).
std::vector<std::string> modelPartFileNames(ModelPart part, ModelFamily family);

/// The folders looked in for `part` of the model at `checkpoint` (a file), in order: the
/// checkpoint's folder, then its siblings: text encoders `text_encoders/`, `clip/` (ComfyUI),
/// `text_encoder/` (Forge); VAE `vae/` (ComfyUI), `VAE/` (A1111). Folders that do not exist are
/// listed too (the error message says where one may put the file).
std::vector<std::filesystem::path> modelPartSearchDirs(const std::filesystem::path& checkpoint,
                                                       ModelPart part);

/// The given file, else the first match of modelPartFileNames in modelPartSearchDirs; nullopt
/// when neither exists. Throws GenerationError(ModelLoad) when the given path is not a file.
std::optional<std::filesystem::path> locateModelPart(const std::filesystem::path& checkpoint,
                                                     const ModelParts& given, ModelPart part,
                                                     ModelFamily family);

/// locateModelPart, or GenerationError(ModelLoad): "<model>: the <title> is not inside the
/// model file and was not found; give it with <flag> FILE (looked for <names> in: <dirs>)".
std::filesystem::path findModelPart(const std::filesystem::path& checkpoint,
                                    const ModelParts& given, ModelPart part, ModelFamily family);

/// The folders searched for the T5 SentencePiece model (spiece.model: never inside the weights),
/// in order: $LIENZO_T5_SPIECE when it names a folder, the T5 file's folder (`t5File`, empty
/// when T5 is bundled), the checkpoint's folder, the text-encoder folders (modelPartSearchDirs),
/// the installed data dir's `t5/`. Ref: clipVocabSearchDirs (model_bundle.h), the same idea.
std::vector<std::filesystem::path> t5SpieceSearchDirs(const std::filesystem::path& checkpoint,
                                                      const std::filesystem::path& t5File);

/// $LIENZO_T5_SPIECE when it names a file, else in each folder of t5SpieceSearchDirs
/// `spiece.model`, then any `*spiece.model` (name order). Throws GenerationError(ModelLoad)
/// naming every folder looked in and the variable when none is found.
std::filesystem::path findT5Spiece(const std::filesystem::path& checkpoint,
                                   const std::filesystem::path& t5File);

}  // namespace lienzo
