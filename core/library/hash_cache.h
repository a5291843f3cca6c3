// What the library learned about each model file — SHA-256s and header facts — keyed by path and
// valid while the file's size and modification time are unchanged, so a rescan of unchanged
// files only stats them.
//
// Contract
// - Stored as JSON (format version 1) in $XDG_CACHE_HOME/lienzo/model-hashes.json (fallback
//   ~/.cache/lienzo; defaultFile()), written atomically (atomic_file.h): a crash never leaves a
//   half-written cache.
// - load() never throws: a missing file is an empty cache; an unreadable or corrupt one (bad JSON,
//   wrong shape, other version) is an empty cache plus a warning — it is rebuilt by the next
//   scan. Entries of other family-rule versions keep their hashes and lose their header facts.
// - save() throws std::runtime_error when the file cannot be written (the old file stays).
// - Not thread-safe: one owner at a time (the scan). Two processes: the last save wins, whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace lienzo {

/// Header facts and hashes of one file at one (size, mtime).
struct CachedFileFacts {
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  std::string sha256;        ///< whole file, lower-case hex; "" = not hashed yet
  std::string tensorSha256;  ///< safetensors data section (LoRAs only); "" = not hashed / n.a.
  bool headerRead = false;   ///< the fields below are known
  std::string metadataHash;  ///< `sshs_model_hash` from the header metadata, if any
  std::string family;        ///< familyName() of the guess ("unknown" when none)
  std::string familyBasis;
  bool familyAssumed = false;
  std::string category;  ///< categoryName() found from the header (folders without a category)
  std::string error;     ///< why the header could not be read ("" = it could)
};

class HashCache {
 public:
  /// Version of the family rules (family_guess.h); bump when they change so cached guesses of
  /// older rules are re-read (hashes are kept).
  static constexpr int kFamilyRulesVersion = 1;

  explicit HashCache(std::filesystem::path file) : m_file(std::move(file)) {}
  /// model-hashes.json in lienzoUserDir(UserDir::Cache). Throws std::runtime_error without HOME.
  static std::filesystem::path defaultFile();

  /// Reads the file (see the contract). Returns a warning for people, or std::nullopt.
  std::optional<std::string> load();
  /// Writes the file when something changed since load() / the last save().
  void save();

  /// The facts of `path` when its size and mtime match; nullptr otherwise.
  const CachedFileFacts* find(const std::filesystem::path& path, uint64_t size,
                              int64_t mtimeNs) const;
  void store(const std::filesystem::path& path, CachedFileFacts facts);
  /// Drops the entries whose file no longer exists; returns how many.
  std::size_t pruneMissing();

  const std::filesystem::path& file() const { return m_file; }
  std::size_t size() const { return m_entries.size(); }
  bool dirty() const { return m_dirty; }

 private:
  std::filesystem::path m_file;
  std::map<std::string, CachedFileFacts> m_entries;  // key: path as scanned (absolute)
  bool m_dirty = false;
};

}  // namespace lienzo
