#include "core/adapters/weight_patcher.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

#include <stdexcept>

namespace lienzo {

void WeightPatcher::add(const std::string& checkpointKey, at::Tensor parameter, AdapterPart part) {
  // A plain (non-inference) handle of the same storage: the base to restore.
  at::Tensor base = parameter.detach();
  m_slots[checkpointKey] = Slot{std::move(parameter), std::move(base), part};
}

std::vector<std::string> WeightPatcher::keys() const {
  std::vector<std::string> out;
  out.reserve(m_slots.size());
  for (const auto& [key, slot] : m_slots) out.push_back(key);
  return out;
}

const at::Tensor& WeightPatcher::base(const std::string& key) const {
  const auto it = m_slots.find(key);
  if (it == m_slots.end()) throw std::invalid_argument("no weight '" + key + "' in this model");
  return it->second.base;
}

void WeightPatcher::set(const std::string& key, const at::Tensor& value) {
  const auto it = m_slots.find(key);
  if (it == m_slots.end()) throw std::invalid_argument("no weight '" + key + "' in this model");
  Slot& slot = it->second;
  if (value.sizes() != slot.base.sizes())
    throw std::invalid_argument("weight '" + key + "': patch of another shape");
  // set_data on a module parameter must happen outside inference mode and without autograd.
  c10::InferenceMode notInference(false);
  at::NoGradGuard noGrad;
  at::Tensor data = value.to(slot.base.device(), slot.base.scalar_type())
                        .contiguous(slot.base.suggest_memory_format());
  if (data.is_inference()) data = data.clone();
  slot.parameter.set_data(data);
  m_patched.insert(key);
}

void WeightPatcher::restore(const std::string& key) {
  if (!m_patched.count(key)) return;
  c10::InferenceMode notInference(false);
  at::NoGradGuard noGrad;
  Slot& slot = m_slots.at(key);
  slot.parameter.set_data(slot.base);
  m_patched.erase(key);
}

WeightPatcher::OpenedAdapter WeightPatcher::openAdapter(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
  const std::string key = path.string() + "|" + std::to_string(size) + "|" + std::to_string(mtime);
  if (const auto it = m_files.find(key); it != m_files.end()) return it->second;
  OpenedAdapter opened;
  opened.file =
      std::make_shared<const AdapterFile>(AdapterFile::open(path, m_family == AdapterFamily::Sdxl));
  opened.shortHash = opened.file->a1111Hash().substr(0, 12);  // A1111 NetworkOnDisk.shorthash
  m_files[key] = opened;
  return opened;
}

void WeightPatcher::restoreAll() {
  c10::InferenceMode notInference(false);
  at::NoGradGuard noGrad;
  for (const auto& key : m_patched) {
    Slot& slot = m_slots.at(key);
    slot.parameter.set_data(slot.base);
  }
  m_patched.clear();
  m_signature.clear();
  m_notices.clear();
}

}  // namespace lienzo
