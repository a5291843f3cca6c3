// libFuzzer target: the PNG text-chunk walker (core/io/png_text.h).
// Input: PNG bytes. Properties: readPngTextChunks either throws PngError or returns chunks whose
// keywords and texts are valid UTF-8 within the size cap; when it succeeds, adding a chunk gives
// a PNG that reads back with that chunk (first of its keyword) and the other keywords kept.
#include "core/io/png_text.h"
#include "core/io/text_codec.h"
#include "tests/fuzz/fuzz_support.h"

#include <set>

using namespace lienzo;
using lienzo::textcodec::isValidUtf8;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string png(reinterpret_cast<const char*>(data), size);
  std::vector<PngTextChunk> chunks;
  try {
    chunks = readPngTextChunks(png);
  } catch (const PngError&) {
    return 0;
  }
  std::set<std::string> keywords;
  for (const auto& c : chunks) {
    LIENZO_FUZZ_CHECK(c.text.size() <= kMaxPngTextBytes);
    LIENZO_FUZZ_CHECK(isValidUtf8(c.keyword) && isValidUtf8(c.text));
    keywords.insert(c.keyword);
  }
  const auto map = pngTextMap(png);
  LIENZO_FUZZ_CHECK(map.size() == keywords.size());

  // Write a chunk whose text is derived from the input (maybe non-Latin-1, maybe invalid).
  const std::string text = png.substr(0, std::min<size_t>(png.size(), 64));
  std::string updated;
  try {
    updated = addPngTextChunk(png, "parameters", text);
  } catch (const std::invalid_argument&) {
    LIENZO_FUZZ_CHECK(!isValidUtf8(text) || text.find('\0') != std::string::npos);
    return 0;
  }
  const auto after = pngTextMap(updated);  // must parse: we just wrote it
  LIENZO_FUZZ_CHECK(after.count("parameters") == 1 && after.at("parameters") == text);
  for (const auto& [k, v] : map)
    if (k != "parameters") LIENZO_FUZZ_CHECK(after.count(k) == 1 && after.at(k) == v);
  return 0;
}
