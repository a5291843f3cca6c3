#include "core/adapters/adapter_file.h"

#include "core/io/sha256.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

namespace lienzo {

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string shapeString(at::IntArrayRef shape) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

bool has(const AdapterModule& m, const char* role) {
  return m.keys.count(role) != 0;
}

/// The type a module's roles make (adapter_file.h).
AdapterType classify(const AdapterModule& m) {
  if (has(m, "lora_up") && has(m, "lora_down")) return AdapterType::LoRA;
  if (has(m, "hada_w1_a") && has(m, "hada_w1_b") && has(m, "hada_w2_a") && has(m, "hada_w2_b"))
    return AdapterType::LoHa;
  const bool w1 = has(m, "lokr_w1") || (has(m, "lokr_w1_a") && has(m, "lokr_w1_b"));
  const bool w2 = has(m, "lokr_w2") || (has(m, "lokr_w2_a") && has(m, "lokr_w2_b"));
  if (w1 && w2) return AdapterType::LoKr;
  if (has(m, "diff")) return AdapterType::Full;
  return AdapterType::Unknown;
}

/// einsum("i j k l, j r, i p -> p r k l", t, wb, wa). Ref: A1111 lyco_helpers.rebuild_tucker.
at::Tensor rebuildTucker(const at::Tensor& t, const at::Tensor& wa, const at::Tensor& wb) {
  return at::einsum("ijkl,jr,ip->prkl", {t, wb, wa});
}

}  // namespace

const char* adapterTypeName(AdapterType type) {
  switch (type) {
    case AdapterType::LoRA:
      return "LoRA";
    case AdapterType::LoHa:
      return "LoHa";
    case AdapterType::LoKr:
      return "LoKr";
    case AdapterType::Full:
      return "full";
    case AdapterType::Unknown:
      break;
  }
  return "unknown";
}

const char* adapterDialectName(AdapterDialect dialect) {
  switch (dialect) {
    case AdapterDialect::Kohya:
      return "kohya";
    case AdapterDialect::LyCORIS:
      return "LyCORIS";
    case AdapterDialect::Peft:
      return "diffusers/PEFT";
    case AdapterDialect::Bare:
      return "module paths";
    case AdapterDialect::Mixed:
      break;
  }
  return "mixed";
}

