#include "core/text/sd3_conditioning.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <locale>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

namespace {

// Escaped parentheses are hidden from the group parse behind these markers (the reference's
// escape_important / unescape_important).
const std::string kEscapedClose("\0\1", 2);
const std::string kEscapedOpen("\0\2", 2);

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

/// Top-level pieces of `s`: text outside parentheses and whole "( … )" groups (nesting kept
/// inside a group). Ref: sd3.5 other_impls.py parse_parentheses (an unmatched ')' makes the
/// depth negative, so what follows stays in the current piece, as there).
std::vector<std::string> parseParentheses(const std::string& s) {
  std::vector<std::string> result;
  std::string current;
  int nesting = 0;
  for (const char ch : s) {
    if (ch == '(') {
      if (nesting == 0) {
        if (!current.empty()) result.push_back(current);
        current = "(";
      } else {
        current += ch;
      }
      ++nesting;
    } else if (ch == ')') {
      --nesting;
      if (nesting == 0) {
        result.push_back(current + ")");
        current.clear();
      } else {
        current += ch;
      }
    } else {
      current += ch;
    }
  }
  if (!current.empty()) result.push_back(current);
  return result;
}

/// Python float(text): optional surrounding whitespace, a decimal number. (Python also takes
/// "inf"/"nan"/"1_0"; such weights are not recognised here and stay part of the text.)
std::optional<double> parseWeight(const std::string& text) {
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  double value = 0.0;
  in >> std::ws >> value;
  if (in.fail()) return std::nullopt;
  in >> std::ws;
  if (!in.eof()) return std::nullopt;
  return value;
}

// Ref: sd3.5 other_impls.py token_weights.
void tokenWeights(const std::string& s, double weight, std::vector<Sd3PromptSegment>& out) {
  for (std::string piece : parseParentheses(s)) {
    if (piece.size() >= 2 && piece.front() == '(' && piece.back() == ')') {
      piece = piece.substr(1, piece.size() - 2);
      double inner = weight * 1.1;
      const std::size_t colon = piece.rfind(':');
      if (colon != std::string::npos && colon > 0) {
        if (const auto w = parseWeight(piece.substr(colon + 1))) {
          inner = *w;
          piece.resize(colon);
        }
      }
      tokenWeights(piece, inner, out);
    } else {
      out.push_back({piece, weight});
    }
  }
}

constexpr int kContextLength = ClipTokenizer::kContextLength;  // 77
constexpr std::size_t kMaxWordLength = 8;  // SDTokenizer.max_word_length: longer words split

}  // namespace

std::vector<Sd3PromptSegment> sd3PromptSegments(std::string_view prompt) {
  std::string text(prompt);
  replaceAll(text, "\\)", kEscapedClose);
  replaceAll(text, "\\(", kEscapedOpen);
  std::vector<Sd3PromptSegment> segments;
  tokenWeights(text, 1.0, segments);
  for (auto& segment : segments) {
    replaceAll(segment.text, kEscapedClose, ")");
    replaceAll(segment.text, kEscapedOpen, "(");
  }
  return segments;
}

std::vector<std::string> sd3PromptWords(std::string_view prompt) {
  std::vector<std::string> words;
  for (auto& segment : sd3PromptSegments(prompt)) {
    std::string text = std::move(segment.text);
    for (char& ch : text)
      if (ch == '\n') ch = ' ';
    std::size_t start = 0;
    for (;;) {
      const std::size_t space = text.find(' ', start);
      const std::size_t end = space == std::string::npos ? text.size() : space;
      if (end > start) words.push_back(text.substr(start, end - start));
      if (space == std::string::npos) break;
      start = space + 1;
    }
  }
  return words;
}

// Ref: sd3.5 other_impls.py SDTokenizer.tokenize_with_weights (its first batch, the one
// ClipTokenWeightEncoder.encode_token_weights encodes).
std::vector<int64_t> sd3ClipIds(const ClipTokenizer& tokenizer, std::string_view prompt,
                                PadStyle style) {
  std::vector<int32_t> body;  // between BOS and EOS
  const std::size_t room = kContextLength - 2;
  for (const std::string& word : sd3PromptWords(prompt)) {
    const std::vector<int32_t> group = tokenizer.encode(word);
    if (body.size() + group.size() > room) {
      // A long word fills the chunk; a short one moves whole to the next chunk (not encoded).
      if (group.size() >= kMaxWordLength)
        body.insert(body.end(), group.begin(), group.begin() + (room - body.size()));
      break;
    }
    body.insert(body.end(), group.begin(), group.end());
  }
  return tokenizer.layout(body, style, kContextLength);
}

PadStyle sd3PadStyle(Sd3ClipRole role) {
  return role == Sd3ClipRole::ClipL ? PadStyle::Sd1 : PadStyle::Sd2;
}

// ---- encoders -------------------------------------------------------------------------------

