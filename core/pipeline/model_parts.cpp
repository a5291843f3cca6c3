// Discovery of the separately distributed parts of SD3 / Flux models (model_parts.h).
#include "core/pipeline/model_parts.h"

#include "core/pipeline/pipeline.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = ".safetensors";

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

/// Files of `dir` named `<prefix>*.safetensors`, sorted by name (deterministic).
std::vector<fs::path> prefixMatches(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) == 0 && endsWith(name, kSuffix) &&
        isFile(it->path()))
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

const char* modelPartTitle(ModelPart part) {
  switch (part) {
    case ModelPart::T5:
      return "T5-XXL text encoder";
    case ModelPart::ClipL:
      return "CLIP-L text encoder";
    case ModelPart::ClipG:
      return "CLIP-G text encoder";
    case ModelPart::Vae:
      break;
  }
  return "VAE";
}

const char* modelPartFlag(ModelPart part) {
  switch (part) {
    case ModelPart::T5:
      return "--t5";
    case ModelPart::ClipL:
      return "--clip-l";
    case ModelPart::ClipG:
      return "--clip-g";
    case ModelPart::Vae:
      break;
  }
  return "--vae";
}

const fs::path& givenModelPart(const ModelParts& given, ModelPart part) {
  switch (part) {
    case ModelPart::T5:
      return given.t5;
    case ModelPart::ClipL:
      return given.clipL;
    case ModelPart::ClipG:
      return given.clipG;
    case ModelPart::Vae:
      break;
  }
  return given.vae;
}

std::vector<std::string> modelPartFileNames(ModelPart part, ModelFamily family) {
  // Ref: the names of the files as distributed (ComfyUI's SD3.5 / Flux examples: clip_l,
  // clip_g, t5xxl_fp16 / t5xxl_fp8_e4m3fn(_scaled); BFL's ae.safetensors).
  switch (part) {
    case ModelPart::T5:
      return {"t5xxl_fp16.safetensors", "t5xxl_fp8_e4m3fn.safetensors", "t5xxl_fp8_e4m3fn*",
              "t5xxl*"};
    case ModelPart::ClipL:
      return {"clip_l.safetensors", "clip_l*"};
    case ModelPart::ClipG:
      return {"clip_g.safetensors", "clip_g*"};
    case ModelPart::Vae:
      break;
  }
  if (family == ModelFamily::Flux) return {"ae.safetensors", "flux_vae.safetensors", "flux_ae*"};
  return {"sd3_vae.safetensors", "sd3.5_vae.safetensors", "sd35_vae.safetensors", "sd3_vae*"};
}

std::vector<fs::path> modelPartSearchDirs(const fs::path& checkpoint, ModelPart part) {
  std::error_code ec;
  fs::path dir = fs::absolute(checkpoint, ec).lexically_normal().parent_path();
  const fs::path models = dir.parent_path();  // ComfyUI / A1111 `models/`
  std::vector<fs::path> dirs{dir};
  if (part == ModelPart::Vae) {
    dirs.push_back(models / "vae");  // ComfyUI
    dirs.push_back(models / "VAE");  // A1111 / Forge
  } else {
    dirs.push_back(models / "text_encoders");  // ComfyUI (current)
    dirs.push_back(models / "clip");           // ComfyUI (older)
    dirs.push_back(models / "text_encoder");   // Forge
  }
  // Case-insensitive file systems list vae/ and VAE/ as one folder: keep the first.
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    bool same = false;
    for (const auto& o : out) same = same || (fs::exists(d, ec) && fs::equivalent(d, o, ec));
    if (!same) out.push_back(d);
  }
  return out;
}

std::optional<fs::path> locateModelPart(const fs::path& checkpoint, const ModelParts& given,
                                        ModelPart part, ModelFamily family) {
  const fs::path& explicitPath = givenModelPart(given, part);
  if (!explicitPath.empty()) {
    if (!isFile(explicitPath))
      throw GenerationError(GenerationError::Code::ModelLoad,
                            std::string(modelPartFlag(part)) + " " + explicitPath.string() +
                                ": no such file (the " + modelPartTitle(part) + ")");
    return explicitPath;
  }
  const std::vector<std::string> names = modelPartFileNames(part, family);
  for (const auto& dir : modelPartSearchDirs(checkpoint, part)) {
    for (const auto& name : names) {
      if (!name.empty() && name.back() == '*') {
        const auto matches = prefixMatches(dir, name.substr(0, name.size() - 1));
        // A prefix never matches the checkpoint itself (a t5xxl-named model file).
        for (const auto& m : matches) {
          std::error_code ec;
          if (!fs::equivalent(m, checkpoint, ec)) return m;
        }
      } else if (isFile(dir / name)) {
        return dir / name;
      }
    }
  }
  return std::nullopt;
}

fs::path findModelPart(const fs::path& checkpoint, const ModelParts& given, ModelPart part,
                       ModelFamily family) {
  if (auto found = locateModelPart(checkpoint, given, part, family)) return *found;
  std::string names;
  for (const auto& n : modelPartFileNames(part, family))
    names += (names.empty() ? "" : ", ") + (n.back() == '*' ? n + kSuffix : n);
  std::string dirs;
  for (const auto& d : modelPartSearchDirs(checkpoint, part)) dirs += "\n  " + d.string();
  throw GenerationError(GenerationError::Code::ModelLoad,
                        checkpoint.string() + ": the " + modelPartTitle(part) +
                            " is not inside the model file and was not found; give it with " +
                            modelPartFlag(part) + " FILE (looked for " + names + " in:" + dirs +
                            ")");
}

std::vector<fs::path> t5SpieceSearchDirs(const fs::path& checkpoint, const fs::path& t5File) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (const char* env = std::getenv("LIENZO_T5_SPIECE"); env && *env && fs::is_directory(env, ec))
    dirs.emplace_back(env);
  if (!t5File.empty()) dirs.push_back(fs::absolute(t5File, ec).lexically_normal().parent_path());
  for (const auto& d : modelPartSearchDirs(checkpoint, ModelPart::T5)) dirs.push_back(d);
#ifdef LIENZO_DATA_DIR
  dirs.push_back(fs::path(LIENZO_DATA_DIR) / "t5");
#endif
  std::vector<fs::path> out;  // without repeats (the T5 file is often beside the model)
  for (const auto& d : dirs)
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  return out;
}

fs::path findT5Spiece(const fs::path& checkpoint, const fs::path& t5File) {
  std::error_code ec;
  const char* env = std::getenv("LIENZO_T5_SPIECE");
  if (env && *env && fs::is_regular_file(env, ec)) return env;
  const auto dirs = t5SpieceSearchDirs(checkpoint, t5File);
  for (const auto& dir : dirs) {
    if (isFile(dir / "spiece.model")) return dir / "spiece.model";
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> matches;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (endsWith(it->path().filename().string(), "spiece.model") && isFile(it->path()))
        matches.push_back(it->path());
    std::sort(matches.begin(), matches.end());
    if (!matches.empty()) return matches.front();
  }
  std::string looked;
  for (const auto& d : dirs) looked += "\n  " + d.string();
  throw GenerationError(
      GenerationError::Code::ModelLoad,
      "the T5 tokenizer (spiece.model, the SentencePiece model of google/t5-v1_1-xxl) is not part "
      "of the T5 weights and was not found; put it beside the T5 file or set LIENZO_T5_SPIECE "
      "to it (looked in:" +
          looked + ")");
}

}  // namespace lienzo