AdapterFile AdapterFile::open(const std::filesystem::path& path, bool sdxlTextEncoders) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".pt" || ext == ".ckpt" || ext == ".bin" || ext == ".pth")
    throw AdapterError(path.string() +
                       ": a Python pickle; Lienzo never unpickles files (they can run code). "
                       "Convert it to .safetensors.");
  AdapterFile out;
  out.m_path = path;
  try {
    out.m_file = std::make_shared<const SafetensorsFile>(SafetensorsFile::open(path));
  } catch (const std::exception& e) {
    throw AdapterError(std::string("cannot read the adapter: ") + e.what());
  }
  const auto& meta = out.m_file->metadata();

  std::map<std::string, AdapterModule> modules;
  bool kohya = false, lycoris = false, peft = false, bare = false;
  bool te1 = false, ldmUnet = false, sd12Names = false;
  for (const auto& key : out.m_file->names()) {
    const AdapterKey k = splitAdapterKey(key, sdxlTextEncoders);
    AdapterModule& m = modules[k.module];
    m.module = k.module;
    m.keys[k.role] = key;
    peft |= startsWith(key, "unet.") || startsWith(key, "text_encoder");
    lycoris |= startsWith(key, "lycoris_") || k.role.rfind("hada_", 0) == 0 ||
               k.role.rfind("lokr_", 0) == 0;
    kohya |= startsWith(key, "lora_");
    bare |= k.bare;
    te1 |= startsWith(k.module, "lora_te1_") || startsWith(k.module, "lora_te2_");
    ldmUnet |= startsWith(k.module, "lora_unet_input_blocks_") ||
               startsWith(k.module, "lora_unet_output_blocks_") ||
               startsWith(k.module, "lora_unet_middle_block_");
    sd12Names |= startsWith(k.module, "lora_te_") ||
                 startsWith(k.module, "lora_unet_down_blocks_") ||
                 startsWith(k.module, "lora_unet_up_blocks_") ||
                 startsWith(k.module, "lora_unet_mid_block_");
  }
  if (modules.empty()) throw AdapterError(path.string() + ": holds no tensors");
  for (auto& entry : modules) {
    AdapterModule& m = entry.second;
    m.type = classify(m);
    m.dora = has(m, "dora_scale");
    const auto dim0 = [&](const char* role) {
      const std::string& key = m.keys.at(role);
      const std::vector<int64_t>& shape = out.m_file->info(key).shape;
      if (shape.empty())
        throw AdapterError(path.string() + ": '" + key + "' is a scalar, not a matrix");
      return shape[0];
    };
    if (m.type == AdapterType::LoRA) m.rank = dim0("lora_down");
    if (m.type == AdapterType::LoHa) m.rank = dim0("hada_w1_b");
    if (m.type == AdapterType::LoKr)
      m.rank = has(m, "lokr_w2_b")   ? dim0("lokr_w2_b")
               : has(m, "lokr_w1_b") ? dim0("lokr_w1_b")
                                     : 0;
    out.m_modules.push_back(std::move(m));
  }
  const int dialects = int(kohya && !lycoris) + int(lycoris) + int(peft) + int(bare);
  out.m_dialect = dialects > 1 ? AdapterDialect::Mixed
                  : peft       ? AdapterDialect::Peft
                  : lycoris    ? AdapterDialect::LyCORIS
                  : bare       ? AdapterDialect::Bare
                               : AdapterDialect::Kohya;
  const bool anyKnown =
      std::any_of(out.m_modules.begin(), out.m_modules.end(),
                  [](const AdapterModule& m) { return m.type != AdapterType::Unknown; });
  if (!anyKnown && !kohya && !peft && !lycoris)
    throw AdapterError(path.string() +
                       ": no LoRA, LoHa, LoKr or full-difference keys (is it a "
                       "checkpoint or an embedding?)");

  // Family: what the trainer wrote, else what the key names imply. Ref: kohya sd-scripts
  // train_network.py (ss_base_model_version, ss_v2), modelspec (modelspec.architecture).
  const auto metaValue = [&](const char* key) {
    const auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
  };
  const std::string base = metaValue("ss_base_model_version");
  const std::string arch = metaValue("modelspec.architecture");
  if (startsWith(base, "sdxl")) {
    out.m_family = AdapterFamily::Sdxl;
    out.m_familyEvidence = "ss_base_model_version " + base;
  } else if (startsWith(base, "sd_v1")) {
    out.m_family = AdapterFamily::Sd1;
    out.m_familyEvidence = "ss_base_model_version " + base;
  } else if (startsWith(base, "sd_v2")) {
    out.m_family = AdapterFamily::Sd2;
    out.m_familyEvidence = "ss_base_model_version " + base;
  } else if (startsWith(arch, "stable-diffusion-xl")) {
    out.m_family = AdapterFamily::Sdxl;
    out.m_familyEvidence = "modelspec.architecture " + arch;
  } else if (startsWith(arch, "stable-diffusion-v1")) {
    out.m_family = AdapterFamily::Sd1;
    out.m_familyEvidence = "modelspec.architecture " + arch;
  } else if (startsWith(arch, "stable-diffusion-v2")) {
    out.m_family = AdapterFamily::Sd2;
    out.m_familyEvidence = "modelspec.architecture " + arch;
  } else if (metaValue("ss_v2") == "True") {
    out.m_family = AdapterFamily::Sd2;
    out.m_familyEvidence = "ss_v2 True";
  } else if (te1 || ldmUnet) {
    out.m_family = AdapterFamily::Sdxl;
    out.m_familyEvidence = te1 ? "lora_te1_/lora_te2_ keys" : "SDXL (LDM) U-Net key names";
  } else if (sd12Names) {
    out.m_familyEvidence = "lora_te_ / diffusers U-Net key names";
  }
  out.m_notSdxl = sd12Names && !te1 && !ldmUnet;

  // PEFT keeps alpha in the adapter config (diffusers loaders/lora_base.py); scale 1 without it.
  if (const auto it = meta.find("lora_adapter_metadata"); it != meta.end()) {
    try {
      const auto j = nlohmann::json::parse(it->second);
      if (j.contains("lora_alpha") && j["lora_alpha"].is_number())
        out.m_peftAlpha = j["lora_alpha"].get<double>();
    } catch (const std::exception&) {
      // A malformed config only loses alpha; the keys still say what to do.
    }
  }
  return out;
}

