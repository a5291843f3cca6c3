// libFuzzer target: loading a CLIP vocabulary from HF / diffusers tokenizer files
// (core/text/clip_tokenizer.h: vocab.json + merges.txt, and the original merges-only file).
// Input: "<vocab.json>\0<merges.txt>" (without a NUL: all vocab.json, a small fixed merges.txt).
// Properties: the constructors throw only TokenizerError; a loaded tokenizer encodes a fixed
// prompt without throwing, into ids below vocabSize(), with BOS/EOS inside the vocabulary.
#include "core/text/clip_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

#include <fstream>
#include <string>

using namespace lienzo;

namespace {

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), std::streamsize(bytes.size()));
}

void checkTokenizer(const ClipTokenizer& tokenizer) {
  const auto vocab = tokenizer.vocabSize();
  LIENZO_FUZZ_CHECK(std::size_t(tokenizer.bosId()) < vocab &&
                    std::size_t(tokenizer.eosId()) < vocab);
  for (const int32_t id : tokenizer.encode("a red circle, (glowing:1.2) <|endoftext|> ñandú 🎨"))
    LIENZO_FUZZ_CHECK(id >= 0 && std::size_t(id) < vocab);
  (void)tokenizer.decode(tokenizer.encode("two yellow stars"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string vocabJson = input.substr(0, nul);
  const std::string merges = nul == std::string::npos
                                 ? std::string("#version: 0.2\na b\nab c</w>\n")
                                 : input.substr(nul + 1);
  const auto vocabPath = fuzz::scratchFile("fuzz-clip-vocab", ".json");
  const auto mergesPath = fuzz::scratchFile("fuzz-clip-merges", ".txt");
  writeFile(vocabPath, vocabJson);
  writeFile(mergesPath, merges);
  try {
    checkTokenizer(ClipTokenizer(vocabPath, mergesPath));
  } catch (const TokenizerError&) {
  }
  try {
    checkTokenizer(ClipTokenizer(mergesPath));  // the original single-file format
  } catch (const TokenizerError&) {
  }
  return 0;
}
