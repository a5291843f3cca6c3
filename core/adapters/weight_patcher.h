// The weights of a loaded model that LoRA-family adapters may change, by checkpoint key, with the
// base values kept so that every change can be undone exactly.
//
// How it works: a factory registers each parameter of the U-Net and the text encoders under its
// checkpoint key (the module's own tensor handle). Patching replaces a parameter's data with a
// merged tensor (set_data: the module sees it at once); the base tensor is kept and restoring
// puts that very tensor back, so a model without adapters is bit-identical to the loaded one.
// Ref: A1111 extensions-builtin/Lora/networks.py network_apply_weights (backup / restore).
//
// Contract
// - Threads: one request patches at a time. lock() returns the lock a request holds from
//   patching until its last forward pass (generate() does this), so concurrent requests on one
//   bundle run one after the other; all other members need that lock held.
// - The patcher also remembers the adapter files requests used (header and SHA-256 short hash,
//   keyed by path, size and modification time), so a file is hashed once per session.
// - Ownership: the patcher holds handles of the modules' parameters (the components keep the
//   modules alive as long as the bundle) and the base tensors it replaced.
// - Failure: set() throws std::invalid_argument for a key that was never registered or a tensor of
//   another shape; nothing changes then.
#pragma once

#include "core/adapters/adapter_file.h"
#include "core/adapters/adapter_keys.h"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace lienzo {

class WeightPatcher {
 public:
  explicit WeightPatcher(AdapterFamily family) : m_family(family) {}
  WeightPatcher(const WeightPatcher&) = delete;
  WeightPatcher& operator=(const WeightPatcher&) = delete;

  /// Registers `parameter` (a module's tensor handle, not a copy) under `checkpointKey`.
  void add(const std::string& checkpointKey, at::Tensor parameter, AdapterPart part);

  AdapterFamily family() const { return m_family; }
  std::unique_lock<std::mutex> lock() const { return std::unique_lock<std::mutex>(m_mutex); }

  /// Every registered checkpoint key (sorted).
  std::vector<std::string> keys() const;
  bool contains(const std::string& key) const { return m_slots.count(key) != 0; }
  AdapterPart part(const std::string& key) const { return m_slots.at(key).part; }
  /// The loaded (unpatched) value of `key`.
  const at::Tensor& base(const std::string& key) const;
  /// The value the module uses now.
  const at::Tensor& current(const std::string& key) const { return m_slots.at(key).parameter; }

  /// Makes `key`'s module use `value` (converted to the base's dtype, device and memory format).
  void set(const std::string& key, const at::Tensor& value);
  /// Puts every base tensor back; afterwards the model is the loaded one, bit for bit.
  void restoreAll();
  /// Puts `key`'s base tensor back.
  void restore(const std::string& key);
  /// Keys whose module currently uses a patched value.
  size_t patchedCount() const { return m_patched.size(); }
  bool isPatched(const std::string& key) const { return m_patched.count(key) != 0; }
  std::vector<std::string> patchedKeys() const { return {m_patched.begin(), m_patched.end()}; }

  /// An opened adapter file and its A1111 short hash (AdapterFile::a1111Hash, 12 hex digits),
  /// from the cache when the file is unchanged. Throws AdapterError like AdapterFile::open.
  struct OpenedAdapter {
    std::shared_ptr<const AdapterFile> file;
    std::string shortHash;
  };
  OpenedAdapter openAdapter(const std::filesystem::path& path);

  /// What the current patches were made from (adapter_merge.h's cache key; empty when none) and
  /// the notices that merge gave, repeated to every request that reuses the patches.
  const std::string& signature() const { return m_signature; }
  const std::vector<std::string>& signatureNotices() const { return m_notices; }
  void setSignature(std::string signature, std::vector<std::string> notices) {
    m_signature = std::move(signature);
    m_notices = std::move(notices);
  }

 private:
  struct Slot {
    at::Tensor parameter;  ///< the module's tensor (same TensorImpl)
    at::Tensor base;       ///< its loaded data
    AdapterPart part;
  };
  std::map<std::string, Slot> m_slots;
  std::set<std::string> m_patched;
  std::string m_signature;
  std::vector<std::string> m_notices;
  std::map<std::string, OpenedAdapter> m_files;  ///< "path|size|mtime" → opened file
  AdapterFamily m_family;
  mutable std::mutex m_mutex;
};

}  // namespace lienzo
