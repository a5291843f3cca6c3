// A LoRA-family adapter file (.safetensors): its modules, what kind each is, and the weight
// change ΔW each makes. The file is memory-mapped; tensors are read when a delta is computed.
//
// Types and their math (all float32; `scale` as each format defines it, `m` = user strength):
//   LoRA / LoCon  ΔW = (up.flatten(1) @ down.flatten(1)).reshape(W) · alpha/r, r = down.shape[0];
//                 with lora_mid (Tucker / CP): einsum("nmkl,in,mj->ijkl", mid, up, down).
//   LoHa          ΔW = (w1a @ w1b) ⊙ (w2a @ w2b) · alpha/r, r = w1b.shape[0]; Tucker with t1/t2.
//   LoKr          ΔW = kron(w1, w2) (w1 → 4-D for a conv w2), each factor whole or w_a @ w_b;
//                 scale = alpha/r (r = w2b.shape[0], else w1b.shape[0]) only when a factor is
//                 decomposed, else 1.
//   full          ΔW = diff.
//   DoRA          any of the above with dora_scale: W + ΔW is renormalised to dora_scale's column
//                 (or row) norms before the strength applies.
//   W' = W + (ΔW · scale) · m, in this order; alpha missing → scale 1.
// Ref: A1111 extensions-builtin/Lora/network_lora.py, network_hada.py, network_lokr.py,
// network_full.py, network.py (finalize_updown, apply_weight_decompose), lyco_helpers.py;
// ../shared/specs/next-wave.md §4.2; ../shared/fixtures/README.md §8.
//
// Contract: AdapterFile::open() reads the header only and throws AdapterError (a clear message
// naming the file) for a file that is not safetensors, holds no adapter key, or is a pickle
// (.ckpt/.pt/.bin are refused by extension without being read). An AdapterFile is immutable;
// merge() may run on any thread. Unknown adapter types are kept as modules with type Unknown so
// that the caller can report them.
#pragma once

#include "core/adapters/adapter_keys.h"
#include "core/io/safetensors.h"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class AdapterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class AdapterType { LoRA, LoHa, LoKr, Full, Unknown };
const char* adapterTypeName(AdapterType type);  ///< "LoRA", "LoHa", "LoKr", "full", "unknown"

/// The key dialect a file is written in (adapter_keys.h).
enum class AdapterDialect { Kohya, LyCORIS, Peft, Bare, Mixed };
const char* adapterDialectName(AdapterDialect dialect);

/// One adapted module of a file.
struct AdapterModule {
  std::string module;                       ///< kohya-form name (adapter_keys.h)
  std::map<std::string, std::string> keys;  ///< role → the file's tensor key
  AdapterType type = AdapterType::Unknown;
  bool dora = false;
  int64_t rank = 0;  ///< r of the format's scale (0 when it has none)
};

class AdapterFile {
 public:
  /// Reads the header of `path`. `sdxlTextEncoders`: PEFT's `text_encoder.` means CLIP-L of an
  /// SDXL model (lora_te1_) instead of the SD1/SD2 text encoder (lora_te_).
  static AdapterFile open(const std::filesystem::path& path, bool sdxlTextEncoders = false);

  const std::filesystem::path& path() const { return m_path; }
  std::string name() const { return m_path.stem().string(); }
  const std::vector<AdapterModule>& modules() const { return m_modules; }
  AdapterDialect dialect() const { return m_dialect; }
  /// The family the file says or its key names imply (kohya ss_base_model_version / ss_v2,
  /// lora_te1_/lora_te2_ or LDM U-Net names → SDXL, lora_te_ + diffusers names → SD1/SD2).
  AdapterFamily family() const { return m_family; }
  /// Whether the file may be applied to a `model` family model; otherwise `why` says which
  /// family it was made for and how that is known. An Unknown family fits every model unless its
  /// key names rule SDXL out.
  bool fits(AdapterFamily model, std::string* why) const;
  /// No family known, but the key names are SD 1.x / 2.x ones (so not SDXL).
  bool sdxlRuledOut() const { return m_notSdxl; }
  /// Why family() is what it is ("ss_base_model_version sd_v1", "lora_te1_ keys", …).
  const std::string& familyEvidence() const { return m_familyEvidence; }
  /// The type most modules have (Unknown for a file of unknown modules only); "mixed" types are
  /// possible, each module says its own.
  AdapterType mainType() const;
  size_t keyCount() const { return m_file->names().size(); }
  /// The hash A1111 writes in "Lora hashes" (its first 12 hex digits): the header's
  /// `sshs_model_hash` when the trainer stored one, else the SHA-256 of the bytes after the
  /// safetensors header (kohya's / A1111's "addnet" hash). Reads the whole file; throws
  /// AdapterError when it cannot. Ref: A1111 extensions-builtin/Lora/network.py NetworkOnDisk,
  /// modules/hashes.py addnet_hash_safetensors.
  std::string a1111Hash() const;
  /// Largest rank over the modules (0 for full / unknown).
  int64_t maxRank() const;

  /// W' = W + (ΔW · scale) · multiplier for `module`, ΔW reshaped to `weight`'s shape, all in
  /// float32 (`weight` may have any floating dtype; the result is float32). Throws AdapterError
  /// for an Unknown module or when ΔW has a different number of elements than `weight`
  /// ("shape mismatch: …").
  at::Tensor merge(const AdapterModule& module, const at::Tensor& weight, double multiplier) const;
  /// The same in place: `acc` (float32, contiguous) becomes W'. A plain LoRA is one
  /// acc += (up @ down) · (scale · m) (BLAS addmm, no temporary of W's size). On AdapterError
  /// `acc` is unchanged.
  void mergeInto(const AdapterModule& module, at::Tensor acc, double multiplier) const;

 private:
  at::Tensor tensor(const AdapterModule& module, const std::string& role) const;
  at::Tensor updown(const AdapterModule& module, at::IntArrayRef shape, double* scale) const;
  double loraScale(const AdapterModule& module, int64_t rank) const;

  std::filesystem::path m_path;
  std::shared_ptr<const SafetensorsFile> m_file;
  std::vector<AdapterModule> m_modules;
  AdapterDialect m_dialect = AdapterDialect::Kohya;
  AdapterFamily m_family = AdapterFamily::Unknown;
  std::string m_familyEvidence;
  bool m_notSdxl = false;    ///< SD1/SD2-style key names without SDXL ones
  double m_peftAlpha = 0.0;  ///< lora_alpha of a PEFT adapter config (0: scale 1)
};

}  // namespace lienzo
