// Stage 1 of a generation: a prompt → the text conditioning of a loaded model. TextConditioner is
// what the pipeline sees; each family brings its implementation, made by the family's factory:
//   SD 1.x  Sd1TextConditioner   CLIP-L, A1111 CLIP skip                   (sd_factory.h)
//   SD 2.x  Sd2TextConditioner   OpenCLIP-H, ln_final(penultimate)         (sd_factory.h)
//   SDXL    SdxlTextConditioner  CLIP-L ‖ bigG, bigG pooled + size vector  (sd_factory.h)
//   built-in                     SentencePiece + its own encoder           (builtin_model.cpp)
// A new family adds an implementation; the pipeline does not change.
//
// Contract: implementations are immutable after construction. encode() and vector() run on the
// calling thread under the caller's inference mode and mutate nothing (libtorch's forward() is not
// const, but the modules are only read), so any number of threads may encode at once. Failure:
// GenerationError(UnsupportedModel) for a bundle without the encoder a free function needs; torch
// errors propagate.
//
// Textual inversion: TextOptions::embeddings (owned by the caller, read-only while encode() runs)
// lends the embeddings a prompt may name; the CLIP families place them (prompt_chunks.h,
// embeddings.h) and report what they used and skipped in the Conditioning; the built-in model
// ignores them.
#pragma once

#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/embeddings.h"
#include "core/text/openclip_text_model.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class ModelBundle;

/// Text conditioning of one prompt: cross-attention context and (SDXL, built-in) pooled text.
struct Conditioning {
  at::Tensor context;  ///< [1, 77*chunks, contextDim] in the compute dtype
  at::Tensor pooled;   ///< [1, pooledDim] (SDXL bigG pooled), undefined otherwise
  /// Names of the textual-inversion embeddings placed, in prompt order, once each.
  std::vector<std::string> embeddings;
  /// Embeddings the prompt named but that were not used, and why (wrong width, unreadable or
  /// pickle file, `embedding:name` not found). Nothing here is an error.
  std::vector<std::string> notices;
};

/// How to encode a prompt.
struct TextOptions {
  int clipSkip = 1;                          ///< A1111 CLIP skip, >= 1
  const EmbeddingSet* embeddings = nullptr;  ///< textual inversion (not owned; null = none)
};

/// SDXL micro-conditioning sizes in image pixels (sgm `original_size_as_tuple`,
/// `crop_coords_top_left`, `target_size_as_tuple`).
struct SdxlSizes {
  int64_t originalHeight = 1024, originalWidth = 1024;
  int64_t cropTop = 0, cropLeft = 0;
  int64_t targetHeight = 1024, targetWidth = 1024;
};

class TextConditioner {
 public:
  virtual ~TextConditioner() = default;
  /// Tokenizes (the family's prompt syntax, with options.embeddings), encodes and weights one
  /// prompt.
  virtual Conditioning encode(const std::string& prompt, const TextOptions& options) const = 0;
  /// The diffusion model's vector input `y` [n, adm] of pooled text [n, pooledDim] for a
  /// height × width (pixels) txt2img picture, on the compute device and dtype. Only called when
  /// encode() returns a pooled tensor; the default throws GenerationError(UnsupportedModel).
  virtual at::Tensor vector(const at::Tensor& pooled, int64_t height, int64_t width) const;
};

/// The SD families' common part: the CLIP BPE tokenizer and where the results go.
class ClipFamilyConditioner : public TextConditioner {
 public:
  const ClipTokenizer& tokenizer() const { return *m_tokenizer; }

