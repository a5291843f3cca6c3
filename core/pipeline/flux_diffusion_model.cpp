// FluxDiffusionModel (flux_diffusion_model.h).
#include "core/pipeline/flux_diffusion_model.h"

#include "core/model/flux_packing.h"

#include <ATen/ATen.h>

#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

FluxDiffusionModel::FluxDiffusionModel(Flux flux, c10::ScalarType dtype, c10::Device device,
                                       double guidance)
    : m_flux(std::move(flux)), m_dtype(dtype), m_device(device), m_guidance(guidance) {}

// Ref: black-forest-labs/flux src/flux/sampling.py prepare / denoise / unpack (the per-step call
// model(img, img_ids, txt, txt_ids, y, timesteps=t, guidance=g)).
at::Tensor FluxDiffusionModel::forward(const at::Tensor& x, const at::Tensor& t,
                                       const at::Tensor& context, const at::Tensor& y,
                                       const UNetResiduals* residuals) const {
  if (residuals && !residuals->empty())
    throw std::invalid_argument("Flux takes no ControlNet residuals (U-Net ControlNets only)");
  const int64_t channels = latentChannels();
  if (!x.defined() || x.dim() != 4 || x.size(1) != channels) {
    std::ostringstream os;
    os << "Flux: the latent must be [B, " << channels << ", h, w], got ";
    if (x.defined())
      os << x.sizes();
    else
      os << "undefined";
    throw std::invalid_argument(os.str());
  }
  if (!context.defined()) throw std::invalid_argument("Flux: no T5 context (txt)");
  if (!y.defined()) throw std::invalid_argument("Flux: no CLIP-L pooled vector (y)");
  Flux flux = m_flux;  // the holder shares the (read-only) network; forward() is not const
  const int64_t batch = x.size(0), h = x.size(2), w = x.size(3);
  at::Tensor latent = x.to(m_device, m_dtype);
  if (h % 2 != 0 || w % 2 != 0)  // repeat the last row / column up to the 2×2 grid
    latent = at::replication_pad2d(latent, {0, w % 2, 0, h % 2});
  const int64_t rows = latent.size(2) / 2, cols = latent.size(3) / 2;
  const at::Tensor imgIds = fluxImageIds(batch, rows, cols, m_device);
  const at::Tensor txtIds = fluxTextIds(batch, context.size(1), m_device);
  at::Tensor guidance;
  if (usesGuidance())
    guidance =
        at::full({batch}, m_guidance, at::TensorOptions().dtype(at::kFloat).device(m_device));
  const at::Tensor v = flux->forward(fluxPack(latent), imgIds, context.to(m_device, m_dtype),
                                     txtIds, t.to(m_device, at::kFloat), y.to(m_device, m_dtype),
                                     guidance);                      // [B, rows·cols, 64]
  return fluxUnpack(v, rows, cols).narrow(2, 0, h).narrow(3, 0, w);  // [B, 16, h, w]
}

int64_t FluxDiffusionModel::inChannels() const {
  return m_flux->config().inChannels / 4;
}

int64_t FluxDiffusionModel::latentChannels() const {
  return m_flux->config().outChannels / 4;
}

int64_t FluxDiffusionModel::widthHint() const {
  return m_flux->config().hidden;
}

std::shared_ptr<const FluxDiffusionModel> FluxDiffusionModel::withGuidance(double guidance) const {
  return std::make_shared<FluxDiffusionModel>(m_flux, m_dtype, m_device, guidance);
}

std::shared_ptr<const DiffusionModel> FluxDiffusionModel::withDistilledGuidance(
    double guidance) const {
  if (!usesGuidance()) return nullptr;
  return withGuidance(guidance);
}

}  // namespace lienzo
