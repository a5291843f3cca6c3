// SD3 / SD3.5 as a TextConditioner (text_conditioner.h): CLIP-L + CLIP-G (core/text/
// sd3_conditioning.h) and a T5 encoder given as a function, assembled as the reference's
// get_cond. The T5 part is a function so that this class does not depend on how T5 is loaded or
// where it runs (CPU while the MMDiT is on the GPU, released after encoding, …).
//
// Contract: immutable after construction; encode() and vector() mutate nothing and may run on
// several threads at once if `t5` may. The SD3 reference has no prompt weighting, CLIP skip or
// textual inversion: TextOptions are ignored (the prompt is used as text).
// Failure: what the encoders and `t5` throw; std::invalid_argument from buildSd3Conditioning when
// the T5 output does not fit (batch, width).
#pragma once

#include "core/pipeline/text_conditioner.h"
#include "core/text/sd3_conditioning.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <functional>
#include <memory>
#include <string>

namespace lienzo {

/// prompt → T5 last hidden state [1, L_t5, W_t5] (the SD3 token layout: ≥ 77 tokens).
using Sd3T5Fn = std::function<at::Tensor(const std::string& prompt)>;

class Sd3TextConditioner final : public TextConditioner {
 public:
  /// `dtype`/`device`: where the results go (the MMDiT's compute dtype and device).
  Sd3TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer, Sd3ClipEncoder clipL,
                     Sd3ClipEncoder clipG, Sd3T5Fn t5, c10::ScalarType dtype, c10::Device device);

  /// context [1, 77 + L_t5, W_t5], pooled [1, W_L + E_G] (buildSd3Conditioning).
  Conditioning encode(const std::string& prompt, const TextOptions& options) const override;
  /// SD3's y is the pooled text itself (no size embeddings): pooled on the device, in dtype.
  at::Tensor vector(const at::Tensor& pooled, int64_t height, int64_t width) const override;

  const ClipTokenizer& tokenizer() const { return *m_tokenizer; }

 private:
  std::shared_ptr<const ClipTokenizer> m_tokenizer;
  Sd3ClipEncoder m_clipL;
  Sd3ClipEncoder m_clipG;
  Sd3T5Fn m_t5;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

}  // namespace lienzo
