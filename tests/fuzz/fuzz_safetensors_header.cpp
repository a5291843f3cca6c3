// libFuzzer target: the torch-free safetensors header listing and the model library's guesses
// (core/io/safetensors_header.h, core/library/family_guess.h).
// Input: a file image. Properties: parseSafetensorsHeader returns or throws
// SafetensorsHeaderError; every listed span lies inside the data section; classifyHeader and
// guessFamily never throw on a header it accepted.
#include "core/io/safetensors_header.h"
#include "core/library/family_guess.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  SafetensorsHeader header;
  try {
    header = parseSafetensorsHeader(bytes, bytes.size(), "<fuzz>", 1 << 20);
  } catch (const SafetensorsHeaderError&) {
    return 0;
  }
  for (const auto& [name, entry] : header.tensors) {
    LIENZO_FUZZ_CHECK(entry.begin <= entry.end);
    LIENZO_FUZZ_CHECK(header.dataOffset() + entry.end <= bytes.size());
  }
  (void)classifyHeader(header);
  for (const auto category : kModelCategories) (void)guessFamily(category, header).label();
  return 0;
}
