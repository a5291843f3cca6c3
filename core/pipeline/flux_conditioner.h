// Stage 1 for Flux.1 (dev, schnell): a prompt → T5 tokens (the transformer's `txt`) and CLIP-L's
// pooled vector (its `y`), as BFL's txt2img does it.
//   context  T5 v1.1 last hidden state of the prompt's HF layout padded / truncated to t5Length
//            (dev 512, schnell 256: `cli.py`), EOS kept, no attention mask (pads attended, so the
//            length changes the result and is recorded in the metadata)
//   pooled   CLIP-L pooler_output (final-LN feature at the first EOS, unprojected) of one
//            77-token window (core/text/flux_clip.h)
//   vector() the pooled vector itself (Flux's `vector_in` takes it; no size embedding)
// The prompt is passed as written: no A1111 emphasis or BREAK, no textual inversion (BFL and
// diffusers pass the raw string; the reference's numbers hold only then). A ComfyUI
// `embedding:name` in it is reported in Conditioning::notices as not used.
//
// Ref: black-forest-labs/flux src/flux/sampling.py prepare, modules/conditioner.py HFEmbedder,
// cli.py (max_length 256 for schnell, 512 otherwise); next-wave.md §7.1; flux/README.md §6.
//
// Contract: immutable after construction; encode() runs on the calling thread under the caller's
// inference mode and only reads the encoders, so concurrent calls are safe. The encoders may live
// on another device and dtype than the diffusion model (T5 kept on the CPU while the transformer
// runs on the GPU): results are moved to `dtype` / `device`. Failure: std::invalid_argument from
// the constructor for a T5 length < 1 or missing parts; torch errors propagate.
#pragma once

#include "core/pipeline/text_conditioner.h"
#include "core/text/t5_encoder.h"
#include "core/text/t5_tokenizer.h"

#include <memory>

namespace lienzo {

class FluxTextConditioner final : public TextConditioner {
 public:
  FluxTextConditioner(std::shared_ptr<const T5Tokenizer> t5Tokenizer, T5Encoder t5, int t5Length,
                      std::shared_ptr<const ClipTokenizer> clipTokenizer, ClipTextModel clip,
                      c10::ScalarType dtype, c10::Device device);
  Conditioning encode(const std::string& prompt, const TextOptions& options) const override;
  /// `pooled` [n, 768] on the compute device and dtype (Flux's y).
  at::Tensor vector(const at::Tensor& pooled, int64_t height, int64_t width) const override;
  int t5Length() const { return m_t5Length; }

  /// The T5 ids [1, t5Length] of `prompt` (HF layout, CPU int64).
  at::Tensor t5Ids(const std::string& prompt) const;

 private:
  std::shared_ptr<const T5Tokenizer> m_t5Tokenizer;
  mutable T5Encoder m_t5;  // forward() is not const; the module is only read
  int m_t5Length;
  std::shared_ptr<const ClipTokenizer> m_clipTokenizer;
  mutable ClipTextModel m_clip;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

}  // namespace lienzo
