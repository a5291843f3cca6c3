#include "core/text/embeddings.h"

#include "core/io/safetensors.h"
#include "core/io/sha256.h"
#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <system_error>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMaxVectors = ClipTokenizer::kMaxBodyTokens;  // one chunk's body
const std::string kStringToParam = "string_to_param.";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The tensor `key` as [n, d] float32 CPU.
at::Tensor readVectors(const SafetensorsFile& file, const std::string& key) {
  const StTensorInfo& info = file.info(key);
  const c10::ScalarType type = toScalarType(info.dtype);
  if (!at::isFloatingType(type))
    throw EmbeddingError(file.path(), "tensor '" + key + "' holds " + stDTypeName(info.dtype) +
                                          " values, not floating-point vectors");
  if (info.shape.empty() || info.shape.size() > 2 || info.numel() == 0)
    throw EmbeddingError(file.path(), "tensor '" + key + "' has shape " + shapeText(info.shape) +
                                          "; an embedding is [vectors, width] or [width]");
  at::Tensor v = file.load(key, at::kFloat);
  if (v.dim() == 1) v = v.unsqueeze(0);  // [d] -> [1,d] (A1111: emb.unsqueeze(0))
  if (v.size(0) > kMaxVectors)
    throw EmbeddingError(file.path(), "tensor '" + key + "' has " + std::to_string(v.size(0)) +
                                          " vectors; at most " + std::to_string(kMaxVectors) +
                                          " fit in a prompt chunk");
  return v.contiguous();  // [n,d]
}

std::string describeVectors(const TextualInversion& e) {
  std::string s;
  for (const auto& [key, v] : e.vectors) {
    if (!s.empty()) s += " + ";
    s += (key.empty() ? "" : key + " ") + std::to_string(v.size(1)) + "-wide";
  }
  return s + " vectors";
}

std::string describeSlots(const std::vector<EmbeddingSlot>& slots) {
  std::string s;
  for (const EmbeddingSlot& slot : slots) {
    if (!s.empty()) s += " + ";
    s += (slot.key.empty() ? "" : slot.key + " ") + std::to_string(slot.width) + "-wide";
  }
  return s;
}

/// Why `e` cannot be used with `slots`, or "" when it can.
std::string mismatch(const TextualInversion& e, const std::vector<EmbeddingSlot>& slots) {
  for (const EmbeddingSlot& slot : slots) {
    const auto it = e.vectors.find(slot.key);
    if (it == e.vectors.end() || it->second.size(1) != slot.width)
      return "embedding '" + e.name + "' has " + describeVectors(e) +
             ", this model's text encoders take " + describeSlots(slots) + " vectors: skipped (" +
             e.path.filename().string() + ")";
  }
  return {};
}

}  // namespace

EmbeddingError::EmbeddingError(const fs::path& path, const std::string& reason)
    : std::runtime_error("embedding " + path.string() + ": " + reason), m_path(path) {}

bool isPickleFile(const fs::path& path) {
  const std::string ext = lower(path.extension().string());
  return ext == ".pt" || ext == ".bin" || ext == ".ckpt" || ext == ".pth";
}

// Ref: A1111 textual_inversion.py load_from_file + create_embedding_from_data (the order of the
// layout checks: string_to_param, clip_g + clip_l, a single tensor).
TextualInversion loadEmbedding(const fs::path& path) {
  // Decided by the name alone: the file is never opened.
  if (isPickleFile(path))
    throw EmbeddingError(path,
                         "is a Python pickle (" + path.extension().string() +
                             "); Lienzo never unpickles files, which can run code. Convert it "
                             "to .safetensors");
  if (lower(path.extension().string()) != ".safetensors")
    throw EmbeddingError(path, "not an embedding file (expected .safetensors)");
  std::optional<SafetensorsFile> opened;
  try {
    opened = SafetensorsFile::open(path);
  } catch (const SafetensorsError& e) {
    throw EmbeddingError(path, "not a valid safetensors file: " + e.reason());
  }
  const SafetensorsFile& file = *opened;
  TextualInversion out;
  out.name = path.stem().string();
  out.path = path;
  std::vector<std::string> terms;
  for (const std::string& key : file.names())
    if (key.compare(0, kStringToParam.size(), kStringToParam) == 0) terms.push_back(key);
  if (!terms.empty()) {
    if (terms.size() != 1)
      throw EmbeddingError(path, "has " + std::to_string(terms.size()) +
                                     " string_to_param terms; an embedding has exactly one");
    out.vectors[kSingleEncoderKey] = readVectors(file, terms[0]);
  } else if (file.contains(kClipLKey) && file.contains(kClipGKey)) {
    out.vectors[kClipLKey] = readVectors(file, kClipLKey);
    out.vectors[kClipGKey] = readVectors(file, kClipGKey);
    if (out.vectors[kClipLKey].size(0) != out.vectors[kClipGKey].size(0))
      throw EmbeddingError(path, "clip_l has " + std::to_string(out.vectors[kClipLKey].size(0)) +
                                     " vectors but clip_g has " +
                                     std::to_string(out.vectors[kClipGKey].size(0)));
  } else if (file.names().size() == 1) {
    out.vectors[kSingleEncoderKey] = readVectors(file, file.names()[0]);
  } else {
    std::string keys;
    for (const std::string& key : file.names()) keys += (keys.empty() ? "" : ", ") + key;
    throw EmbeddingError(path,
                         "is neither a textual-inversion embedding (string_to_param.*, "
                         "clip_l + clip_g) nor a single-tensor concept; its tensors: " +
                             (keys.empty() ? std::string("none") : keys));
  }
  out.count = out.vectors.begin()->second.size(0);
  return out;
}

