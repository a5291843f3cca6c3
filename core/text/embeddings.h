// Textual-inversion embeddings: files of learned token vectors that a prompt names (A1111 by the
// BPE ids of the file name, ComfyUI by `embedding:name`).
//
// Files (A1111 create_embedding_from_data, safetensors only):
//   - `string_to_param.<term>` [n, d]: A1111's own format (exactly one term);
//   - `clip_l` [n, dL] + `clip_g` [n, dG]: SDXL (CLIP-L and bigG vectors, same n);
//   - any single tensor [n, d] or [d] ("diffusers concept", kohya `emb_params`).
// `.pt` / `.bin` / `.ckpt` / `.pth` files are Python pickles: they are refused by their name,
// without opening them (Lienzo never unpickles anything).
//
// Contract
// - Ownership: a TextualInversion holds float32 CPU tensors (views on the read-only mapping of
//   its file when stored as F32). An EmbeddingSet owns its entries; EmbeddingVocab indices and
//   EmbeddingFix::embedding are indices into EmbeddingSet::entries().
// - Cost: scan() lists the folders and opens each safetensors file (header and mapping only;
//   tensor pages are read when a prompt uses them). Hashes are computed on demand.
// - Threads: loadEmbedding/scan run on the calling thread; a built EmbeddingSet is immutable and
//   its const methods may be called from any number of threads.
// - Failure: loadEmbedding throws EmbeddingError naming the file and the reason. scan() never
//   throws for a bad file: the entry keeps the reason (EmbeddingSet::Entry::problem), which a
//   prompt naming it reports as a notice; a missing folder is recorded in folderNotes().
//
// Ref: A1111 modules/textual_inversion/textual_inversion.py (EmbeddingDatabase,
// create_embedding_from_data, load_from_file), modules/sd_hijack.py EmbeddingsWithFixes;
// ComfyUI comfy/sd1_clip.py load_embed.
#pragma once

#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_chunks.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lienzo {

class EmbeddingError : public std::runtime_error {
 public:
  EmbeddingError(const std::filesystem::path& path, const std::string& reason);
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

/// Vector keys: one-encoder embeddings (SD 1.x, SD 2.x) use kSingleEncoderKey; SDXL ones
/// kClipLKey and kClipGKey (A1111 `textual_inversion_key`).
inline const std::string kSingleEncoderKey;
inline const std::string kClipLKey = "clip_l";
inline const std::string kClipGKey = "clip_g";

struct TextualInversion {
  std::string name;  ///< the file stem
  std::filesystem::path path;
  /// Per key [n, width] float32 CPU.
  std::map<std::string, at::Tensor> vectors;
  int64_t count = 0;  ///< n, the same for every key
};

/// Whether `path` names a pickle by its extension (.pt, .bin, .ckpt, .pth, any case).
bool isPickleFile(const std::filesystem::path& path);

/// Loads one embedding file (name = file stem). Throws EmbeddingError: a pickle (without reading
/// it), not a valid safetensors file, no recognised layout, not floating point, n outside 1..75.
TextualInversion loadEmbedding(const std::filesystem::path& path);

/// What one text encoder of a model takes: the vectors under `key`, `width` wide.
struct EmbeddingSlot {
  std::string key;
  int64_t width = 0;
};

class EmbeddingSet {
 public:
  struct Entry {
    std::string name;  ///< file stem
    std::filesystem::path path;
    std::shared_ptr<const TextualInversion> embedding;  ///< null when the file is unusable
    std::string problem;                                ///< why (embedding == null)
  };

  /// Every `*.safetensors`, `*.pt` and `*.bin` below the folders (recursively, sorted by path),
  /// in folder order; the first usable file of a name wins (an unusable one is replaced by a
  /// later usable file of the same name).
  static EmbeddingSet scan(const std::vector<std::filesystem::path>& folders);

  /// Adds an entry unless a usable one of that name exists (tests, callers with loaded files).
  void add(Entry entry);
  void add(TextualInversion embedding);

  const std::vector<Entry>& entries() const { return m_entries; }
  bool empty() const { return m_entries.empty(); }
  /// The entry named `name`, or null.
  const Entry* find(std::string_view name) const;
  /// Folders that could not be read ("embeddings folder '…' does not exist").
  const std::vector<std::string>& folderNotes() const { return m_folderNotes; }

  /// The chunker's view for a model whose text encoders take `slots` (entry i = vocab index i):
  /// an entry without vectors of the right width for every slot has vectors 0 and a reason.
  EmbeddingVocab vocabulary(const ClipTokenizer& tokenizer,
                            const std::vector<EmbeddingSlot>& slots) const;

  /// tokenEmbeds [chunks, T, W] with the rows of every fix of `prompt` replaced by the
  /// embedding's vectors[key] (rows offset+1 .. offset+n, cut at T), before position embeddings
  /// are added. Returns tokenEmbeds itself when the prompt has no fix.
  // Ref: A1111 modules/sd_hijack.py EmbeddingsWithFixes.forward.
  at::Tensor applyFixes(const at::Tensor& tokenEmbeds, const ChunkedPrompt& prompt,
                        const std::string& key) const;

  /// (name, shorthash) of the named entries, for the infotext's "TI hashes" (A1111 shorthash:
  /// the first 12 hex digits of the file's SHA-256). Names without an entry are left out.
  std::vector<std::pair<std::string, std::string>> hashes(
      const std::vector<std::string>& names) const;

 private:
  std::vector<Entry> m_entries;
  std::map<std::string, std::size_t, std::less<>> m_byName;
  std::vector<std::string> m_folderNotes;
};

/// Adds the names of the embeddings `prompt` placed to `used` and a notice for each skipped or
/// unknown one to `notices` (each string once).
void reportEmbeddings(const ChunkedPrompt& prompt, const EmbeddingVocab& vocab,
                      std::vector<std::string>& used, std::vector<std::string>& notices);

}  // namespace lienzo
