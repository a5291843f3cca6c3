// Adapter key names → the checkpoint weights they change. LoRA-family files name the module they
// adapt in one of several dialects; this component turns each into the checkpoint key of the
// model Lienzo loaded (single-file CompVis / sgm layout, which diffusers folders are renamed to).
//
// Dialects (a key's module part; its adapter suffix — `.lora_down.weight`, `.hada_w1_a`, … — is
// split off by splitAdapterKey()):
//   kohya      lora_unet_<module>, lora_te_<module> (SD1/SD2 text encoder), lora_te1_ / lora_te2_
//              (SDXL CLIP-L / bigG), with '.' → '_'. SD1/SD2 U-Net modules use diffusers names,
//              SDXL's the LDM names.
//   LyCORIS    the kohya names, or lycoris_<diffusers U-Net module>.
//   PEFT       unet.<dotted diffusers module>, text_encoder.<…>, text_encoder_2.<…>; the old
//              attention-processor form `…attn1.processor.to_q_lora.down.weight`.
//   bare       the model's own module path (`diffusion_model.input_blocks.1.1.proj_in`, or a full
//              checkpoint module path).
// Mapping rules: A1111 extensions-builtin/Lora/networks.py convert_diffusers_name_to_compvis and
// load_network; the OpenCLIP text towers (SD2, SDXL bigG) store q/k/v fused in
// attn.in_proj_weight, so their q/k/v deltas go to row blocks [0:E], [E:2E], [2E:3E].
// Ref: ../shared/specs/next-wave.md §4.1; ../shared/fixtures/README.md §8 (key mapping).
//
// Pure functions of strings (no torch), thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// The model families adapters are made for (as far as their keys or metadata tell).
enum class AdapterFamily { Unknown, Sd1, Sd2, Sdxl };
const char* adapterFamilyName(AdapterFamily family);  ///< "SD 1.x", "SD 2.x", "SDXL", "unknown"

/// Which network a key adapts: the multiplier of A1111's `te` or `unet` applies.
enum class AdapterPart { TextEncoder, DiffusionModel };

/// One adapter tensor key split into its module and its role (`lora_down`, `hada_w1_a`,
/// `alpha`, …; PEFT's lora_A / lora_B and the other dialects' spellings are normalised to the
/// kohya roles). A key whose ending is no known role gets the part after the module's first '.'
/// (kohya) as role, unnormalised — the adapter type check then names it.
struct AdapterKey {
  std::string module;  ///< kohya form: lora_unet_…, lora_te_…, lora_te1_…, lora_te2_…, or bare
  std::string role;
  bool bare = false;  ///< no dialect prefix: a module path of the model itself
};
AdapterKey splitAdapterKey(const std::string& key, bool sdxlTextEncoders);

/// The checkpoint weight an adapter module changes.
struct AdapterTarget {
  std::string checkpointKey;  ///< e.g. "model.diffusion_model.input_blocks.1.1.proj_in.weight"
  int rowBlock = -1;          ///< 0/1/2: the q/k/v third of a fused in_proj_weight; -1: all of it
  AdapterPart part = AdapterPart::DiffusionModel;
};

/// The model's adaptable weights: every checkpoint key ending in ".weight" or "in_proj_weight",
/// indexed by its module path with '.' → '_' (A1111's network layer names). `family` decides the
/// text-encoder dialects (lora_te_ is CLIP-L for SD1, OpenCLIP for SD2).
class AdapterKeyIndex {
 public:
  AdapterKeyIndex(const std::vector<std::string>& checkpointKeys, AdapterFamily family);
  AdapterFamily family() const { return m_family; }

  /// The weight `module` (an AdapterKey::module) changes, or nullopt with the reason it has none
  /// ("no such module in this SD 1.x model: …").
  std::optional<AdapterTarget> resolve(const std::string& module, std::string* whyNot) const;

 private:
  std::optional<std::string> lookup(const std::string& underscored) const;
  std::vector<std::pair<std::string, std::string>> m_index;  ///< sorted (underscored, key)
  AdapterFamily m_family;
};

/// The U-Net part of a kohya name in LDM (sgm) form: diffusers block names converted
/// (`down_blocks_1_attentions_0_proj_in` → `input_blocks_4_1_proj_in`), LDM names unchanged.
/// Upsamplers have two candidates (index 1 or 2 inside the output block); all are returned.
std::vector<std::string> diffusersUnetNameToLdm(const std::string& name);

}  // namespace lienzo
