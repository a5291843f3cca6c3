// Prompt → cross-attention context (and SDXL pooled vector), per model family.
// Ref: A1111 modules/sd_hijack_clip.py (chunks of 75 tokens, emphasis with mean restoration,
// CLIP skip), sgm/modules/encoders/modules.py GeneralConditioner (SDXL: CLIP-L penultimate ‖
// bigG penultimate, bigG pooled), ldm FrozenOpenCLIPEmbedder (SD2: ln_final(penultimate)),
// A1111 modules/sd_hijack.py EmbeddingsWithFixes (textual inversion: token-embedding rows
// replaced before the position embeddings; SDXL: clip_l vectors for CLIP-L, clip_g for bigG).
#include "core/pipeline/text_conditioner.h"

#include "core/model/unet_blocks.h"
#include "core/pipeline/model_bundle.h"
#include "core/text/prompt_chunks.h"
#include "core/text/prompt_weights.h"

#include <ATen/ATen.h>

#include <utility>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// [chunks,77,D] weighted, then flattened to one sequence [1, chunks*77, D].
at::Tensor weightAndFlatten(const at::Tensor& hidden, const at::Tensor& weights) {
  const auto weighted = applyPromptWeights(hidden.to(at::kFloat), weights);  // [n,77,D] float32
  return weighted.reshape({1, -1, weighted.size(-1)});
}

bool hasFixes(const ChunkedPrompt& prompt) {
  for (const PromptChunk& chunk : prompt.chunks)
    if (!chunk.fixes.empty()) return true;
  return false;
}

const SdxlTextConditioner& sdxlOf(const ModelBundle& bundle) {
  const auto* sdxl = dynamic_cast<const SdxlTextConditioner*>(bundle.text.get());
  if (!sdxl)
    throw GenerationError(Code::UnsupportedModel,
                          "SDXL conditioning needs both SDXL text encoders");
  return *sdxl;
}

}  // namespace

at::Tensor TextConditioner::vector(const at::Tensor&, int64_t, int64_t) const {
  throw GenerationError(Code::UnsupportedModel, "this model takes no pooled text vector");
}

ClipFamilyConditioner::ClipFamilyConditioner(std::shared_ptr<const ClipTokenizer> tokenizer,
                                             c10::ScalarType dtype, c10::Device device)
    : m_tokenizer(std::move(tokenizer)), m_dtype(dtype), m_device(device) {}

std::optional<EmbeddingVocab> ClipFamilyConditioner::vocabulary(
    const TextOptions& options, const std::vector<EmbeddingSlot>& slots) const {
  if (!options.embeddings) return std::nullopt;
  return options.embeddings->vocabulary(*m_tokenizer, slots);
}

ChunkedPrompt ClipFamilyConditioner::chunk(const std::string& prompt, PadStyle style,
                                           const std::optional<EmbeddingVocab>& vocab,
                                           Conditioning& report) const {
  ChunkingOptions options;
  options.padStyle = style;
  options.embeddings = vocab ? &*vocab : nullptr;
  ChunkedPrompt chunks = tokenizePrompt(*m_tokenizer, prompt, options);
  if (vocab) reportEmbeddings(chunks, *vocab, report.embeddings, report.notices);
  return chunks;
}

// ---- SD 1.x ----------------------------------------------------------------------------------

Sd1TextConditioner::Sd1TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer,
                                       ClipTextModel clip, c10::ScalarType dtype,
                                       c10::Device device)
    : ClipFamilyConditioner(std::move(tokenizer), dtype, device), m_clip(std::move(clip)) {}