bool AdapterFile::fits(AdapterFamily model, std::string* why) const {
  if (model == AdapterFamily::Unknown) return true;
  const bool ok = m_family != AdapterFamily::Unknown ? m_family == model
                                                     : !(m_notSdxl && model == AdapterFamily::Sdxl);
  if (!ok && why) {
    const std::string made = m_family != AdapterFamily::Unknown ? adapterFamilyName(m_family)
                                                                : std::string("SD 1.x/2.x");
    *why = "made for " + made + " (" + m_familyEvidence + "), the model is " +
           adapterFamilyName(model);
  }
  return ok;
}

AdapterType AdapterFile::mainType() const {
  std::map<AdapterType, int> counts;
  for (const auto& m : m_modules) ++counts[m.type];
  AdapterType best = AdapterType::Unknown;
  int bestCount = 0;
  for (const auto& [type, n] : counts)
    if (type != AdapterType::Unknown && n > bestCount) best = type, bestCount = n;
  return best;
}

std::string AdapterFile::a1111Hash() const {
  const auto& meta = m_file->metadata();
  if (const auto it = meta.find("sshs_model_hash"); it != meta.end() && !it->second.empty())
    return it->second;
  std::ifstream in(m_path, std::ios::binary);
  unsigned char size[8] = {};
  if (!in.read(reinterpret_cast<char*>(size), 8))
    throw AdapterError(m_path.string() + ": cannot read the file to hash it");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | size[i];
  in.seekg(static_cast<std::streamoff>(8 + headerSize));
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) sha.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (!in.eof()) throw AdapterError(m_path.string() + ": read error while hashing");
  return Sha256::hex(sha.finish());
}

int64_t AdapterFile::maxRank() const {
  int64_t r = 0;
  for (const auto& m : m_modules) r = std::max(r, m.rank);
  return r;
}

at::Tensor AdapterFile::tensor(const AdapterModule& module, const std::string& role) const {
  return m_file->load(module.keys.at(role), at::kFloat);
}

at::Tensor AdapterFile::updown(const AdapterModule& m, at::IntArrayRef shape, double* scale) const {
  const auto alpha = [&]() -> std::optional<double> {
    if (!has(m, "alpha")) return std::nullopt;
    return tensor(m, "alpha").item<double>();
  }();
  *scale = 1.0;
  at::Tensor u;
  switch (m.type) {
    case AdapterType::LoRA: {
      // Ref: A1111 network_lora.py NetworkModuleLora.calc_updown, lyco_helpers.rebuild_conventional
      // and rebuild_cp_decomposition (lora_mid).
      const at::Tensor up = tensor(m, "lora_up"), down = tensor(m, "lora_down");
      const int64_t r = down.size(0);
      if (has(m, "lora_mid")) {
        u = at::einsum("nmkl,in,mj->ijkl", {tensor(m, "lora_mid"), up.reshape({up.size(0), -1}),
                                            down.reshape({down.size(0), -1})});
      } else {
        u = at::matmul(up.reshape({up.size(0), -1}), down.reshape({r, -1}));
      }
      *scale = loraScale(m, r);
      break;
    }
    case AdapterType::LoHa: {
      // Ref: A1111 network_hada.py NetworkModuleHada.calc_updown.
      const at::Tensor w1a = tensor(m, "hada_w1_a"), w1b = tensor(m, "hada_w1_b");
      const at::Tensor w2a = tensor(m, "hada_w2_a"), w2b = tensor(m, "hada_w2_b");
      const at::Tensor u1 =
          has(m, "hada_t1") ? rebuildTucker(tensor(m, "hada_t1"), w1a, w1b) : at::matmul(w1a, w1b);
      const at::Tensor u2 =
          has(m, "hada_t2") ? rebuildTucker(tensor(m, "hada_t2"), w2a, w2b) : at::matmul(w2a, w2b);
      u = u1 * u2;
      if (alpha) *scale = *alpha / double(w1b.size(0));
      break;
    }
    case AdapterType::LoKr: {
      // Ref: A1111 network_lokr.py NetworkModuleLokr.calc_updown (scale only when decomposed).
      const bool w1Split = !has(m, "lokr_w1"), w2Split = !has(m, "lokr_w2");
      at::Tensor w1 = w1Split ? at::matmul(tensor(m, "lokr_w1_a"), tensor(m, "lokr_w1_b"))
                              : tensor(m, "lokr_w1");
      at::Tensor w2;
      if (!w2Split) {
        w2 = tensor(m, "lokr_w2");
      } else if (has(m, "lokr_t2")) {
        w2 = rebuildTucker(tensor(m, "lokr_t2"), tensor(m, "lokr_w2_a"), tensor(m, "lokr_w2_b"));
      } else {
        w2 = at::matmul(tensor(m, "lokr_w2_a"), tensor(m, "lokr_w2_b"));
      }
      if (w2.dim() == 4) w1 = w1.unsqueeze(2).unsqueeze(3);
      u = at::kron(w1, w2);
      if (alpha && (w1Split || w2Split) && m.rank > 0) *scale = *alpha / double(m.rank);
      break;
    }
    case AdapterType::Full:
      u = tensor(m, "diff").clone();  // a float32 file gives a view of its read-only mapping
      break;
    case AdapterType::Unknown:
      break;
  }
  if (!u.defined()) {
    std::string roles;
    for (const auto& [role, key] : m.keys) roles += (roles.empty() ? "" : ", ") + role;
    throw AdapterError("unknown adapter type (keys " + roles + ")");
  }
  if (u.numel() != c10::multiply_integers(shape))
    throw AdapterError("shape mismatch: the adapter's " + std::string(adapterTypeName(m.type)) +
                       " change has shape " + shapeString(u.sizes()) + ", the weight " +
                       shapeString(shape));
  return u.reshape(shape);
}

