#include "core/io/checkpoint.h"

#include "core/io/safetensors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>

namespace lienzo {

bool CheckpointInfo::hasPart(const std::string& name) const {
  return part(name) != nullptr;
}

const CheckpointPart* CheckpointInfo::part(const std::string& name) const {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool anyKeyStartsWith(const SafetensorsFile& file, const std::string& prefix) {
  const auto& names = file.names();  // sorted
  const auto it = std::lower_bound(names.begin(), names.end(), prefix);
  return it != names.end() && startsWith(*it, prefix);
}

/// The first key containing `needle` (keys are sorted, so this is deterministic).
const std::string* findKey(const SafetensorsFile& file, const std::string& prefix,
                           const std::string& needle) {
  for (const auto& n : file.names())
    if (startsWith(n, prefix) && n.find(needle) != std::string::npos) return &n;
  return nullptr;
}

// Known layouts: part name + key prefix. Order matters only for reporting.
struct PartLayout {
  const char* part;
  const char* prefix;
};
constexpr std::array<PartLayout, 10> kLayouts{{
    {"unet", "model.diffusion_model."},
    {"vae", "first_stage_model."},
    {"text_encoder", "cond_stage_model.transformer."},  // SD1 HF CLIP
    {"text_encoder", "cond_stage_model.model."},        // SD2 OpenCLIP
    {"text_encoder", "conditioner.embedders.0."},       // SDXL CLIP-L (refiner: bigG)
    {"text_encoder_2", "conditioner.embedders.1."},     // SDXL OpenCLIP bigG
    {"text_encoder", "text_model."},                    // Lienzo built-in
    {"clip_l", "text_encoders.clip_l."},                // all-in-one SD3.5 files
    {"clip_g", "text_encoders.clip_g."},
    {"t5xxl", "text_encoders.t5xxl."},
}};

}  // namespace

CheckpointInfo identifyCheckpoint(const SafetensorsFile& file) {
  CheckpointInfo info;
  info.fileSize = file.fileSize();
  for (const auto& name : file.names()) {
    const auto& ti = file.info(name);
    ++info.tensors;
    info.parameters += ti.numel();
    ++info.dtypes[stDTypeName(ti.dtype)];
  }
  for (const auto& layout : kLayouts) {
    if (!anyKeyStartsWith(file, layout.prefix)) continue;
    CheckpointPart part;
    part.name = layout.part;
    part.prefix = layout.prefix;
    for (const auto& name : file.names()) {
      if (!startsWith(name, layout.prefix)) continue;
      const auto& ti = file.info(name);
      ++part.tensors;
      part.parameters += ti.numel();
      ++part.dtypes[stDTypeName(ti.dtype)];
    }
    info.parts.push_back(std::move(part));
  }

  const std::string unet = "model.diffusion_model.";
  const bool hasUnet = anyKeyStartsWith(file, unet);
  if (hasUnet) {
    const std::string inKey = unet + "input_blocks.0.0.weight";
    if (file.contains(inKey) && file.info(inKey).shape.size() == 4)
      info.unetInChannels = file.info(inKey).shape[1];
    if (const auto* k = findKey(file, unet, "attn2.to_k.weight"))
      info.contextDim = file.info(*k).shape.back();
  }

  TensorShapes shapes;
  for (const auto& name : file.names()) shapes.emplace(name, file.info(name).shape);
  bool unetOnly = false;
  info.family = detectCheckpointFamily(shapes, file.metadata(), &unetOnly);
  if (unetOnly) info.notes.push_back("U-Net only: family inferred from the U-Net layout");

  if (info.family == ModelFamily::SD2)
    info.notes.push_back(
        "ε- or v-prediction is not knowable from the weights (768-v models need v; "
        "512-base models ε)");
  if (info.unetInChannels == 9) info.notes.push_back("inpainting U-Net (9 input channels)");
  if (info.unetInChannels == 8) info.notes.push_back("instruct-pix2pix U-Net (8 input channels)");
  if (hasUnet && !info.hasPart("vae"))
    info.notes.push_back("no VAE inside: an external VAE is needed");
  return info;
}

void refuseUnsafeFormats(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string name = path.string();
  if (ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".pkl" || ext == ".pickle")
    throw CheckpointError(name + ": " + ext +
                          " files are Python pickles, which can run arbitrary code when loaded; "
                          "Lienzo never unpickles them. Convert it to .safetensors with a trusted "
                          "tool first.");
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 4> magic{};
  in.read(reinterpret_cast<char*>(magic.data()), magic.size());
  if (in.gcount() >= 2) {
    const bool zip = magic[0] == 'P' && magic[1] == 'K';  // torch.save zip archive
    const bool pickle = magic[0] == 0x80 && magic[1] >= 2 && magic[1] <= 5;  // PROTO opcode
    if (zip || pickle)
      throw CheckpointError(name + ": this is a PyTorch pickle " +
                            std::string(zip ? "(zip archive)" : "stream") +
                            ", not safetensors; Lienzo never unpickles files. Convert it to "
                            ".safetensors with a trusted tool first.");
  }
}

CheckpointInfo identifyFile(const std::filesystem::path& path) {
  refuseUnsafeFormats(path);
  const auto file = SafetensorsFile::open(path);
  return identifyCheckpoint(file);
}

}  // namespace lienzo
