// MmditDiffusionModel (mmdit_diffusion_model.h).
#include "core/pipeline/mmdit_diffusion_model.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <utility>

namespace lienzo {

MmditDiffusionModel::MmditDiffusionModel(Mmdit mmdit, c10::ScalarType dtype, c10::Device device)
    : m_mmdit(std::move(mmdit)), m_dtype(dtype), m_device(device) {}

at::Tensor MmditDiffusionModel::forward(const at::Tensor& x, const at::Tensor& t,
                                        const at::Tensor& context, const at::Tensor& y,
                                        const UNetResiduals* residuals) const {
  if (residuals && !residuals->empty())
    throw std::invalid_argument(
        "MMDiT (SD3) models take no ControlNet residuals (U-Net ControlNets do not fit them)");
  return forwardSkipping(x, t, context, y, {});
}

at::Tensor MmditDiffusionModel::forwardSkipping(const at::Tensor& x, const at::Tensor& t,
                                                const at::Tensor& context, const at::Tensor& y,
                                                const std::vector<int64_t>& skipLayers) const {
  Mmdit mmdit = m_mmdit;  // the holder shares the (read-only) network; forward() is not const
  if (!x.defined() || !t.defined())
    throw std::invalid_argument("MmditDiffusionModel: x and t are required");
  return mmdit->forward(x.to(m_device, m_dtype), t.to(m_device, at::kFloat),
                        context.defined() ? context.to(m_device, m_dtype) : context,
                        y.defined() ? y.to(m_device, m_dtype) : y, skipLayers);  // [B,16,h,w]
}

int64_t MmditDiffusionModel::inChannels() const {
  return m_mmdit->config().inChannels;
}

int64_t MmditDiffusionModel::latentChannels() const {
  return m_mmdit->config().outChannels;
}

int64_t MmditDiffusionModel::widthHint() const {
  return m_mmdit->config().hiddenSize;
}

std::shared_ptr<const MmditDiffusionModel> loadMmditDiffusionModel(const SafetensorsFile& file,
                                                                   c10::ScalarType dtype,
                                                                   c10::Device device) {
  const auto prefix = findMmditPrefix(file);
  if (!prefix)
    throw std::invalid_argument(file.path().string() +
                                ": no SD3 MMDiT (x_embedder / joint_blocks tensors) in this file");
  Mmdit mmdit(MmditConfig::fromWeights(file, *prefix));
  loadModuleWeights(*mmdit, file, *prefix, dtype, device);
  mmdit->eval();
  return std::make_shared<MmditDiffusionModel>(std::move(mmdit), dtype, device);
}

}  // namespace lienzo
