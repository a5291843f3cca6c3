// libFuzzer target: the CLIP BPE tokenizer and prompt chunking/weighting
// (core/text/clip_tokenizer.h, prompt_chunks.h, prompt_weights.h).
// Vocabulary: $LIENZO_CLIP_VOCAB, else clip/bpe_simple_vocab_16e6.txt.gz under $LIENZO_FIXTURES
// (default <repo>/../shared/fixtures); a missing vocabulary aborts at start-up.
// Input: a prompt. Properties: encoding never throws and yields ids inside the vocabulary;
// padded layouts have the context length with BOS first; chunking yields >= 1 chunk of 77 ids
// and finite weights unless a weight was spelled non-finite, or throws PromptSyntaxError.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_chunks.h"
#include "core/text/prompt_weights.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

namespace {
std::unique_ptr<ClipTokenizer> g_tokenizer;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::filesystem::path vocab;
  if (const char* env = std::getenv("LIENZO_CLIP_VOCAB"); env && *env)
    vocab = env;
  else
    vocab = fuzz::fixturesDir() / "clip" / "bpe_simple_vocab_16e6.txt.gz";
  try {
    g_tokenizer = std::make_unique<ClipTokenizer>(vocab);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_clip_tokenizer: cannot load the vocabulary: %s\n", e.what());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ClipTokenizer& tok = *g_tokenizer;
  const auto ids = tok.encode(text);
  for (const int32_t id : ids)
    LIENZO_FUZZ_CHECK(id >= 0 && static_cast<std::size_t>(id) < tok.vocabSize());
  (void)tok.decode(ids);
  for (const PadStyle style : {PadStyle::Sd1, PadStyle::Sd2}) {
    const auto padded = tok.encodePadded(text, style);
    LIENZO_FUZZ_CHECK(padded.size() == ClipTokenizer::kContextLength);
    LIENZO_FUZZ_CHECK(padded.front() == tok.bosId());
  }
  try {
    ChunkingOptions options;
    options.padStyle = (size % 2) ? PadStyle::Sd2 : PadStyle::Sd1;
    const ChunkedPrompt chunked = tokenizePrompt(tok, text, options, /*parseAttention=*/true);
    LIENZO_FUZZ_CHECK(!chunked.chunks.empty());
    const at::Tensor idsT = chunkIds(chunked);
    const at::Tensor weights = chunkWeights(chunked);
    LIENZO_FUZZ_CHECK(idsT.size(0) == static_cast<int64_t>(chunked.chunks.size()));
    LIENZO_FUZZ_CHECK(idsT.size(1) == ClipTokenizer::kContextLength);
    LIENZO_FUZZ_CHECK(weights.sizes() == idsT.sizes());
    if (chunked.chunks.size() <= 4) {
      const at::Tensor hidden = at::ones({idsT.size(0), idsT.size(1), 8});
      (void)applyPromptWeights(hidden, weights, EmphasisMode::Original);
    }
  } catch (const PromptSyntaxError&) {
  }
  return 0;
}
