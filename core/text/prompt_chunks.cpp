#include "core/text/prompt_chunks.h"

#include <algorithm>
#include <optional>

namespace lienzo {
namespace {

constexpr int kChunkLength = ClipTokenizer::kMaxBodyTokens;  // 75 body tokens
constexpr std::string_view kEmbeddingWord = "embedding:";    // ComfyUI prompt syntax

struct Body {
  std::vector<int32_t> tokens;
  std::vector<double> weights;
  std::vector<EmbeddingFix> fixes;
};

/// One element of a fragment: a BPE id, or an `embedding:name` word (embedding >= 0).
struct Piece {
  int32_t token = -1;
  int embedding = -1;
};

// Ref: A1111 tokenize_line.next_chunk + process_tokens (id_end != id_pad).
PromptChunk wrapChunk(const ClipTokenizer& tokenizer, const Body& body, PadStyle padStyle) {
  PromptChunk chunk;
  chunk.ids.fill(tokenizer.eosId());
  chunk.weights.fill(1.0f);
  chunk.ids[0] = tokenizer.bosId();
  for (std::size_t i = 0; i < body.tokens.size(); ++i) {
    chunk.ids[i + 1] = body.tokens[i];
    chunk.weights[i + 1] = static_cast<float>(body.weights[i]);
  }
  if (padStyle == PadStyle::Sd2) {
    // Everything after the first EOS becomes the pad id (a literal <|endoftext|> in the prompt
    // is that first EOS, as in A1111).
    const auto first = std::find(chunk.ids.begin(), chunk.ids.end(), tokenizer.eosId());
    for (auto it = first + 1; it < chunk.ids.end(); ++it) *it = tokenizer.padId(PadStyle::Sd2);
  }
  chunk.fixes = body.fixes;
  return chunk;
}

template <typename T>
void addOnce(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The embedding an `embedding:` word names, and how many trailing characters of the word are
/// not part of the name (ComfyUI retries without trailing commas and leaves them as text; a
/// file extension may be written). -1 when no embedding has the name.
// Ref: ComfyUI comfy/sd1_clip.py SDTokenizer._try_get_embedding, load_embed (extensions).
std::pair<int, std::size_t> resolveEmbeddingWord(const EmbeddingVocab& vocab,
                                                 std::string_view name) {
  auto lookup = [&](std::string_view n) {
    int index = vocab.find(n);
    for (std::string_view ext : {".safetensors", ".pt", ".bin"}) {
      if (index >= 0) break;
      if (n.size() > ext.size() && n.substr(n.size() - ext.size()) == ext)
        index = vocab.find(n.substr(0, n.size() - ext.size()));
    }
    return index;
  };
  if (const int index = lookup(name); index >= 0) return {index, 0};
  std::string_view stripped = name;
  while (!stripped.empty() && stripped.back() == ',') stripped.remove_suffix(1);
  if (stripped.size() < name.size() && !stripped.empty()) {
    if (const int index = lookup(stripped); index >= 0)
      return {index, name.size() - stripped.size()};
  }
  return {-1, 0};
}

/// A fragment's BPE ids, with `embedding:name` words (at the start or after whitespace) resolved
/// to their embedding. Words that name nothing placeable are dropped and reported.
std::vector<Piece> fragmentPieces(const ClipTokenizer& tokenizer, std::string_view text,
                                  const EmbeddingVocab* vocab, ChunkedPrompt& report) {
  std::vector<Piece> pieces;
  auto addText = [&](std::string_view part) {
    for (int32_t token : tokenizer.encode(part)) pieces.push_back({token, -1});
  };
  std::size_t done = 0;  // text before `done` is in `pieces`
  std::size_t search = 0;
  while (vocab && search < text.size()) {
    const std::size_t at = text.find(kEmbeddingWord, search);
    if (at == std::string_view::npos) break;
    search = at + kEmbeddingWord.size();
    if (at > 0 && !isSpace(text[at - 1])) continue;
    std::size_t end = search;
    while (end < text.size() && !isSpace(text[end])) ++end;
    const std::string_view name = text.substr(search, end - search);
    if (name.empty()) continue;
    const auto [index, leftover] = resolveEmbeddingWord(*vocab, name);
    addText(text.substr(done, at - done));
    if (index < 0) {
      addOnce(report.unknownEmbeddings, std::string(name));
    } else if (vocab->entries()[index].vectors <= 0) {
      addOnce(report.skippedEmbeddings, index);
    } else {
      pieces.push_back({-1, index});
    }
    done = end - leftover;
    search = end;
  }
  addText(text.substr(done));
  return pieces;
}

/// A1111 find_embedding_at_position: the longest placeable embedding whose name's ids start at
/// pieces[pos]; returns (embedding, ids consumed) or (-1, 0). Matching names of embeddings that
/// cannot be placed are reported and passed over, as if they were not registered.
// Ref: A1111 textual_inversion.py EmbeddingDatabase.find_embedding_at_position.
std::pair<int, int> findEmbeddingAt(const EmbeddingVocab& vocab, const std::vector<Piece>& pieces,
                                    std::size_t pos, ChunkedPrompt& report) {
  if (pieces[pos].embedding >= 0) return {pieces[pos].embedding, 1};
  for (int index : vocab.candidates(pieces[pos].token)) {
    const PromptEmbedding& e = vocab.entries()[index];
    if (pos + e.ids.size() > pieces.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < e.ids.size() && same; ++k)
      same = pieces[pos + k].embedding < 0 && pieces[pos + k].token == e.ids[k];
    if (!same) continue;
    if (e.vectors > 0) return {index, static_cast<int>(e.ids.size())};
    addOnce(report.skippedEmbeddings, index);
  }
  return {-1, 0};
}

}  // namespace

EmbeddingVocab::EmbeddingVocab(std::vector<PromptEmbedding> entries)
    : m_entries(std::move(entries)) {
  for (int i = 0; i < static_cast<int>(m_entries.size()); ++i) {
    const PromptEmbedding& e = m_entries[i];
    m_byName.emplace(e.name, i);  // the first of equal names wins
    if (e.ids.empty()) continue;
    // Ref: A1111 EmbeddingDatabase.register_embedding_by_name: sorted by len(ids), reverse=True
    // (a stable sort: equal lengths keep registration order).
    auto& list = m_byFirstId[e.ids[0]];
    const auto pos = std::find_if(list.begin(), list.end(), [&](int other) {
      return m_entries[other].ids.size() < e.ids.size();
    });
    list.insert(pos, i);
  }
}

const std::vector<int>& EmbeddingVocab::candidates(int32_t firstId) const {
  static const std::vector<int> none;
  const auto it = m_byFirstId.find(firstId);
  return it == m_byFirstId.end() ? none : it->second;
}

int EmbeddingVocab::find(std::string_view name) const {
  const auto it = m_byName.find(name);
  return it == m_byName.end() ? -1 : it->second;
}

// Ref: A1111 modules/sd_hijack_clip.py tokenize_line.
ChunkedPrompt chunkPrompt(const ClipTokenizer& tokenizer,
                          const std::vector<PromptFragment>& fragments,
                          const ChunkingOptions& options) {
  const std::optional<int32_t> commaToken = tokenizer.tokenId(",</w>");
  const EmbeddingVocab* vocab = options.embeddings;
  ChunkedPrompt result;
  Body chunk;
  int lastComma = -1;

  auto nextChunk = [&](bool isLast) {
    result.tokenCount += isLast ? static_cast<int>(chunk.tokens.size()) : kChunkLength;
    result.chunks.push_back(wrapChunk(tokenizer, chunk, options.padStyle));
    lastComma = -1;
    chunk = Body();
  };

  for (const PromptFragment& fragment : fragments) {
    if (fragment.isBreak) {
      nextChunk(false);
      continue;
    }
    const std::vector<Piece> pieces = fragmentPieces(tokenizer, fragment.text, vocab, result);
    std::size_t position = 0;
    while (position < pieces.size()) {
      const int32_t token = pieces[position].token;  // -1 for an `embedding:` word
      const int size = static_cast<int>(chunk.tokens.size());
      if (commaToken && token == *commaToken) {
        lastComma = size;
      } else if (options.commaPaddingBacktrack != 0 && size == kChunkLength && lastComma != -1 &&
                 size - lastComma <= options.commaPaddingBacktrack) {
        // The chunk is full and a comma is near its end: cut after the comma and carry the
        // tokens behind it over to the next chunk. As in A1111, embedding fixes stay with the
        // chunk they were recorded in (A1111 moves tokens and multipliers only).
        const auto cut = static_cast<std::ptrdiff_t>(lastComma + 1);
        Body moved;
        moved.tokens.assign(chunk.tokens.begin() + cut, chunk.tokens.end());
        moved.weights.assign(chunk.weights.begin() + cut, chunk.weights.end());
        chunk.tokens.resize(static_cast<std::size_t>(cut));
        chunk.weights.resize(static_cast<std::size_t>(cut));
        nextChunk(false);
        chunk = std::move(moved);
      }
      if (static_cast<int>(chunk.tokens.size()) == kChunkLength) nextChunk(false);

      const auto [embedding, consumed] =
          vocab ? findEmbeddingAt(*vocab, pieces, position, result) : std::pair<int, int>{-1, 0};
      if (embedding < 0) {
        chunk.tokens.push_back(token);
        chunk.weights.push_back(fragment.weight);
        ++position;
        continue;
      }
      // n placeholder ids 0 with the fragment weight; a new chunk when they do not fit.
      const int n = vocab->entries()[embedding].vectors;
      if (static_cast<int>(chunk.tokens.size()) + n > kChunkLength) nextChunk(false);
      chunk.fixes.push_back({static_cast<int>(chunk.tokens.size()), embedding});
      chunk.tokens.insert(chunk.tokens.end(), n, 0);
      chunk.weights.insert(chunk.weights.end(), n, fragment.weight);
      position += static_cast<std::size_t>(consumed);
    }
  }
  if (!chunk.tokens.empty() || result.chunks.empty()) nextChunk(true);
  return result;
}

ChunkedPrompt tokenizePrompt(const ClipTokenizer& tokenizer, std::string_view prompt,
                             const ChunkingOptions& options, bool parseAttention) {
  return chunkPrompt(
      tokenizer, parseAttention ? parsePromptAttention(prompt) : literalPrompt(prompt), options);
}

PromptChunk emptyChunk(const ClipTokenizer& tokenizer, PadStyle padStyle) {
  return wrapChunk(tokenizer, Body(), padStyle);
}

std::vector<int> usedEmbeddings(const ChunkedPrompt& prompt) {
  std::vector<int> used;
  for (const PromptChunk& chunk : prompt.chunks)
    for (const EmbeddingFix& fix : chunk.fixes) addOnce(used, fix.embedding);
  return used;
}

}  // namespace lienzo
