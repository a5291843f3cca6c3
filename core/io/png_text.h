// PNG text chunks (tEXt, zTXt, iTXt): a small, strict chunk walker that reads them and inserts
// new ones, without decoding pixels. Used for the A1111 `parameters` chunk and the ComfyUI /
// InvokeAI JSON chunks (see shared/formats/METADATA.md).
//
// Contract
// - Input is untrusted (dropped files, fuzzed): every length is checked against the bytes that
//   are there, every chunk's CRC-32 is verified, compressed text is inflated with a size cap
//   (kMaxPngTextBytes), and any violation throws PngError with the offset and the reason. No
//   input makes these functions read out of bounds, crash or allocate more than the cap.
// - Text comes back as UTF-8: tEXt/zTXt are converted from Latin-1, iTXt is taken as UTF-8 with
//   invalid sequences replaced by U+FFFD.
// - Writing: tEXt (Latin-1) when the text is Latin-1-encodable, else iTXt (UTF-8, uncompressed,
//   empty language tag and translated keyword), inserted before the first IDAT. Existing text
//   chunks with the same keyword are removed first, so a keyword appears once.
// - Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

/// Malformed or truncated PNG data (or an unreadable file for readPngTextMap).
class PngError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Largest text a compressed chunk may inflate to (zip-bomb guard): 64 MiB.
inline constexpr std::size_t kMaxPngTextBytes = std::size_t{64} << 20;

struct PngTextChunk {
  std::string keyword;  ///< UTF-8 (PNG keywords are Latin-1, 1..79 bytes)
  std::string text;     ///< UTF-8
  enum class Kind { Text, ZText, IText } kind = Kind::Text;
};

/// Every text chunk in file order. Throws PngError on a malformed PNG (bad signature, IHDR not
/// first, truncated chunk, CRC mismatch, missing IEND, malformed text chunk, corrupt or oversized
/// compressed text).
std::vector<PngTextChunk> readPngTextChunks(const std::string& pngBytes);

/// keyword -> text of readPngTextChunks (the first chunk wins when a keyword repeats).
std::map<std::string, std::string> pngTextMap(const std::string& pngBytes);

/// pngTextMap() of a file. Throws PngError when the file cannot be read or is malformed.
std::map<std::string, std::string> readPngTextMap(const std::filesystem::path& file);

/// Returns the PNG with a text chunk inserted before the first IDAT: tEXt when the text is
/// Latin-1 encodable, else iTXt (UTF-8). Throws PngError for a malformed PNG and
/// std::invalid_argument for a keyword that PNG does not allow (must be 1..79 printable ASCII
/// characters without leading, trailing or double spaces) or text that is not valid UTF-8, holds
/// a NUL character or exceeds the chunk size limit.
std::string addPngTextChunk(const std::string& pngBytes, const std::string& keyword,
                            const std::string& utf8Text);

/// Several chunks at once (one pass over the file), inserted in the given order.
std::string addPngTextChunks(const std::string& pngBytes,
                             const std::vector<std::pair<std::string, std::string>>& chunks);

}  // namespace lienzo