EmbeddingSet EmbeddingSet::scan(const std::vector<fs::path>& folders) {
  EmbeddingSet set;
  for (const fs::path& folder : folders) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
      set.m_folderNotes.push_back("embeddings folder '" + folder.string() + "' does not exist");
      continue;
    }
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator
             it(folder, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) continue;
      const std::string ext = lower(it->path().extension().string());
      if (ext == ".safetensors" || ext == ".pt" || ext == ".bin") files.push_back(it->path());
    }
    if (ec)
      set.m_folderNotes.push_back("embeddings folder '" + folder.string() +
                                  "' could not be read completely: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      Entry entry;
      entry.name = path.stem().string();
      entry.path = path;
      if (const Entry* known = set.find(entry.name); known && known->embedding) continue;
      try {
        entry.embedding = std::make_shared<const TextualInversion>(loadEmbedding(path));
      } catch (const EmbeddingError& e) {
        entry.problem = e.what();
      }
      set.add(std::move(entry));
    }
  }
  return set;
}

void EmbeddingSet::add(Entry entry) {
  const auto it = m_byName.find(entry.name);
  if (it == m_byName.end()) {
    m_byName.emplace(entry.name, m_entries.size());
    m_entries.push_back(std::move(entry));
  } else if (!m_entries[it->second].embedding && entry.embedding) {
    m_entries[it->second] = std::move(entry);  // a usable file replaces an unusable one
  }
}

void EmbeddingSet::add(TextualInversion embedding) {
  Entry entry;
  entry.name = embedding.name;
  entry.path = embedding.path;
  entry.embedding = std::make_shared<const TextualInversion>(std::move(embedding));
  add(std::move(entry));
}

const EmbeddingSet::Entry* EmbeddingSet::find(std::string_view name) const {
  const auto it = m_byName.find(name);
  return it == m_byName.end() ? nullptr : &m_entries[it->second];
}

// Ref: A1111 EmbeddingDatabase.register_embedding (ids = tokenize(name), no BOS/EOS) and
// load_from_file (an embedding of another width than the model's is skipped).
EmbeddingVocab EmbeddingSet::vocabulary(const ClipTokenizer& tokenizer,
                                        const std::vector<EmbeddingSlot>& slots) const {
  std::vector<PromptEmbedding> list;
  list.reserve(m_entries.size());
  for (const Entry& entry : m_entries) {
    PromptEmbedding p;
    p.name = entry.name;
    p.ids = tokenizer.encode(entry.name);
    if (!entry.embedding) {
      p.skipReason = "embedding '" + entry.name + "' skipped: " + entry.problem;
    } else {
      p.skipReason = mismatch(*entry.embedding, slots);
      if (p.skipReason.empty()) p.vectors = static_cast<int>(entry.embedding->count);
    }
    list.push_back(std::move(p));
  }
  return EmbeddingVocab(std::move(list));
}

at::Tensor EmbeddingSet::applyFixes(const at::Tensor& tokenEmbeds, const ChunkedPrompt& prompt,
                                    const std::string& key) const {
  bool any = false;
  for (const PromptChunk& chunk : prompt.chunks) any = any || !chunk.fixes.empty();
  if (!any) return tokenEmbeds;
  at::Tensor out = tokenEmbeds.clone();  // [chunks,T,W]
  const int64_t tokens = out.size(1);
  for (std::size_t c = 0; c < prompt.chunks.size(); ++c) {
    for (const EmbeddingFix& fix : prompt.chunks[c].fixes) {
      const auto& vectors = m_entries.at(static_cast<std::size_t>(fix.embedding)).embedding;
      const at::Tensor v = vectors->vectors.at(key);  // [n,W]
      // Ref: A1111 EmbeddingsWithFixes: emb_len = min(len - offset - 1, n), rows offset+1...
      const int64_t n = std::min<int64_t>(tokens - fix.offset - 1, v.size(0));
      if (n <= 0) continue;
      out[static_cast<int64_t>(c)]
          .narrow(0, fix.offset + 1, n)
          .copy_(v.narrow(0, 0, n).to(out.device(), out.scalar_type()));
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> EmbeddingSet::hashes(
    const std::vector<std::string>& names) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& name : names) {
    const Entry* entry = find(name);
    if (!entry) continue;
    try {
      // Ref: A1111 Embedding.shorthash = sha256(file)[0:12].
      out.emplace_back(name, sha256FileHex(entry->path).substr(0, 12));
    } catch (const std::exception&) {
      // The file went away after the scan: no hash to write, nothing to fail for.
    }
  }
  return out;
}

void reportEmbeddings(const ChunkedPrompt& prompt, const EmbeddingVocab& vocab,
                      std::vector<std::string>& used, std::vector<std::string>& notices) {
  auto addOnce = [](std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  };
  for (int index : usedEmbeddings(prompt)) addOnce(used, vocab.entries().at(index).name);
  for (int index : prompt.skippedEmbeddings) addOnce(notices, vocab.entries().at(index).skipReason);
  for (const std::string& name : prompt.unknownEmbeddings)
    addOnce(notices, "embedding '" + name + "' not found in the embeddings folders: ignored");
}

}  // namespace lienzo
