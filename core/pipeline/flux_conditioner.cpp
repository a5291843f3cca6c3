// Flux.1's text conditioning (flux_conditioner.h).
#include "core/pipeline/flux_conditioner.h"

#include "core/text/flux_clip.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <utility>

namespace lienzo {

FluxTextConditioner::FluxTextConditioner(std::shared_ptr<const T5Tokenizer> t5Tokenizer,
                                         T5Encoder t5, int t5Length,
                                         std::shared_ptr<const ClipTokenizer> clipTokenizer,
                                         ClipTextModel clip, c10::ScalarType dtype,
                                         c10::Device device)
    : m_t5Tokenizer(std::move(t5Tokenizer)),
      m_t5(std::move(t5)),
      m_t5Length(t5Length),
      m_clipTokenizer(std::move(clipTokenizer)),
      m_clip(std::move(clip)),
      m_dtype(dtype),
      m_device(device) {
  if (!m_t5Tokenizer || m_t5.is_empty() || !m_clipTokenizer || m_clip.is_empty())
    throw std::invalid_argument(
        "Flux text conditioning needs T5 (tokenizer and encoder) and CLIP-L");
  if (m_t5Length < 1)
    throw std::invalid_argument("Flux: the T5 length must be at least 1 (got " +
                                std::to_string(m_t5Length) + ")");
}

at::Tensor FluxTextConditioner::t5Ids(const std::string& prompt) const {
  const T5TokenLayout layout = m_t5Tokenizer->padded(prompt, m_t5Length);
  return at::tensor(layout.ids, at::kLong).reshape({1, -1});
}

Conditioning FluxTextConditioner::encode(const std::string& prompt,
                                         const TextOptions& options) const {
  Conditioning out;
  // Ref: flux sampling.prepare: txt = t5(prompt) (HFEmbedder: max_length, padding="max_length",
  // truncation, no attention mask), vec = clip(prompt) (pooler_output).
  const at::Tensor ids = t5Ids(prompt).to(m_t5->device());
  out.context = m_t5->encode(ids).to(m_device, m_dtype);  // [1, t5Length, d_model]
  out.pooled = fluxClipPooled(*m_clipTokenizer, m_clip, prompt).to(m_device, m_dtype);  // [1, 768]
  if (options.embeddings && prompt.find("embedding:") != std::string::npos)
    out.notices.push_back(
        "Flux prompts are passed to T5 and CLIP as written: textual-inversion embeddings are not "
        "used");
  return out;
}

at::Tensor FluxTextConditioner::vector(const at::Tensor& pooled, int64_t, int64_t) const {
  return pooled.to(m_device, m_dtype);
}

}  // namespace lienzo
