// The sidecar config and vocabulary look-up of a checkpoint (model_bundle.h).
#include "core/pipeline/model_bundle.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

std::optional<int64_t> positiveInt(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_integer()) return std::nullopt;
  const int64_t v = obj[key].get<int64_t>();
  return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

std::optional<int64_t> textHeads(const nlohmann::json& te) {
  if (auto h = positiveInt(te, "num_attention_heads")) return h;
  return positiveInt(te, "heads");
}

}  // namespace

std::filesystem::path sidecarPath(const std::filesystem::path& checkpoint) {
  auto sidecar = checkpoint;
  sidecar.replace_extension(".config.json");
  return sidecar;
}

std::optional<nlohmann::json> readSidecarJson(const std::filesystem::path& checkpoint) {
  const auto sidecar = sidecarPath(checkpoint);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sidecar, ec)) return std::nullopt;
  try {
    std::ifstream in(sidecar);
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw GenerationError(Code::ModelLoad, sidecar.string() + ": not valid JSON: " + e.what());
  }
}

ModelOverrides readSidecarConfig(const std::filesystem::path& checkpoint) {
  ModelOverrides out;
  const auto sidecar = sidecarPath(checkpoint);
  const auto json = readSidecarJson(checkpoint);
  if (!json) return out;
  const nlohmann::json& cfg = *json;
  if (cfg.contains("parameterization") && cfg["parameterization"].is_string()) {
    const auto p = cfg["parameterization"].get<std::string>();
    if (p == "eps" || p == "epsilon")
      out.prediction = Prediction::Epsilon;
    else if (p == "v" || p == "v_prediction")
      out.prediction = Prediction::V;
    else
      throw GenerationError(Code::ModelLoad,
                            sidecar.string() + ": unknown parameterization '" + p + "'");
  }
  if (cfg.contains("scale_factor") && cfg["scale_factor"].is_number())
    out.scaleFactor = cfg["scale_factor"].get<double>();
  if (cfg.contains("unet")) {
    out.unetNumHeads = positiveInt(cfg["unet"], "num_heads");
    out.unetNumHeadChannels = positiveInt(cfg["unet"], "num_head_channels");
  }
  if (cfg.contains("text_encoder")) out.textHeads = textHeads(cfg["text_encoder"]);
  if (cfg.contains("conditioner") && cfg["conditioner"].is_object()) {
    const auto& c = cfg["conditioner"];
    if (c.contains("embedders.0")) out.textHeads = textHeads(c["embedders.0"]);
    if (c.contains("embedders.1")) out.text2Heads = textHeads(c["embedders.1"]);
  }
  return out;
}

std::vector<std::filesystem::path> clipVocabSearchDirs(const std::filesystem::path& checkpoint) {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("LIENZO_CLIP_VOCAB"); env && *env) {
    const std::filesystem::path p(env);
    dirs.push_back(std::filesystem::is_directory(p) ? p : p.parent_path());
  }
  const auto dir = std::filesystem::absolute(checkpoint).parent_path();
  dirs.push_back(dir);
  dirs.push_back(dir / "tokenizer");
  dirs.push_back(dir.parent_path());
  dirs.push_back(dir.parent_path() / "clip");
#ifdef LIENZO_DATA_DIR
  dirs.push_back(std::filesystem::path(LIENZO_DATA_DIR) / "clip");
#endif
  return dirs;
}

}  // namespace lienzo
