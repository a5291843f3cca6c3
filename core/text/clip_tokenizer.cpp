#include "core/text/clip_tokenizer.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <fstream>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/text/clip_normalizer.h"
#include "core/text/unicode.h"

namespace lienzo {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStartOfText = "<|startoftext|>";
constexpr std::string_view kEndOfText = "<|endoftext|>";
constexpr std::string_view kEndOfWord = "</w>";
constexpr std::size_t kMaxCacheEntries = 1 << 16;

// Ref: openai/CLIP simple_tokenizer.py bytes_to_unicode (GPT-2). Entry i = the code point byte
// `order[i]` maps to; `order` = printable Latin-1 bytes first, then the rest (mapped to 256+n).
struct ByteUnicode {
  std::array<uint8_t, 256> order{};    // vocab order of the 256 byte symbols
  std::array<char32_t, 256> encode{};  // byte -> code point
  std::unordered_map<char32_t, uint8_t> decode;
};

ByteUnicode makeByteUnicode() {
  ByteUnicode bu;
  std::array<bool, 256> printable{};
  for (int b = '!'; b <= '~'; ++b) printable[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
  int k = 0;
  for (int b = 0; b < 256; ++b) {
    if (printable[b]) {
      bu.order[k++] = static_cast<uint8_t>(b);
      bu.encode[b] = static_cast<char32_t>(b);
    }
  }
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) {
      bu.order[k++] = static_cast<uint8_t>(b);
      bu.encode[b] = static_cast<char32_t>(256 + extra++);
    }
  }
  for (int b = 0; b < 256; ++b) bu.decode.emplace(bu.encode[b], static_cast<uint8_t>(b));
  return bu;
}

std::string byteSymbol(const ByteUnicode& bu, uint8_t b) {
  std::string s;
  unicode::appendUtf8(s, bu.encode[b]);
  return s;
}

// Whole file through zlib: gzread reads gzip and passes plain files through unchanged.
std::string readMaybeGzip(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw TokenizerError("CLIP tokenizer: file not found: " + path.string());
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw TokenizerError("CLIP tokenizer: cannot open " + path.string());
  std::string data;
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    const int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      std::string message = gzerror(file, &code);
      gzclose(file);
      throw TokenizerError("CLIP tokenizer: cannot read " + path.string() + ": " + message);
    }
    if (n == 0) break;
    data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  gzclose(file);
  return data;
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(begin));
      return lines;
    }
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
}

bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view stripAscii(std::string_view s) {
  while (!s.empty() && isAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

using Merge = std::pair<std::string, std::string>;

// lines[1 : 1 + kMergeCount], each "first second" (byte-level symbols never contain white space).
std::vector<Merge> parseMerges(const std::vector<std::string_view>& lines, const fs::path& path) {
  std::vector<Merge> merges;
  const std::size_t end = std::min<std::size_t>(lines.size(), 1 + ClipTokenizer::kMergeCount);
  for (std::size_t i = 1; i < end; ++i) {
    const std::string_view line = stripAscii(lines[i]);
    std::size_t space = 0;
    while (space < line.size() && !isAsciiSpace(line[space])) ++space;
    const std::string_view first = line.substr(0, space);
    const std::string_view second = stripAscii(line.substr(space));
    if (first.empty() || second.empty() ||
        std::find_if(second.begin(), second.end(), isAsciiSpace) != second.end()) {
      throw TokenizerError("CLIP tokenizer: " + path.string() + " line " + std::to_string(i + 1) +
                           ": expected two symbols, got '" + std::string(line) + "'");
    }
    merges.emplace_back(std::string(first), std::string(second));
  }
  return merges;
}

}  // namespace

struct ClipTokenizer::Impl {
  struct MergeRule {
    int32_t rank;
    int32_t result;  // BPE symbol
  };

  ByteUnicode bytes = makeByteUnicode();
  std::unordered_map<std::string, int32_t> encoder;  // token -> id (vocab)
  std::vector<std::string> decoder;                  // id -> token ("" where unused)
  int32_t bos = 0;
  int32_t eos = 0;

  // BPE runs on symbol indexes; every string that can be a BPE symbol gets one.
  std::unordered_map<std::string, int32_t> symbolIndex;
  std::vector<int32_t> symbolId;  // symbol -> vocab id (eos = unk when absent)
  std::array<int32_t, 256> byteSym{};
  std::array<int32_t, 256> byteSymEnd{};  // the byte with "</w>"
  std::unordered_map<uint64_t, MergeRule> merges;

  mutable std::mutex cacheMutex;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache;

  int32_t symbol(const std::string& s) {
    auto [it, inserted] = symbolIndex.emplace(s, static_cast<int32_t>(symbolId.size()));
    if (inserted) {
      const auto found = encoder.find(s);
      symbolId.push_back(found != encoder.end() ? found->second : eos);
    }
    return it->second;
  }

  static uint64_t pairKey(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  // After encoder/decoder/bos/eos are set: byte symbols and the merge table.
  // Ranks follow dict(zip(merges, range(len(merges)))): a repeated pair keeps its last rank.
  void buildBpe(const std::vector<Merge>& mergeList) {
    for (int b = 0; b < 256; ++b) {
      const std::string s = byteSymbol(bytes, static_cast<uint8_t>(b));
      byteSym[b] = symbol(s);
      byteSymEnd[b] = symbol(s + std::string(kEndOfWord));
    }
    merges.reserve(mergeList.size() * 2);
    for (std::size_t r = 0; r < mergeList.size(); ++r) {
      const auto& [first, second] = mergeList[r];
      const int32_t a = symbol(first);
      const int32_t b = symbol(second);
      const int32_t result = symbol(first + second);
      merges.insert_or_assign(pairKey(a, b), MergeRule{static_cast<int32_t>(r), result});
    }
  }

  // Ref: openai/CLIP simple_tokenizer.py SimpleTokenizer.bpe — repeatedly merge the adjacent
  // pair of lowest rank (all its non-overlapping occurrences, left to right).
  std::vector<int32_t> bpe(const std::string& utf8Piece) const {
    std::vector<int32_t> word;
    word.reserve(utf8Piece.size());
    for (std::size_t i = 0; i < utf8Piece.size(); ++i) {
      const auto b = static_cast<uint8_t>(utf8Piece[i]);
      word.push_back(i + 1 == utf8Piece.size() ? byteSymEnd[b] : byteSym[b]);
    }
    std::vector<int32_t> next;
    while (word.size() > 1) {
      const MergeRule* best = nullptr;
      uint64_t bestKey = 0;
      for (std::size_t i = 0; i + 1 < word.size(); ++i) {
        const uint64_t key = pairKey(word[i], word[i + 1]);
        const auto it = merges.find(key);
        if (it != merges.end() && (best == nullptr || it->second.rank < best->rank)) {
          best = &it->second;
          bestKey = key;
        }
      }
      if (best == nullptr) break;
      next.clear();
      for (std::size_t i = 0; i < word.size();) {
        if (i + 1 < word.size() && pairKey(word[i], word[i + 1]) == bestKey) {
          next.push_back(best->result);
          i += 2;
        } else {
          next.push_back(word[i]);
          ++i;
        }
      }
      word.swap(next);
    }
    std::vector<int32_t> ids;
    ids.reserve(word.size());
    for (int32_t s : word) ids.push_back(symbolId[static_cast<std::size_t>(s)]);
    return ids;
  }

  void encodePiece(const std::string& piece, std::vector<int32_t>& out) const {
    if (piece == kStartOfText) {
      out.push_back(bos);
      return;
    }
    if (piece == kEndOfText) {
      out.push_back(eos);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(cacheMutex);
      const auto it = cache.find(piece);
      if (it != cache.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::vector<int32_t> ids = bpe(piece);
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cacheMutex);
    if (cache.size() >= kMaxCacheEntries) cache.clear();
    cache.emplace(piece, std::move(ids));
  }

  static std::unique_ptr<Impl> loadOriginal(const fs::path& path);
  static std::unique_ptr<Impl> loadHuggingFace(const fs::path& vocabJson,
                                               const fs::path& mergesTxt);
};

std::unique_ptr<ClipTokenizer::Impl> ClipTokenizer::Impl::loadOriginal(const fs::path& path) {
  const std::string text = readMaybeGzip(path);
  const std::vector<std::string_view> lines = splitLines(text);
  std::vector<Merge> merges = parseMerges(lines, path);
  if (merges.size() != static_cast<std::size_t>(ClipTokenizer::kMergeCount)) {
    throw TokenizerError("CLIP tokenizer: " + path.string() + " holds " +
                         std::to_string(merges.size()) + " merges, expected " +
                         std::to_string(ClipTokenizer::kMergeCount) +
                         " (is it bpe_simple_vocab_16e6.txt?)");
  }
  auto impl = std::make_unique<ClipTokenizer::Impl>();
  // Ref: SimpleTokenizer.__init__ — vocab = bytes, bytes + "</w>", merges, specials.
  std::vector<std::string>& vocab = impl->decoder;
  vocab.reserve(2 * 256 + merges.size() + 2);
  for (uint8_t b : impl->bytes.order) vocab.push_back(byteSymbol(impl->bytes, b));
  for (uint8_t b : impl->bytes.order) {
    vocab.push_back(byteSymbol(impl->bytes, b) + std::string(kEndOfWord));
  }
  for (const auto& [first, second] : merges) vocab.push_back(first + second);
  vocab.emplace_back(kStartOfText);
  vocab.emplace_back(kEndOfText);
  for (std::size_t i = 0; i < vocab.size(); ++i) {
    impl->encoder.insert_or_assign(vocab[i], static_cast<int32_t>(i));  // dict(): last wins
  }
  impl->bos = impl->encoder.at(std::string(kStartOfText));
  impl->eos = impl->encoder.at(std::string(kEndOfText));
  impl->buildBpe(merges);
  return impl;
}

std::unique_ptr<ClipTokenizer::Impl> ClipTokenizer::Impl::loadHuggingFace(
    const fs::path& vocabJson, const fs::path& mergesTxt) {
  auto impl = std::make_unique<ClipTokenizer::Impl>();
  {
    std::error_code ec;
    if (!fs::is_regular_file(vocabJson, ec)) {
      throw TokenizerError("CLIP tokenizer: file not found: " + vocabJson.string());
    }
    std::ifstream in(vocabJson, std::ios::binary);
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw TokenizerError("CLIP tokenizer: " + vocabJson.string() + ": " + e.what());
    }
    if (!json.is_object() || json.empty()) {
      throw TokenizerError("CLIP tokenizer: " + vocabJson.string() + " is not a token->id map");
    }
    int64_t maxId = -1;
    for (const auto& [token, id] : json.items()) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
        throw TokenizerError("CLIP tokenizer: " + vocabJson.string() + ": bad id for '" + token +
                             "'");
      }
      impl->encoder[token] = static_cast<int32_t>(id.get<int64_t>());
      maxId = std::max(maxId, id.get<int64_t>());
    }
    // Ids index the decoder table: a file may leave gaps, but not ask for a table far larger than
    // itself ({"a": 2147483647} would allocate 2^31 strings).
    if (maxId >= 4 * static_cast<int64_t>(json.size()) + 1024) {
      throw TokenizerError("CLIP tokenizer: " + vocabJson.string() + ": id " +
                           std::to_string(maxId) + " is far beyond its " +
                           std::to_string(json.size()) + " entries");
    }
    impl->decoder.assign(static_cast<std::size_t>(maxId + 1), std::string());
    for (const auto& [token, id] : impl->encoder)
      impl->decoder[static_cast<std::size_t>(id)] = token;
  }
  for (std::string_view special : {kStartOfText, kEndOfText}) {
    if (impl->encoder.count(std::string(special)) == 0) {
      throw TokenizerError("CLIP tokenizer: " + vocabJson.string() + " lacks " +
                           std::string(special));
    }
  }
  impl->bos = impl->encoder.at(std::string(kStartOfText));
  impl->eos = impl->encoder.at(std::string(kEndOfText));
  // Ref: transformers CLIPTokenizer.__init__ — merges.read().strip().split("\n")[1:49152-256-2+1]
  const std::string text = readMaybeGzip(mergesTxt);
  const std::vector<std::string_view> lines = splitLines(stripAscii(text));
  impl->buildBpe(parseMerges(lines, mergesTxt));
  return impl;
}

