// libFuzzer target: the A1111 infotext reader and writer (core/io/infotext.h).
// Input: the text of a `parameters` chunk. Properties: parseInfotext never throws; formatting
// what was parsed either works or throws std::invalid_argument for an unwritable key; a
// formatted text parses again without throwing; quoteInfotextValue never throws.
#include "core/io/infotext.h"
#include "core/io/metadata_import.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Infotext info = parseInfotext(text);
  for (const auto& [key, value] : info.fields) {
    LIENZO_FUZZ_CHECK(info.get(key).has_value());
    (void)quoteInfotextValue(value);
  }
  try {
    const std::string formatted = formatInfotext(info);
    (void)parseInfotext(formatted);
  } catch (const std::invalid_argument&) {
  }
  // The same text as an image's `parameters` chunk (A1111 path of the importer; legacy sampler
  // names are split there).
  (void)importGenerationMetadata({{"parameters", text}});
  return 0;
}