Conditioning Sd1TextConditioner::encode(const std::string& prompt,
                                        const TextOptions& options) const {
  ClipTextModel clip = m_clip;  // holders share the (read-only) network; forward() is not const
  Conditioning out;
  const auto vocab = vocabulary(options, {{kSingleEncoderKey, clip->config().width}});
  const ChunkedPrompt chunks = chunk(prompt, PadStyle::Sd1, vocab, out);
  const auto ids = chunkIds(chunks).to(m_device);  // [n,77]
  at::Tensor embeds;                               // [n,77,D] with the embeddings' vectors
  if (hasFixes(chunks))
    embeds = options.embeddings->applyFixes(clip->tokenEmbeddings(ids), chunks, kSingleEncoderKey);
  const auto hidden = clip->encodeWithClipSkip(ids, options.clipSkip, embeds);  // [n,77,D]
  out.context = weightAndFlatten(hidden, chunkWeights(chunks)).to(m_dtype);
  return out;
}

// ---- SD 2.x ----------------------------------------------------------------------------------

Sd2TextConditioner::Sd2TextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer,
                                       OpenClipTextModel openClip, int64_t layersDropped,
                                       c10::ScalarType dtype, c10::Device device)
    : ClipFamilyConditioner(std::move(tokenizer), dtype, device),
      m_openClip(std::move(openClip)),
      m_layersDropped(layersDropped) {}

Conditioning Sd2TextConditioner::encode(const std::string& prompt,
                                        const TextOptions& options) const {
  OpenClipTextModel openClip = m_openClip;
  auto& model = *openClip;
  Conditioning out;
  const auto vocab = vocabulary(options, {{kSingleEncoderKey, model.config().width}});
  const ChunkedPrompt chunks = chunk(prompt, PadStyle::Sd2, vocab, out);
  const auto ids = chunkIds(chunks).to(m_device);
  at::Tensor embeds;  // [n,77,D] with the embeddings' vectors
  if (hasFixes(chunks))
    embeds = options.embeddings->applyFixes(model.tokenEmbeddings(ids), chunks, kSingleEncoderKey);
  // SD2 uses the penultimate layer; CLIP skip N moves N-1 layers further up. A diffusers
  // folder's tower already lacks the last layer (m_layersDropped).
  const int64_t fromEnd = 1 + options.clipSkip - m_layersDropped;
  const auto result = model.forward(ids, model.config().layers - fromEnd + 1, embeds);
  const auto hidden = model.lnFinal(result.hiddenStates.back());  // [n,77,D]
  out.context = weightAndFlatten(hidden, chunkWeights(chunks)).to(m_dtype);
  return out;
}

// ---- SDXL ------------------------------------------------------------------------------------

SdxlTextConditioner::SdxlTextConditioner(std::shared_ptr<const ClipTokenizer> tokenizer,
                                         ClipTextModel clip, OpenClipTextModel openClip,
                                         c10::ScalarType dtype, c10::Device device)
    : ClipFamilyConditioner(std::move(tokenizer), dtype, device),
      m_clip(std::move(clip)),
      m_openClip(std::move(openClip)) {}

Conditioning SdxlTextConditioner::encodeTokens(const at::Tensor& idsL, const at::Tensor& idsG,
                                               int clipSkip, const at::Tensor& embedsL,
                                               const at::Tensor& embedsG) const {
  ClipTextModel clip = m_clip;
  OpenClipTextModel openClip = m_openClip;
  const int64_t fromEnd = 1 + clipSkip;  // SDXL: penultimate layer, no final norm
  const auto l = clip->forward(idsL.to(m_device), -1, embedsL).fromEnd(fromEnd);  // [n,77,dimL]
  const auto g = openClip->forward(idsG.to(m_device), -1, embedsG);  // full pass (pooled)
  Conditioning out;
  out.context = at::cat({l.to(at::kFloat), g.fromEnd(fromEnd).to(at::kFloat)}, -1);  // [n,77,L+G]
  out.pooled = g.pooled.to(at::kFloat);  // [n,embedG] = ln_final(last)[eot] @ text_projection
  return out;
}