ClipTokenizer::ClipTokenizer(const fs::path& mergesFile) : m_impl(Impl::loadOriginal(mergesFile)) {}

ClipTokenizer::ClipTokenizer(const fs::path& vocabJson, const fs::path& mergesTxt)
    : m_impl(Impl::loadHuggingFace(vocabJson, mergesTxt)) {}

ClipTokenizer::ClipTokenizer(ClipTokenizer&&) noexcept = default;
ClipTokenizer& ClipTokenizer::operator=(ClipTokenizer&&) noexcept = default;
ClipTokenizer::~ClipTokenizer() = default;

ClipTokenizer ClipTokenizer::fromPath(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (const std::optional<fs::path> found = findClipVocab({path})) {
      return fs::is_directory(*found, ec)
                 ? ClipTokenizer(*found / "vocab.json", *found / "merges.txt")
                 : ClipTokenizer(*found);
    }
    throw TokenizerError(
        "CLIP tokenizer: no bpe_simple_vocab_16e6.txt(.gz) or vocab.json + "
        "merges.txt in " +
        path.string());
  }
  return ClipTokenizer(path);
}

std::vector<int32_t> ClipTokenizer::encode(std::string_view text) const {
  const std::u32string clean = clip_normalizer::cleanText(text);
  std::vector<int32_t> ids;
  std::string piece;
  for (std::u32string_view view : clip_normalizer::preTokenize(clean)) {
    piece.clear();
    for (char32_t cp : view) unicode::appendUtf8(piece, cp);
    m_impl->encodePiece(piece, ids);
  }
  return ids;
}