 protected:
  /// `dtype`/`device`: the compute dtype of the results and the text encoders' device.
  ClipFamilyConditioner(std::shared_ptr<const ClipTokenizer> tokenizer, c10::ScalarType dtype,
                        c10::Device device);
  /// options.embeddings as the chunker sees them for text encoders taking `slots`; nullopt when
  /// no embeddings are lent.
  std::optional<EmbeddingVocab> vocabulary(const TextOptions& options,
                                           const std::vector<EmbeddingSlot>& slots) const;
  /// tokenizePrompt with `vocab`; adds the embeddings used and the notices to `report`.
  ChunkedPrompt chunk(const std::string& prompt, PadStyle style,
                      const std::optional<EmbeddingVocab>& vocab, Conditioning& report) const;
  std::shared_ptr<const ClipTokenizer> m_tokenizer;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

/// SD 1.x: CLIP-L hidden states of layer 12 − (clipSkip − 1) with the final norm (A1111).
// Ref: A1111 modules/sd_hijack_clip.py (chunks of 75 tokens, emphasis, CLIP skip)
class Sd1TextConditioner final : public ClipFamilyConditioner {
 public:
  Sd1TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer, ClipTextModel clip,
                     c10::ScalarType dtype, c10::Device device);
  Conditioning encode(const std::string& prompt, const TextOptions& options) const override;
  const ClipTextModel& textModel() const { return m_clip; }

 private:
  ClipTextModel m_clip;
};

/// SD 2.x: ln_final of OpenCLIP-H's penultimate layer (CLIP skip moves further up).
/// `layersDropped`: layers the stored tower already lacks (diffusers SD2 folders: 1).
// Ref: ldm FrozenOpenCLIPEmbedder (layer "penultimate")
class Sd2TextConditioner final : public ClipFamilyConditioner {
 public:
  Sd2TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer, OpenClipTextModel openClip,
                     int64_t layersDropped, c10::ScalarType dtype, c10::Device device);
  Conditioning encode(const std::string& prompt, const TextOptions& options) const override;

 private:
  OpenClipTextModel m_openClip;
  int64_t m_layersDropped = 0;
};

/// SDXL: context = [CLIP-L ‖ bigG] penultimate hidden states (no final norm), pooled = bigG's
/// pooled output, y = [pooled, size embeddings].
// Ref: sgm/modules/encoders/modules.py GeneralConditioner
class SdxlTextConditioner final : public ClipFamilyConditioner {
 public:
  SdxlTextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer, ClipTextModel clip,
                      OpenClipTextModel openClip, c10::ScalarType dtype, c10::Device device);
  Conditioning encode(const std::string& prompt, const TextOptions& options) const override;
  /// txt2img: original = target = (height, width) image pixels, crop (0, 0).
  at::Tensor vector(const at::Tensor& pooled, int64_t height, int64_t width) const override;

  /// Token ids (no prompt parsing, no weights): idsL [n,77] (SD1 layout) for CLIP-L, idsG [n,77]
  /// (SD2 layout) for bigG. context = hidden states of layer `clipSkip` + 1 from the end
  /// (1 = penultimate), no final norm → [n,77,dimL+dimG] float32; pooled = bigG pooled output
  /// [n,embedG] float32. embedsL / embedsG, when defined, replace the token embeddings of the
  /// ids ([n,77,dimL] / [n,77,dimG], textual inversion).
  Conditioning encodeTokens(const at::Tensor& idsL, const at::Tensor& idsG, int clipSkip,
                            const at::Tensor& embedsL = {}, const at::Tensor& embedsG = {}) const;
  /// y = [pooled, emb(original h, w), emb(crop top, left), emb(target h, w)] → [n, adm], each
  /// number through the 256-wide sinusoidal timestep embedding. pooled [n, embedG].
  at::Tensor vector(const at::Tensor& pooled, const SdxlSizes& sizes) const;

  const ClipTextModel& clipL() const { return m_clip; }
  const OpenClipTextModel& clipG() const { return m_openClip; }

 private:
  ClipTextModel m_clip;
  OpenClipTextModel m_openClip;
};

// ---- one-line forwards on a bundle (tests, callers that hold a bundle) -----------------------

/// bundle.text->encode(prompt, options); UnsupportedModel without a text conditioner.
Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt,
                          const TextOptions& options);
/// encodePrompt(bundle, prompt, {clipSkip}) (no embeddings).
Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt, int clipSkip);
/// SdxlTextConditioner::encodeTokens of an SDXL bundle (UnsupportedModel for other families).
Conditioning encodeSdxlTokens(const ModelBundle& bundle, const at::Tensor& idsL,
                              const at::Tensor& idsG, int clipSkip = 1);
/// SdxlTextConditioner::vector of an SDXL bundle (UnsupportedModel for other families).
at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, const SdxlSizes& sizes);
at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width);

}  // namespace lienzo
