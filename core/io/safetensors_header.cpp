#include "core/io/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <system_error>

namespace lienzo {

TensorShapes SafetensorsHeader::shapes() const {
  TensorShapes out;
  for (const auto& [name, entry] : tensors) out.emplace_hint(out.end(), name, entry.shape);
  return out;
}

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& reason) {
  throw SafetensorsHeaderError(name + ": not a readable safetensors file: " + reason);
}

uint64_t readLength(const unsigned char* p) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | p[i];
  return n;
}

}  // namespace

SafetensorsHeader parseSafetensorsHeader(const std::string& bytes, uint64_t fileSize,
                                         const std::string& name, uint64_t maxHeaderBytes) {
  if (bytes.size() < 8 || fileSize < 8) fail(name, "shorter than the 8-byte header length");
  SafetensorsHeader header;
  header.fileSize = fileSize;
  header.headerBytes = readLength(reinterpret_cast<const unsigned char*>(bytes.data()));
  if (header.headerBytes > fileSize - 8)
    fail(name, "the header length " + std::to_string(header.headerBytes) +
                   " runs past the end of the file");
  if (header.headerBytes > maxHeaderBytes)
    fail(name, "the header length " + std::to_string(header.headerBytes) + " is above the limit");
  if (bytes.size() < 8 + header.headerBytes) fail(name, "the header is cut short");

  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + header.headerBytes);
  } catch (const nlohmann::json::exception& e) {
    fail(name, std::string("the header is not JSON (") + e.what() + ")");
  }
  if (!json.is_object()) fail(name, "the header is not a JSON object");
  if (const std::string twice =
          duplicateHeaderKey(bytes.data() + 8, bytes.data() + 8 + header.headerBytes);
      !twice.empty())
    fail(name, "the header defines '" + twice + "' twice");
  const uint64_t dataBytes = fileSize - header.dataOffset();
  for (const auto& [key, value] : json.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) fail(name, "__metadata__ is not an object");
      for (const auto& [mk, mv] : value.items())
        if (mv.is_string()) header.metadata[mk] = mv.get<std::string>();
      continue;
    }
    if (!value.is_object() || !value.contains("dtype") || !value["dtype"].is_string() ||
        !value.contains("shape") || !value["shape"].is_array() || !value.contains("data_offsets") ||
        !value["data_offsets"].is_array() || value["data_offsets"].size() != 2)
      fail(name, "tensor '" + key + "' lacks dtype, shape or data_offsets");
    SafetensorsHeaderEntry entry;
    entry.dtype = value["dtype"].get<std::string>();
    for (const auto& d : value["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        fail(name, "tensor '" + key + "' has a bad shape");
      entry.shape.push_back(d.get<int64_t>());
    }
    const auto& offsets = value["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      fail(name, "tensor '" + key + "' has bad data_offsets");
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > dataBytes)
      fail(name, "tensor '" + key + "' lies outside the data section");
    header.tensors.emplace(key, std::move(entry));
  }
  return header;
}

SafetensorsHeader readSafetensorsHeader(const std::filesystem::path& path,
                                        uint64_t maxHeaderBytes) {
  const std::string name = path.string();
  std::error_code ec;
  const uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) fail(name, "cannot stat (" + ec.message() + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(name, "cannot open");
  std::string bytes(8, '\0');
  in.read(bytes.data(), 8);
  if (in.gcount() != 8) fail(name, "shorter than the 8-byte header length");
  const uint64_t length = readLength(reinterpret_cast<const unsigned char*>(bytes.data()));
  if (length > fileSize - 8 || length > maxHeaderBytes)
    return parseSafetensorsHeader(bytes, fileSize, name, maxHeaderBytes);  // throws the reason
  bytes.resize(8 + length);
  in.read(bytes.data() + 8, static_cast<std::streamsize>(length));
  if (static_cast<uint64_t>(in.gcount()) != length) fail(name, "the header is cut short");
  return parseSafetensorsHeader(bytes, fileSize, name, maxHeaderBytes);
}

std::string duplicateHeaderKey(const char* begin, const char* end) {
  std::set<std::string> seen;
  std::string twice;
  const auto callback = [&](int depth, nlohmann::json::parse_event_t event,
                            nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && twice.empty()) {
      const std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second) twice = key;
    }
    return true;
  };
  try {
    const nlohmann::json pruned = nlohmann::json::parse(begin, end, callback);  // the walk is all
    (void)pruned;
  } catch (const nlohmann::json::exception&) {
    return "";
  }
  return twice;
}

}  // namespace lienzo