double AdapterFile::loraScale(const AdapterModule& m, int64_t rank) const {
  if (has(m, "alpha")) return tensor(m, "alpha").item<double>() / double(rank);
  if (m_peftAlpha > 0.0) return m_peftAlpha / double(rank);
  return 1.0;
}

void AdapterFile::mergeInto(const AdapterModule& m, at::Tensor acc, double multiplier) const {
  if (m.type != AdapterType::LoRA || has(m, "lora_mid") || m.dora) {
    acc.copy_(merge(m, acc, multiplier));
    return;
  }
  const at::Tensor up = tensor(m, "lora_up"), down = tensor(m, "lora_down");
  const at::Tensor up2 = up.reshape({up.size(0), -1}), down2 = down.reshape({down.size(0), -1});
  if (up2.size(0) * down2.size(1) != acc.numel() || up2.size(1) != down2.size(0))
    throw AdapterError("shape mismatch: the adapter's LoRA change has shape [" +
                       std::to_string(up2.size(0)) + ", " + std::to_string(down2.size(1)) +
                       "], the weight " + shapeString(acc.sizes()));
  // W + (ΔW · scale) · m with the two factors folded into gemm's alpha.
  acc.view({up2.size(0), down2.size(1)})
      .addmm_(up2, down2, /*beta=*/1.0, /*alpha=*/loraScale(m, down.size(0)) * multiplier);
}

at::Tensor AdapterFile::merge(const AdapterModule& m, const at::Tensor& weight,
                              double multiplier) const {
  double scale = 1.0;
  const at::Tensor w = weight.to(at::kFloat);
  const at::Tensor u = updown(m, w.sizes(), &scale);
  if (!m.dora) {
    // In place on ΔW (the merge's one temporary besides W): (ΔW · scale) · m, then W + that. The
    // result is a new tensor, so `weight` itself is never modified.
    // (Every type's ΔW is a fresh tensor: products, or a copy of `diff`.)
    return u.mul_(scale).mul_(multiplier).add_(w);
  }
  // DoRA: W' = dora_scale · (W + ΔW·scale) / ‖W + ΔW·scale‖, then W + m·(W' − W). The norm is per
  // output row when dora_scale has one value per row (ComfyUI wd_on_output), else per input
  // column (kohya / A1111 layout [1, in, 1, 1]).
  // Ref: comfy/weight_adapter/base.py weight_decompose; next-wave.md §4.2.
  const at::Tensor doraScale = tensor(m, "dora_scale");
  const at::Tensor merged = w + u * scale;
  at::Tensor norm;
  if (doraScale.size(0) == w.size(0) && doraScale.numel() == w.size(0)) {
    norm = merged.reshape({w.size(0), -1}).norm(2, {1}, true);
    std::vector<int64_t> view(w.dim(), 1);
    view[0] = w.size(0);
    norm = norm.reshape(view);
  } else {
    norm = merged.transpose(0, 1).reshape({w.size(1), -1}).norm(2, {1}, true);
    std::vector<int64_t> view(w.dim(), 1);
    view[1] = w.size(1);
    norm = norm.reshape(view);
  }
  const at::Tensor decomposed = merged * (doraScale.reshape(norm.sizes()) / norm);
  return w + (decomposed - w) * multiplier;
}

}  // namespace lienzo
