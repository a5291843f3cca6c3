// Sd3TextConditioner (sd3_text_conditioner.h).
#include "core/pipeline/sd3_text_conditioner.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <utility>

namespace lienzo {

Sd3TextConditioner::Sd3TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer,
                                       Sd3ClipEncoder clipL, Sd3ClipEncoder clipG, Sd3T5Fn t5,
                                       c10::ScalarType dtype, c10::Device device)
    : m_tokenizer(std::move(tokenizer)),
      m_clipL(std::move(clipL)),
      m_clipG(std::move(clipG)),
      m_t5(std::move(t5)),
      m_dtype(dtype),
      m_device(device) {
  if (!m_tokenizer || !m_t5)
    throw std::invalid_argument("Sd3TextConditioner: a tokenizer and a T5 encoder are required");
  if (m_clipL.role() != Sd3ClipRole::ClipL || m_clipG.role() != Sd3ClipRole::ClipG)
    throw std::invalid_argument("Sd3TextConditioner: encoders given in the wrong roles");
}

// Ref: sd3.5 sd3_infer.py SD3Inferencer.get_cond.
Conditioning Sd3TextConditioner::encode(const std::string& prompt,
                                        const TextOptions& options) const {
  const Sd3ClipOutput l = m_clipL.encodePrompt(*m_tokenizer, prompt);
  const Sd3ClipOutput g = m_clipG.encodePrompt(*m_tokenizer, prompt);
  const at::Tensor t5 = m_t5(prompt);  // [1, L_t5, W_t5]
  const Sd3TextConditioning built =
      buildSd3Conditioning(l, g, t5.to(m_device, at::kFloat));  // assembled in float32
  Conditioning out;
  out.context = built.context.to(m_dtype);
  out.pooled = built.pooled.to(m_dtype);
  (void)options;  // no CLIP skip, weighting or embeddings in the SD3 reference
  return out;
}

at::Tensor Sd3TextConditioner::vector(const at::Tensor& pooled, int64_t, int64_t) const {
  return pooled.to(m_device, m_dtype);  // [n, W_L + E_G]
}

}  // namespace lienzo
