// The model library: every checkpoint, LoRA, embedding, VAE and ControlNet under the configured
// roots, read where it lies (never copied), with family, SHA-256s and preview picture, and
// lookups by name and by hash for `<lora:name:w>`, embedding names and "Lora hashes".
//
// Contract
// - ModelLibrary::scan() walks each folder recursively (symlinked folders followed once, hidden
//   entries skipped), lists `.safetensors` files and, as not loadable, pickles (`.ckpt`, `.pt`,
//   `.pth`, `.bin`: listed with a note, never opened). A file reached twice (two roots naming one
//   folder) is listed once, at its first place. Order: roots in order, then folder order, then
//   path order inside a folder — "first match wins" in the lookups follows it.
// - Per file it costs one stat when the HashCache has its (size, mtime); otherwise the
//   safetensors header is read (a small read) and, with ScanOptions::hash, the bytes are hashed.
//   ScanReport::hashed / headersRead count exactly that work.
// - Failures are reported, not thrown: a missing folder goes to ScanReport::missingFolders, an
//   unreadable file or bad header to the entry's `note` (and ScanReport::warnings). Only a
//   cache that cannot be saved throws (std::runtime_error, from HashCache::save()).
// - A ModelLibrary is immutable after scan(): its const methods may be called from any thread.
//   Scanning (and the HashCache it updates) belongs to one thread at a time; a UI scans on a
//   worker and swaps in the new library (e.g. a std::shared_ptr<const ModelLibrary>).
#pragma once

#include "core/library/family_guess.h"
#include "core/library/hash_cache.h"
#include "core/library/library_layout.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lienzo {

struct LibraryEntry {
  ModelCategory category = ModelCategory::Checkpoint;
  std::filesystem::path path;  ///< absolute, where it lies
  std::string name;            ///< file stem: A1111's name ("<lora:name:1>", "Model")
  std::string relativeName;    ///< inside its folder, '/'-separated, no extension ("sd15/name")
  std::string folderOrigin;    ///< LibraryFolder::origin it was found through
  bool loadable = true;        ///< false: a pickle, or a header that could not be read
  std::string note;            ///< "pickle — not loadable", or why the header is unreadable
  FamilyGuess family;
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  std::string sha256;  ///< whole file, lower-case hex ("" = not hashed): Civitai "SHA256"
  /// SHA-256 of the safetensors data section (after the header) — A1111's LoRA hash
  /// (`use_addnet_hash`), Civitai "AutoV3". LoRAs only; "" otherwise.
  std::string tensorSha256;
  std::string metadataHash;       ///< `sshs_model_hash` from the header metadata ("" = none)
  std::filesystem::path preview;  ///< picture beside the file ("" = none)

  /// The hash A1111 writes for this file: LoRAs `sshs_model_hash` or else the data-section
  /// SHA-256 (A1111 networks.py); everything else the whole-file SHA-256. "" = not hashed.
  const std::string& a1111Hash() const;
  /// A1111's `shorthash`: the first 10 hex digits of a1111Hash() for checkpoints and VAEs ("Model
  /// hash", "VAE hash"), 12 for LoRAs and embeddings ("Lora hashes", "TI hashes").
  std::string shortHash() const;
};

struct ScanOptions {
  bool hash = true;  ///< false: hashes only from the cache (a quick listing; no file is read)
  const std::atomic<bool>* cancel = nullptr;  ///< checked between files
  /// Called after each file (index from 0, of `total` found); on the scanning thread.
  std::function<void(const LibraryEntry& entry, std::size_t index, std::size_t total)> progress;
};

struct ScanReport {
  std::size_t files = 0;               ///< entries listed
  std::size_t hashed = 0;              ///< files whose bytes were hashed by this scan
  std::size_t headersRead = 0;         ///< safetensors headers read by this scan
  std::vector<LibraryFolder> folders;  ///< what was scanned, in order
  std::vector<std::filesystem::path> missingFolders;  ///< not fatal
  std::vector<std::string> warnings;                  ///< for people, one sentence each
  bool cancelled = false;
};

class ModelLibrary {
 public:
  ModelLibrary() = default;

  /// Expands the roots (library_layout.h) and scans their folders; see the contract.
  static ModelLibrary scan(const std::vector<LibraryRoot>& roots, HashCache& cache,
                           ScanReport& report, const ScanOptions& options = {});
  static ModelLibrary scanFolders(const std::vector<LibraryFolder>& folders, HashCache& cache,
                                  ScanReport& report, const ScanOptions& options = {});

  const std::vector<LibraryEntry>& entries() const { return m_entries; }
  /// The entries of one category, in library order (for pickers: name, family, preview).
  std::vector<const LibraryEntry*> list(ModelCategory category) const;

  /// By name: the file stem, case-sensitive first, then the relative name ("sub/name"), then
  /// both case-insensitively; a trailing model extension is ignored. First match in library
  /// order; nullptr when none.
  const LibraryEntry* findByName(ModelCategory category, const std::string& name) const;
  /// By hash: a hex prefix of at least 8 digits (any case) of a1111Hash(), sha256 or
  /// tensorSha256 — "Model hash" (10), "Lora hashes"/"TI hashes" (12), full SHA-256s. nullptr
  /// when none or when `hex` is shorter than 8 or not hex.
  const LibraryEntry* findByHash(ModelCategory category, const std::string& hex) const;
  /// findByName(), then findByHash() when no name matches (a restored "Lora hashes" entry whose
  /// file was renamed).
  const LibraryEntry* find(ModelCategory category, const std::string& nameOrHash) const;

 private:
  std::vector<LibraryEntry> m_entries;
};

}  // namespace lienzo
