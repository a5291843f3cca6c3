// libFuzzer target: ControlNet files (core/control/controlnet_file.h) and TAESD files
// (core/model/taesd.h), both read from a whole safetensors file image.
// Every input is written to a scratch `.safetensors` file and given to both readers:
//   - openControlNetFile (layout detection, the diffusers → original rename, the config read
//     from the shapes), then, when the config is small (≤ 64 model channels, a narrow hint
//     block), loadControlNet into a module of that config;
//   - SafetensorsFile::open + inspectTaesd, then TaesdDecoder::load / TaesdEncoder::load of the
//     parts it names, and a decode of a 2×2 latent / an encode of an 8×8 picture.
// Properties: only the documented errors escape — std::invalid_argument (not a ControlNet / not a
// TAESD / a key of the wrong shape), SafetensorsError, CheckpointError and, from loadControlNet,
// std::runtime_error naming a key whose shape does not fit (a c10::Error, std::out_of_range or
// std::bad_alloc from a hostile shape is a finding: bad input must get a clear error). A config
// has a residual per input block plus the middle; a decoded picture is [1,3,16,16] and an encoded
// latent [1,C,1,1] with C the part's latent width.
#include <ATen/ATen.h>

#include "core/control/controlnet_file.h"
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/model/taesd.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <optional>

using namespace lienzo;

namespace {

/// Small enough to build: the module's size grows with channels² per block, so a few hundred
/// bytes of header could otherwise ask for gigabytes of parameters (a resource limit of the
/// harness, not a property of the reader).
bool smallConfig(const ControlNetConfig& c) {
  const UNetConfig& u = c.unet;
  if (u.modelChannels <= 0 || u.modelChannels > 64 || u.channelMult.size() > 4) return false;
  for (const int64_t m : u.channelMult)
    if (m <= 0 || m > 4) return false;
  for (const int64_t n : u.numResBlocks)
    if (n < 0 || n > 2) return false;
  for (const int64_t d : u.transformerDepth)
    if (d < 0 || d > 2) return false;
  if (u.transformerDepthMiddle > 2 || u.contextDim > 256 || u.admInChannels > 256) return false;
  if (c.hintChannels <= 0 || c.hintChannels > 4 || c.hintWidths.size() > 8) return false;
  return std::all_of(c.hintWidths.begin(), c.hintWidths.end(),
                     [](int64_t w) { return w > 0 && w <= 64; });
}

void fuzzControlNet(const std::filesystem::path& path) {
  std::optional<ControlNetFile> file;
  try {
    file = openControlNetFile(path);
  } catch (const std::invalid_argument&) {
    return;
  } catch (const SafetensorsError&) {
    return;
  } catch (const CheckpointError&) {
    return;
  }
  (void)controlNetLayoutName(file->layout);
  LIENZO_FUZZ_CHECK(file->weights != nullptr);
  LIENZO_FUZZ_CHECK(file->config.residualCount() >= 1);
  if (!smallConfig(file->config)) return;
  try {
    const ControlNet net = loadControlNet(*file, file->config, at::kFloat);
    LIENZO_FUZZ_CHECK(!net.is_empty());
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {  // a key whose shape does not fit, named
  }
}

void fuzzTaesd(const std::filesystem::path& path) {
  std::optional<SafetensorsFile> file;
  try {
    file = SafetensorsFile::open(path);
  } catch (const SafetensorsError&) {
    return;
  }
  TaesdContents contents;
  try {
    contents = inspectTaesd(*file);
  } catch (const std::invalid_argument&) {
    return;
  }
  (void)taesdLayoutName(contents.layout);
  LIENZO_FUZZ_CHECK(contents.decoder || contents.encoder);
  if (contents.decoder) {
    try {
      const TaesdDecoder decoder = TaesdDecoder::load(*file);
      const int64_t c = decoder.latentChannels();
      LIENZO_FUZZ_CHECK(c > 0);
      if (c <= 64) {
        const at::Tensor out = decoder.decode(at::zeros({1, c, 2, 2}));
        LIENZO_FUZZ_CHECK(out.sizes() == at::IntArrayRef({1, 3, 16, 16}));
      }
    } catch (const std::invalid_argument&) {
    }
  }
  if (contents.encoder) {
    try {
      const TaesdEncoder encoder = TaesdEncoder::load(*file);
      const int64_t c = encoder.latentChannels();
      LIENZO_FUZZ_CHECK(c > 0);
      const at::Tensor out = encoder.encode(at::full({1, 3, 8, 8}, 0.5));
      LIENZO_FUZZ_CHECK(out.sizes() == at::IntArrayRef({1, c, 1, 1}));
    } catch (const std::invalid_argument&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::scratchFile("lienzo-fuzz-control", ".safetensors");
  fuzz::writeFile(path, data, size);
  fuzzControlNet(path);
  fuzzTaesd(path);
  return 0;
}
