#include "core/library/hash_cache.h"

#include "core/library/atomic_file.h"

#include <nlohmann/json.hpp>

#include <system_error>

namespace lienzo {

namespace {
constexpr int kFormatVersion = 1;
}

std::filesystem::path HashCache::defaultFile() {
  return lienzoUserDir(UserDir::Cache) / "model-hashes.json";
}

std::optional<std::string> HashCache::load() {
  m_entries.clear();
  m_dirty = false;
  std::error_code ec;
  if (!std::filesystem::exists(m_file, ec)) return std::nullopt;
  const std::string rebuilt = "; it will be rebuilt (files are hashed again)";
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(readWholeFile(m_file));
  } catch (const std::exception& e) {
    m_dirty = true;
    return "the hash cache " + m_file.string() + " is unreadable (" + e.what() + ")" + rebuilt;
  }
  try {
    if (!json.is_object() || json.value("version", 0) != kFormatVersion ||
        !json.contains("files") || !json["files"].is_object())
      throw std::runtime_error("not a version " + std::to_string(kFormatVersion) + " cache");
    const bool sameRules = json.value("family_rules", 0) == kFamilyRulesVersion;
    for (const auto& [path, e] : json["files"].items()) {
      CachedFileFacts f;
      f.size = e.at("size").get<uint64_t>();
      f.mtimeNs = e.at("mtime_ns").get<int64_t>();
      f.sha256 = e.value("sha256", "");
      f.tensorSha256 = e.value("tensor_sha256", "");
      if (sameRules && e.value("header", false)) {
        f.headerRead = true;
        f.metadataHash = e.value("metadata_hash", "");
        f.family = e.value("family", "");
        f.familyBasis = e.value("family_basis", "");
        f.familyAssumed = e.value("family_assumed", false);
        f.category = e.value("category", "");
        f.error = e.value("error", "");
      }
      m_entries.emplace(path, std::move(f));
    }
  } catch (const std::exception& e) {
    m_entries.clear();
    m_dirty = true;
    return "the hash cache " + m_file.string() + " is corrupt (" + e.what() + ")" + rebuilt;
  }
  return std::nullopt;
}

void HashCache::save() {
  if (!m_dirty) return;
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [path, f] : m_entries) {
    nlohmann::json e = {{"size", f.size}, {"mtime_ns", f.mtimeNs}};
    if (!f.sha256.empty()) e["sha256"] = f.sha256;
    if (!f.tensorSha256.empty()) e["tensor_sha256"] = f.tensorSha256;
    if (f.headerRead) {
      e["header"] = true;
      if (!f.metadataHash.empty()) e["metadata_hash"] = f.metadataHash;
      e["family"] = f.family;
      if (!f.familyBasis.empty()) e["family_basis"] = f.familyBasis;
      if (f.familyAssumed) e["family_assumed"] = true;
      if (!f.category.empty()) e["category"] = f.category;
      if (!f.error.empty()) e["error"] = f.error;
    }
    files[path] = std::move(e);
  }
  const nlohmann::json json = {
      {"version", kFormatVersion}, {"family_rules", kFamilyRulesVersion}, {"files", files}};
  // dump(1): one key per line keeps the file readable; replace invalid UTF-8 in odd file names.
  writeFileAtomically(m_file, json.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
  m_dirty = false;
}

const CachedFileFacts* HashCache::find(const std::filesystem::path& path, uint64_t size,
                                       int64_t mtimeNs) const {
  const auto it = m_entries.find(path.string());
  if (it == m_entries.end() || it->second.size != size || it->second.mtimeNs != mtimeNs)
    return nullptr;
  return &it->second;
}

void HashCache::store(const std::filesystem::path& path, CachedFileFacts facts) {
  m_entries[path.string()] = std::move(facts);
  m_dirty = true;
}

std::size_t HashCache::pruneMissing() {
  std::size_t removed = 0;
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    std::error_code ec;
    if (!std::filesystem::exists(it->first, ec) && !ec) {
      it = m_entries.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  if (removed) m_dirty = true;
  return removed;
}

}  // namespace lienzo