std::vector<int64_t> ClipTokenizer::encodePadded(std::string_view text, PadStyle style,
                                                 int length) const {
  return layout(encode(text), style, length);
}

// Ref: HF CLIPTokenizer(padding="max_length", truncation=True) / open_clip tokenize:
// [BOS] + ids[:length-2] + [EOS] + padding.
std::vector<int64_t> ClipTokenizer::layout(const std::vector<int32_t>& ids, PadStyle style,
                                           int length) const {
  if (length < 2) {
    throw std::invalid_argument("ClipTokenizer::layout: length must be >= 2, got " +
                                std::to_string(length));
  }
  const std::size_t body = std::min<std::size_t>(ids.size(), static_cast<std::size_t>(length - 2));
  std::vector<int64_t> out;
  out.reserve(static_cast<std::size_t>(length));
  out.push_back(m_impl->bos);
  out.insert(out.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(body));
  out.push_back(m_impl->eos);
  out.resize(static_cast<std::size_t>(length), padId(style));
  return out;
}

int32_t ClipTokenizer::bosId() const {
  return m_impl->bos;
}
int32_t ClipTokenizer::eosId() const {
  return m_impl->eos;
}
int32_t ClipTokenizer::padId(PadStyle style) const {
  return style == PadStyle::Sd1 ? m_impl->eos : 0;
}
std::size_t ClipTokenizer::vocabSize() const {
  return m_impl->decoder.size();  // largest id + 1 (a vocab.json may skip ids)
}

std::optional<int32_t> ClipTokenizer::tokenId(std::string_view token) const {
  const auto it = m_impl->encoder.find(std::string(token));
  if (it == m_impl->encoder.end()) return std::nullopt;
  return it->second;
}

// Ref: SimpleTokenizer.decode — tokens -> byte-level text -> bytes -> UTF-8 ("replace"),
// "</w>" -> " ".
std::string ClipTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string raw;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= m_impl->decoder.size()) continue;
    for (char32_t cp : unicode::decodeUtf8(m_impl->decoder[static_cast<std::size_t>(id)])) {
      const auto it = m_impl->bytes.decode.find(cp);
      if (it != m_impl->bytes.decode.end()) {
        raw.push_back(static_cast<char>(it->second));
      } else {
        unicode::appendUtf8(raw, cp);
      }
    }
  }
  std::string text = unicode::encodeUtf8(unicode::decodeUtf8(raw));
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, kEndOfWord.size(), kEndOfWord) == 0) {
      out.push_back(' ');
      i += kEndOfWord.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::optional<fs::path> findClipVocab(const std::vector<fs::path>& searchDirs) {
  std::error_code ec;
  for (const fs::path& dir : searchDirs) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const char* name : {"bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"}) {
      if (fs::is_regular_file(dir / name, ec)) return dir / name;
    }
    for (const fs::path& sub : {dir, dir / "tokenizer"}) {
      if (fs::is_regular_file(sub / "vocab.json", ec) &&
          fs::is_regular_file(sub / "merges.txt", ec)) {
        return sub;
      }
    }
  }
  return std::nullopt;
}

}  // namespace lienzo