Conditioning SdxlTextConditioner::encode(const std::string& prompt,
                                         const TextOptions& options) const {
  ClipTextModel clip = m_clip;
  OpenClipTextModel openClip = m_openClip;
  Conditioning out;
  const int64_t dimL = clip->config().width;
  // Ref: A1111 sd_hijack EmbeddingsWithFixes(textual_inversion_key='clip_l' / 'clip_g').
  const auto vocab =
      vocabulary(options, {{kClipLKey, dimL}, {kClipGKey, openClip->config().width}});
  const ChunkedPrompt chunksL = chunk(prompt, PadStyle::Sd1, vocab, out);
  const ChunkedPrompt chunksG = chunk(prompt, PadStyle::Sd2, vocab, out);
  const auto idsL = chunkIds(chunksL).to(m_device);  // [n,77]
  const auto idsG = chunkIds(chunksG).to(m_device);  // [n,77]
  at::Tensor embedsL, embedsG;
  if (hasFixes(chunksL)) {
    embedsL = options.embeddings->applyFixes(clip->tokenEmbeddings(idsL), chunksL, kClipLKey);
    embedsG = options.embeddings->applyFixes(openClip->tokenEmbeddings(idsG), chunksG, kClipGKey);
  }
  const Conditioning raw = encodeTokens(idsL, idsG, options.clipSkip, embedsL, embedsG);
  const auto l = raw.context.narrow(-1, 0, dimL);                            // [n,77,dimL]
  const auto g = raw.context.narrow(-1, dimL, raw.context.size(-1) - dimL);  // [n,77,dimG]
  out.context = at::cat({weightAndFlatten(l, chunkWeights(chunksL)),
                         weightAndFlatten(g, chunkWeights(chunksG))},
                        -1)
                    .to(m_dtype);           // [1,n*77,dimL+dimG]
  out.pooled = raw.pooled.narrow(0, 0, 1);  // first chunk's pooled output [1,embedG]
  return out;
}

at::Tensor SdxlTextConditioner::vector(const at::Tensor& pooled, const SdxlSizes& sizes) const {
  // Ref: sgm/modules/encoders/modules.py ConcatTimestepEmbedderND (outdim 256 per number, the
  // U-Net's cos-first sinusoidal embedding), in the GeneralConditioner's embedder order.
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  const auto numbers =
      at::tensor({static_cast<float>(sizes.originalHeight), static_cast<float>(sizes.originalWidth),
                  static_cast<float>(sizes.cropTop), static_cast<float>(sizes.cropLeft),
                  static_cast<float>(sizes.targetHeight), static_cast<float>(sizes.targetWidth)},
                 opts);                                                    // [6]
  const auto emb = timestepEmbedding(numbers, 256).reshape({1, 6 * 256});  // [1,1536]
  const auto p = pooled.to(at::kCPU, at::kFloat);                          // [n,embedG]
  return at::cat({p, emb.expand({p.size(0), emb.size(1)})}, 1)             // [n,embedG+1536]
      .to(m_device, m_dtype);
}

at::Tensor SdxlTextConditioner::vector(const at::Tensor& pooled, int64_t height,
                                       int64_t width) const {
  SdxlSizes sizes;  // txt2img: no resize, no crop
  sizes.originalHeight = sizes.targetHeight = height;
  sizes.originalWidth = sizes.targetWidth = width;
  return vector(pooled, sizes);
}

// ---- forwards --------------------------------------------------------------------------------

Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt,
                          const TextOptions& options) {
  if (!bundle.text)
    throw GenerationError(Code::UnsupportedModel, "no text conditioner for this model family");
  return bundle.text->encode(prompt, options);
}

Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt, int clipSkip) {
  TextOptions options;
  options.clipSkip = clipSkip;
  return encodePrompt(bundle, prompt, options);
}

Conditioning encodeSdxlTokens(const ModelBundle& bundle, const at::Tensor& idsL,
                              const at::Tensor& idsG, int clipSkip) {
  return sdxlOf(bundle).encodeTokens(idsL, idsG, clipSkip);
}

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, const SdxlSizes& sizes) {
  return sdxlOf(bundle).vector(pooled, sizes);
}

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width) {
  return sdxlOf(bundle).vector(pooled, height, width);
}

}  // namespace lienzo
