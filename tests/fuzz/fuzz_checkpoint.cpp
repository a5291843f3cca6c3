// libFuzzer target: checkpoint identification (core/io/checkpoint.h) through the file path API.
// Input byte 0 chooses the mode:
//   even: the rest is a safetensors *header* (JSON); the harness writes 8-byte length + header and
//         extends the file sparsely to the largest data_offsets end (<= 64 GiB), so real
//         checkpoint headers (cut from the fixtures by scripts/fuzz.sh) are valid seeds without
//         their tensor data. Then identifyFile(<tmp>.safetensors).
//   odd:  the rest is written as the whole file, named by byte 1 as .safetensors, .ckpt, .pt,
//         .bin or without extension; identifyFile must refuse pickles/zips before parsing.
// Properties: only CheckpointError / SafetensorsError escape; identification never reads data.
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

namespace {

void writeAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) std::abort();  // the harness' own failure, not a finding in the code under test
    p += w;
    n -= static_cast<size_t>(w);
  }
}

uint64_t largestEnd(const std::string& header) {
  const auto json = nlohmann::json::parse(header, nullptr, /*allow_exceptions=*/false);
  uint64_t end = 0;
  if (!json.is_object()) return 0;
  for (const auto& [key, value] : json.items()) {
    if (!value.is_object() || !value.contains("data_offsets")) continue;
    const auto& o = value["data_offsets"];
    if (o.is_array() && o.size() == 2 && o[1].is_number_unsigned())
      end = std::max(end, o[1].get<uint64_t>());
  }
  return std::min<uint64_t>(end, uint64_t{64} << 30);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool raw = data[0] & 1;
  static const char* kExt[] = {".safetensors", ".ckpt", ".pt", ".bin", ".pth", ""};
  const char* ext = raw ? kExt[data[1] % 6] : ".safetensors";
  const auto path = fuzz::scratchFile("lienzo-fuzz-ckpt", ext);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  if (raw) {
    writeAll(fd, reinterpret_cast<const char*>(data + 2), size - 2);
  } else {
    const std::string header(reinterpret_cast<const char*>(data + 1), size - 1);
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(uint64_t{header.size()} >> (8 * i));
    writeAll(fd, reinterpret_cast<const char*>(len), 8);
    writeAll(fd, header.data(), header.size());
    if (::ftruncate(fd, static_cast<off_t>(8 + header.size() + largestEnd(header))) != 0)
      std::abort();
  }
  ::close(fd);
  try {
    const CheckpointInfo info = identifyFile(path);
    LIENZO_FUZZ_CHECK(info.tensors >= 0 && info.parameters >= 0);
    LIENZO_FUZZ_CHECK(familyName(info.family) != nullptr);
    for (const auto& part : info.parts) LIENZO_FUZZ_CHECK(info.part(part.name) != nullptr);
  } catch (const CheckpointError&) {
  } catch (const SafetensorsError&) {
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return 0;
}
