// UNetDiffusionModel (diffusion_model.h).
#include "core/pipeline/diffusion_model.h"

#include <ATen/ATen.h>

#include <utility>

namespace lienzo {

UNetDiffusionModel::UNetDiffusionModel(UNet unet, c10::ScalarType dtype, c10::Device device)
    : m_unet(std::move(unet)), m_dtype(dtype), m_device(device) {}

at::Tensor UNetDiffusionModel::forward(const at::Tensor& x, const at::Tensor& t,
                                       const at::Tensor& context, const at::Tensor& y,
                                       const UNetResiduals* residuals) const {
  UNet unet = m_unet;  // the holder shares the (read-only) network; forward() is not const
  // .to() returns the tensor itself when it already has the device and dtype.
  return unet->forward(x.to(m_device, m_dtype), t.to(m_device, at::kFloat),
                       context.defined() ? context.to(m_device, m_dtype) : context,
                       y.defined() ? y.to(m_device, m_dtype) : y, residuals);  // [B,out,h,w]
}

int64_t UNetDiffusionModel::inChannels() const {
  return m_unet->config().inChannels;
}

int64_t UNetDiffusionModel::latentChannels() const {
  return m_unet->config().outChannels;
}

int64_t UNetDiffusionModel::widthHint() const {
  return m_unet->config().modelChannels;
}

std::shared_ptr<const DiffusionModel> makeUNetDiffusionModel(UNet unet, c10::ScalarType dtype,
                                                             c10::Device device) {
  return std::make_shared<UNetDiffusionModel>(std::move(unet), dtype, device);
}

}  // namespace lienzo
