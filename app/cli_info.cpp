#include "app/cli_info.h"

#include "app/cli_common.h"
#include "core/adapters/adapter_file.h"
#include "core/io/checkpoint.h"
#include "core/io/diffusers_folder.h"
#include "core/io/gguf.h"
#include "core/io/safetensors.h"
#include "core/pipeline/memory_plan.h"
#include "core/pipeline/model_loader.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

namespace lienzo::cli {
namespace {

std::string humanCount(int64_t n) {
  char buf[32];
  if (n >= 1000000000)
    std::snprintf(buf, sizeof buf, "%.2f B", n / 1e9);
  else if (n >= 1000000)
    std::snprintf(buf, sizeof buf, "%.2f M", n / 1e6);
  else if (n >= 1000)
    std::snprintf(buf, sizeof buf, "%.1f k", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

std::string dtypeList(const std::map<std::string, int64_t>& dtypes) {
  std::string out;
  for (const auto& [name, count] : dtypes) {
    if (!out.empty()) out += ", ";
    out += name + " ×" + std::to_string(count);
  }
  return out;
}

/// A LoRA-family file: type, dialect, the family it fits, rank and key count. False when `path`
/// holds no adapter modules.
bool describeAdapter(const std::string& path) {
  AdapterFile file = AdapterFile::open(path);
  if (file.mainType() == AdapterType::Unknown) return false;
  std::map<std::string, int> types;
  size_t text = 0, unet = 0;
  for (const auto& m : file.modules()) {
    ++types[std::string(adapterTypeName(m.type)) + (m.dora ? " + DoRA" : "")];
    (m.module.rfind("lora_te", 0) == 0 ? text : unet) += 1;
  }
  std::string typeList;
  for (const auto& [name, count] : types)
    typeList += (typeList.empty() ? "" : ", ") + name + " ×" + std::to_string(count);
  std::cout << path << "\n"
            << "  adapter:    " << adapterTypeName(file.mainType()) << " (" << typeList << "), "
            << adapterDialectName(file.dialect()) << " key names\n"
            << "  fits:       "
            << (file.family() == AdapterFamily::Unknown && file.sdxlRuledOut()
                    ? "SD 1.x or 2.x"
                    : adapterFamilyName(file.family()))
            << (file.familyEvidence().empty() ? "" : " (" + file.familyEvidence() + ")") << "\n"
            << "  rank:       " << file.maxRank() << "\n"
            << "  keys:       " << file.keyCount() << " tensors, " << file.modules().size()
            << " modules (" << text << " text encoder, " << unet << " diffusion model)\n";
  return true;
}

int describeOne(const std::string& path) {
  try {
    // A diffusers folder (model_index.json) or a single safetensors file.
    const CheckpointInfo info = std::filesystem::is_directory(path)
                                    ? identifyDiffusersFolder(openDiffusersFolder(path))
                                    : identifyFile(path);
    std::cout << path << "\n"
              << "  family:     " << familyName(info.family) << "\n"
              << "  size:       " << formatBytes(info.fileSize) << ", " << info.tensors
              << " tensors, " << humanCount(info.parameters) << " parameters\n"
              << "  dtypes:     " << dtypeList(info.dtypes) << "\n";
    if (info.contextDim > 0)
      std::cout << "  u-net:      " << info.unetInChannels << " input channels, context width "
                << info.contextDim << "\n";
    std::cout << "  parts:\n";
    for (const auto& part : info.parts)
      std::cout << "    " << part.name << " (" << part.prefix << "*): " << part.tensors
                << " tensors, " << humanCount(part.parameters) << " parameters, "
                << dtypeList(part.dtypes) << "\n";
    for (const auto& note : info.notes) std::cout << "  note:       " << note << "\n";
    if (info.family == ModelFamily::SD3 && !std::filesystem::is_directory(path)) {
      // Which parts the file bundles and where the others were found (model_parts.h).
      const ModelDescription d = describeModelFile(path);
      std::cout << "  model parts:\n";
      for (const auto& part : d.parts) std::cout << "    " << part << "\n";
      std::cout << "  defaults:   " << d.defaultWidth << "x" << d.defaultHeight << ", "
                << d.defaultSteps << " steps, CFG " << d.defaultCfg << ", " << d.defaultSampler
                << "\n";
    }
    return info.family == ModelFamily::Unknown ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "lienzo info: " << e.what() << "\n";
    return 1;
  }
}

/// A GGUF file: architecture (or the family its tensor names imply), version, tensors by ggml
/// type, sizes and the metadata worth reading (general.*, reshaped tensors).
int describeGguf(const std::string& path) {
  try {
    const GgufFile file = GgufFile::open(path);
    std::map<std::string, int64_t> types;
    int64_t parameters = 0;
    uint64_t tensorBytes = 0;
    std::size_t reshaped = 0;
    std::map<std::string, int64_t> unsupported;  // types without a dequantization kernel
    for (const auto& name : file.names()) {
      const GgufTensorInfo& ti = file.info(name);
      ++types[ggmlTypeName(ti.type)];
      if (!ggmlDequantizable(ti.type)) ++unsupported[ggmlTypeName(ti.type)];
      parameters += ti.numel();
      tensorBytes += ti.nbytes;
      if (file.find("comfy.gguf.orig_shape." + name)) ++reshaped;
    }
    const std::string arch = file.architecture().empty() ? "(none)" : file.architecture();
    std::cout << path << "\n"
              << "  format:     GGUF v" << file.version() << ", alignment " << file.alignment()
              << ", " << file.keys().size() << " metadata keys\n"
              << "  arch:       " << arch << "\n"
              << "  family:     " << familyName(file.family())
              << (file.familyFromNames() ? " (from the tensor names)" : "") << "\n"
              << "  size:       " << formatBytes(file.fileSize()) << " (tensor data "
              << formatBytes(tensorBytes) << "), " << file.names().size() << " tensors, "
              << humanCount(parameters) << " parameters\n"
              << "  types:      " << dtypeList(types) << "\n";
    if (!file.modelPrefix().empty())
      std::cout << "  prefix:     " << file.modelPrefix() << "* (full checkpoint names)\n";
    if (reshaped > 0)
      std::cout << "  reshaped:   " << reshaped << " tensors (comfy.gguf.orig_shape)\n";
    for (const auto& key : file.keys()) {
      if (key.rfind("general.", 0) != 0 || key == "general.architecture" ||
          key == "general.alignment")
        continue;
      std::cout << "  " << key << ": " << file.find(key)->describe() << "\n";
    }
    if (!unsupported.empty())
      std::cout << "  note:       Lienzo cannot dequantize " << dtypeList(unsupported)
                << " (supported: " << ggmlDequantizableList() << ")\n";
    return file.family() == ModelFamily::Unknown && file.architecture().empty() ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "lienzo info: " << e.what() << "\n";
    return 1;
  }
}

int describePath(const std::string& path) {
  if (!std::filesystem::is_directory(path) &&
      (looksLikeGguf(path) || std::filesystem::path(path).extension() == ".gguf"))
    return describeGguf(path);
  try {
    if (!std::filesystem::is_directory(path) && describeAdapter(path)) return 0;
  } catch (const std::exception&) {
    // Not an adapter file: describeOne says what it is (or why it cannot be read).
  }
  return describeOne(path);
}

}  // namespace

int runInfo(int argc, char** argv) {
  if (argc < 1) {
    std::cerr << "usage: lienzo info FILE.safetensors|FILE.gguf|DIFFUSERS_FOLDER|LORA.safetensors "
                 "[...]\n";
    return 2;
  }
  int status = 0;
  for (int i = 0; i < argc; ++i) status = std::max(status, describePath(argv[i]));
  return status;
}

}  // namespace lienzo::cli