Sd3ClipEncoder::Sd3ClipEncoder(ClipTextModel model, at::Tensor projection, Sd3ClipRole role)
    : m_model(std::move(model)), m_projection(std::move(projection)), m_role(role) {}

// Ref: sd3.5 sd3_infer.py ClipL / ClipG (CLIPTextModel with projection, HF key names).
Sd3ClipEncoder Sd3ClipEncoder::load(const SafetensorsFile& file, const std::string& root,
                                    Sd3ClipRole role, c10::ScalarType dtype, c10::Device device,
                                    std::optional<int64_t> heads) {
  const std::string prefix = root + "text_model.";
  ClipTextConfig config = ClipTextConfig::fromWeights(file, prefix, heads);
  // HF files do not record the activation: ViT-L uses QuickGELU, OpenCLIP bigG the exact GELU.
  config.activation = role == Sd3ClipRole::ClipL ? ClipActivation::QuickGelu : ClipActivation::Gelu;
  ClipTextModel model(config);
  loadModuleWeights(*model, file, prefix, dtype, device);
  model->eval();
  at::Tensor projection;
  if (role == Sd3ClipRole::ClipG) {
    const std::string key = root + "text_projection.weight";
    if (!file.contains(key))
      throw std::invalid_argument(file.path().string() + ": CLIP-G without '" + key +
                                  "' (SD3 projects the CLIP-G pooled vector)");
    const auto& shape = file.info(key).shape;
    if (shape.size() != 2 || shape[1] != config.width)
      throw std::invalid_argument(file.path().string() + ": '" + key + "' must be [E, " +
                                  std::to_string(config.width) + "]");
    projection = file.load(key, dtype, device);  // [E,W]
  }
  return Sd3ClipEncoder(std::move(model), std::move(projection), role);
}

// Ref: sd3.5 other_impls.py SDClipModel.forward (layer "hidden", layer_idx -2,
// layer_norm_hidden_state False; CLIP-L return_projected_pooled False, CLIP-G True).
Sd3ClipOutput Sd3ClipEncoder::encode(const at::Tensor& ids) const {
  ClipTextModel model = m_model;  // the holder shares the module; forward only reads it
  const ClipTextOutput out = model->forward(ids);
  Sd3ClipOutput result;
  result.hidden = out.fromEnd(2);  // [B,N,W] penultimate layer, no final LayerNorm
  result.pooled = out.pooled;      // [B,W] final LN at the first EOS
  if (m_role == Sd3ClipRole::ClipG) result.pooled = at::linear(result.pooled, m_projection);
  return result;
}

Sd3ClipOutput Sd3ClipEncoder::encodePrompt(const ClipTokenizer& tokenizer,
                                           std::string_view prompt) const {
  const std::vector<int64_t> ids = sd3ClipIds(tokenizer, prompt, sd3PadStyle(m_role));
  return encode(at::tensor(ids, at::kLong).unsqueeze(0));  // [1,77]
}

// ---- assembly -------------------------------------------------------------------------------

// Ref: sd3.5 sd3_infer.py SD3Inferencer.get_cond.
Sd3TextConditioning buildSd3Conditioning(const Sd3ClipOutput& clipL, const Sd3ClipOutput& clipG,
                                         const at::Tensor& t5Hidden) {
  auto fail = [](const std::string& why) {
    throw std::invalid_argument("buildSd3Conditioning: " + why);
  };
  for (const auto* part : {&clipL, &clipG})
    if (!part->hidden.defined() || part->hidden.dim() != 3 || !part->pooled.defined() ||
        part->pooled.dim() != 2)
      fail("CLIP outputs must be hidden [B,N,W] and pooled [B,E]");
  if (!t5Hidden.defined() || t5Hidden.dim() != 3) fail("the T5 hidden state must be [B,L,W]");
  const int64_t batch = t5Hidden.size(0);
  if (clipL.hidden.size(0) != batch || clipG.hidden.size(0) != batch ||
      clipL.pooled.size(0) != batch || clipG.pooled.size(0) != batch)
    fail("CLIP-L, CLIP-G and T5 batches differ");
  if (clipL.hidden.size(1) != clipG.hidden.size(1)) fail("CLIP-L and CLIP-G lengths differ");
  const auto options = t5Hidden.options();
  const at::Tensor clip = at::cat({clipL.hidden.to(options), clipG.hidden.to(options)}, -1);
  const int64_t pad = t5Hidden.size(2) - clip.size(2);
  if (pad < 0)
    fail("CLIP-L + CLIP-G width " + std::to_string(clip.size(2)) + " exceeds the T5 width " +
         std::to_string(t5Hidden.size(2)));
  Sd3TextConditioning out;
  out.context = at::cat({at::constant_pad_nd(clip, {0, pad}), t5Hidden}, -2);  // [B,N+L,W_t5]
  out.pooled = at::cat({clipL.pooled.to(options), clipG.pooled.to(options)}, -1);
  return out;
}

}  // namespace lienzo
