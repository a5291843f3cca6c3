#include "core/library/library_settings.h"

#include "core/library/atomic_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <system_error>

namespace lienzo {

namespace {

constexpr int kVersion = 1;

std::filesystem::path normal(const std::filesystem::path& p) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(p, ec);
  auto out = (ec ? p : abs).lexically_normal();
  if (out.filename().empty() && out.has_relative_path()) out = out.parent_path();  // "dir/" → "dir"
  return out;
}

}  // namespace

std::filesystem::path LibrarySettings::defaultFile() {
  return lienzoUserDir(UserDir::Config) / "library.json";
}

LibrarySettings LibrarySettings::load(const std::filesystem::path& file) {
  LibrarySettings settings;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return settings;
  const std::string where = "library settings " + file.string() + ": ";
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(readWholeFile(file));
  } catch (const std::exception& e) {
    throw LibrarySettingsError(where + e.what());
  }
  try {
    if (!json.is_object()) throw std::runtime_error("not a JSON object");
    const int version = json.value("version", 0);
    if (version != kVersion)
      throw std::runtime_error("version " + std::to_string(version) + " is not understood (" +
                               std::to_string(kVersion) + " is)");
    const nlohmann::json rootList = json.value("roots", nlohmann::json::array());
    if (!rootList.is_array()) throw std::runtime_error("roots is not a list");
    for (const auto& r : rootList) {
      LibraryRoot root;
      const std::string kind = r.at("kind").get<std::string>();
      const auto parsedKind = parseRootKind(kind);
      if (!parsedKind) throw std::runtime_error("unknown root kind '" + kind + "'");
      root.kind = *parsedKind;
      root.path = r.at("path").get<std::string>();
      if (r.contains("category")) {
        const std::string c = r["category"].get<std::string>();
        root.category = parseCategory(c);
        if (!root.category) throw std::runtime_error("unknown category '" + c + "'");
      }
      settings.roots.push_back(std::move(root));
    }
    const nlohmann::json vaes = json.value("checkpoint_vae", nlohmann::json::object());
    if (!vaes.is_object()) throw std::runtime_error("checkpoint_vae is not an object");
    for (const auto& [checkpoint, vae] : vaes.items())
      settings.checkpointVae[checkpoint] = vae.get<std::string>();
  } catch (const std::exception& e) {
    throw LibrarySettingsError(where + e.what());
  }
  return settings;
}

void LibrarySettings::save(const std::filesystem::path& file) const {
  nlohmann::json roots = nlohmann::json::array();
  for (const auto& r : this->roots) {
    nlohmann::json j = {{"kind", rootKindName(r.kind)}, {"path", r.path.string()}};
    if (r.kind == RootKind::Folder && r.category) j["category"] = categoryName(*r.category);
    roots.push_back(std::move(j));
  }
  nlohmann::json vaes = nlohmann::json::object();
  for (const auto& [checkpoint, vae] : checkpointVae) vaes[checkpoint] = vae.string();
  const nlohmann::json json = {{"version", kVersion}, {"roots", roots}, {"checkpoint_vae", vaes}};
  try {
    writeFileAtomically(file,
                        json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } catch (const std::exception& e) {
    throw LibrarySettingsError(std::string("library settings: ") + e.what());
  }
}

bool LibrarySettings::addRoot(LibraryRoot root) {
  root.path = normal(root.path);
  if (root.kind != RootKind::Folder) root.category.reset();
  if (std::find(roots.begin(), roots.end(), root) != roots.end()) return false;
  roots.push_back(std::move(root));
  return true;
}

std::size_t LibrarySettings::removeRoot(const std::filesystem::path& path) {
  const auto p = normal(path);
  const auto before = roots.size();
  roots.erase(std::remove_if(roots.begin(), roots.end(),
                             [&](const LibraryRoot& r) { return normal(r.path) == p; }),
              roots.end());
  return before - roots.size();
}

std::optional<std::filesystem::path> LibrarySettings::vaeFor(
    const std::filesystem::path& checkpoint) const {
  const auto it = checkpointVae.find(normal(checkpoint).string());
  if (it == checkpointVae.end()) return std::nullopt;
  return it->second;
}

void LibrarySettings::setVaeFor(const std::filesystem::path& checkpoint,
                                const std::filesystem::path& vae) {
  const std::string key = normal(checkpoint).string();
  if (vae.empty())
    checkpointVae.erase(key);
  else
    checkpointVae[key] = normal(vae);
}

}  // namespace lienzo
