// libFuzzer target: LoRA-family adapter files (core/adapters/adapter_file.h) and textual-inversion
// embedding files (core/text/embeddings.h), both read from a whole safetensors file image.
// Every input is written to a scratch `.safetensors` file and given to both parsers:
//   - AdapterFile::open (both text-encoder conventions), family(), fits(), mainType(), maxRank(),
//     then merge() of every module into a float32 weight of the shape its own tensors imply
//     (the up rows × the down columns, a full diff's shape, a LoKr/LoHa guess), capped at
//     1 Mi elements per weight, and into a wrong-sized weight;
//   - loadEmbedding.
// Properties: only AdapterError / EmbeddingError escape (a c10::Error or std::bad_alloc from a
// hostile shape is a finding: bad input must get a clear error); a merged weight has the weight's
// shape and is float32.
#include <ATen/ATen.h>

#include "core/adapters/adapter_file.h"
#include "core/io/safetensors.h"
#include "core/text/embeddings.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

namespace {

constexpr int64_t kMaxElements = int64_t{1} << 20;

/// The shape a module's own tensors suggest for the weight it changes; empty when none.
std::vector<int64_t> impliedShape(const SafetensorsFile& file, const AdapterModule& module) {
  const auto shapeOf = [&](const char* role) -> std::vector<int64_t> {
    const auto it = module.keys.find(role);
    if (it == module.keys.end()) return {};
    return file.info(it->second).shape;
  };
  if (auto diff = shapeOf("diff"); !diff.empty()) return diff;
  const auto up = shapeOf("lora_up");
  const auto down = shapeOf("lora_down");
  if (up.size() >= 1 && down.size() >= 2) {
    std::vector<int64_t> shape{up[0], down[1]};
    shape.insert(shape.end(), down.begin() + 2, down.end());
    return shape;
  }
  const auto w1a = shapeOf("hada_w1_a");
  const auto w1b = shapeOf("hada_w1_b");
  if (w1a.size() >= 1 && w1b.size() >= 2) {
    std::vector<int64_t> shape{w1a[0], w1b[1]};
    shape.insert(shape.end(), w1b.begin() + 2, w1b.end());
    return shape;
  }
  const auto w1 = shapeOf("lokr_w1");
  const auto w2 = shapeOf("lokr_w2");
  if (w1.size() == 2 && w2.size() >= 2) {
    std::vector<int64_t> shape{w1[0] * w2[0], w1[1] * w2[1]};
    shape.insert(shape.end(), w2.begin() + 2, w2.end());
    return shape;
  }
  return {};
}

bool smallEnough(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (const int64_t d : shape) {
    if (d <= 0 || d > kMaxElements) return false;
    n *= d;
    if (n > kMaxElements) return false;
  }
  return true;
}

void fuzzAdapter(const std::filesystem::path& path, bool sdxlTextEncoders) {
  std::optional<AdapterFile> file;
  try {
    file = AdapterFile::open(path, sdxlTextEncoders);
  } catch (const AdapterError&) {
    return;
  }
  std::string why;
  for (const AdapterFamily model : {AdapterFamily::Sd1, AdapterFamily::Sd2, AdapterFamily::Sdxl})
    (void)file->fits(model, &why);
  (void)file->mainType();
  (void)file->maxRank();
  (void)adapterDialectName(file->dialect());
  const SafetensorsFile raw = SafetensorsFile::open(path);
  int merged = 0;
  for (const AdapterModule& module : file->modules()) {
    if (++merged > 16) break;  // a few modules per input keep the executions fast
    std::vector<int64_t> shape;
    try {
      shape = impliedShape(raw, module);
    } catch (const SafetensorsError&) {
      continue;
    }
    for (const std::vector<int64_t>& candidate : {shape, std::vector<int64_t>{3, 5}}) {
      if (candidate.empty() || !smallEnough(candidate)) continue;
      const at::Tensor weight = at::zeros(candidate, at::kFloat);
      try {
        const at::Tensor out = file->merge(module, weight, 0.5);
        LIENZO_FUZZ_CHECK(out.sizes() == weight.sizes());
        LIENZO_FUZZ_CHECK(out.scalar_type() == at::kFloat);
      } catch (const AdapterError&) {
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::scratchFile("lienzo-fuzz-network", ".safetensors");
  fuzz::writeFile(path, data, size);
  fuzzAdapter(path, false);
  fuzzAdapter(path, true);
  try {
    const TextualInversion ti = loadEmbedding(path);
    LIENZO_FUZZ_CHECK(ti.count >= 1 && ti.count <= 75);
    for (const auto& [key, vectors] : ti.vectors) {
      LIENZO_FUZZ_CHECK(vectors.dim() == 2 && vectors.size(0) == ti.count);
      LIENZO_FUZZ_CHECK(vectors.scalar_type() == at::kFloat);
    }
  } catch (const EmbeddingError&) {
  }
  return 0;
}
