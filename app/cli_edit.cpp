#include "app/cli_edit.h"

#include "app/cli_common.h"

#include "core/io/edit_inputs.h"
#include "core/pipeline/edit_validation.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace lienzo::cli {
namespace {

/// One of `choices` (case-insensitive); UsageError listing them otherwise.
template <typename T, std::size_t N>
T choice(const Args& args, const std::string& key, const std::pair<const char*, T> (&choices)[N],
         T fallback) {
  const auto v = args.get(key);
  if (!v) return fallback;
  std::string valid;
  for (const auto& [name, value] : choices) {
    if (lowerAscii(*v) == name) return value;
    valid += (valid.empty() ? "" : "|") + std::string(name);
  }
  throw UsageError("--" + key + " must be " + valid + ", got '" + *v + "'");
}

int intOption(const Args& args, const std::string& key, int fallback) {
  const auto v = args.getInt(key);
  if (!v) return fallback;
  if (*v < -(1LL << 30) || *v > (1LL << 30)) throw UsageError("--" + key + " is out of range");
  return static_cast<int>(*v);
}

/// "L,T,R,B" margins.
void parseOutpaint(const std::string& text, EditParams& e) {
  int m[4];
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    char* end = nullptr;
    const long v = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || (comma == std::string::npos) != (i == 3) ||
        v < -(1L << 30) || v > (1L << 30))
      throw UsageError("--outpaint needs four pixel counts LEFT,TOP,RIGHT,BOTTOM, got '" + text +
                       "'");
    m[i] = static_cast<int>(v);
    start = comma + 1;
  }
  e.outpaintLeft = m[0];
  e.outpaintTop = m[1];
  e.outpaintRight = m[2];
  e.outpaintBottom = m[3];
}

/// "WxH" (either may be 0: that side follows the first pass's aspect ratio).
void parseHiresSize(const std::string& text, HiresParams& h) {
  const auto x = lowerAscii(text).find('x');
  char* endW = nullptr;
  char* endH = nullptr;
  const std::string ws = x == std::string::npos ? "" : text.substr(0, x);
  const std::string hs = x == std::string::npos ? "" : text.substr(x + 1);
  const long w = std::strtol(ws.c_str(), &endW, 10);
  const long hv = std::strtol(hs.c_str(), &endH, 10);
  if (ws.empty() || hs.empty() || *endW != '\0' || *endH != '\0' || w < 0 || hv < 0 ||
      w > (1L << 20) || hv > (1L << 20) || (w == 0 && hv == 0))
    throw UsageError("--hires-size needs WIDTHxHEIGHT (one side may be 0), got '" + text + "'");
  h.width = static_cast<int>(w);
  h.height = static_cast<int>(hv);
}

const char* const kEditOptions[] = {
    "strength",  "resize-mode",   "fixed-steps",     "mask",           "invert-mask",
    "mask-blur", "inpaint-area",  "inpaint-padding", "masked-content", "mask-weight",
    "outpaint",  "outpaint-fill", "outpaint-feather"};
const char* const kMaskOptions[] = {"invert-mask",     "mask-blur",      "inpaint-area",
                                    "inpaint-padding", "masked-content", "mask-weight"};
const char* const kHiresOptions[] = {"hires-steps",   "hires-denoise", "hires-upscaler",
                                     "hires-sampler", "hires-prompt",  "hires-negative"};

}  // namespace

const std::set<std::string>& editValuedOptions() {
  static const std::set<std::string> kNames = {
      "init-image",    "strength",         "resize-mode",    "mask",         "mask-blur",
      "inpaint-area",  "inpaint-padding",  "masked-content", "mask-weight",  "outpaint",
      "outpaint-fill", "outpaint-feather", "hires-scale",    "hires-size",   "hires-steps",
      "hires-denoise", "hires-upscaler",   "hires-sampler",  "hires-prompt", "hires-negative",
      "vae-tiling"};
  return kNames;
}

const std::set<std::string>& editFlagOptions() {
  static const std::set<std::string> kNames = {"fixed-steps", "invert-mask"};
  return kNames;
}

void applyEditOptions(const Args& args, GenerationParams& params) {
  EditParams& e = params.edit;
  HiresParams& h = params.hires;
  // Contradictions first, before any file is read.
  if (!args.has("init-image")) {
    for (const char* key : kEditOptions)
      if (args.has(key)) throw UsageError(std::string("--") + key + " needs --init-image FILE");
  }
  if (!args.has("mask") && !args.has("outpaint")) {
    for (const char* key : kMaskOptions)
      if (args.has(key))
        throw UsageError(std::string("--") + key + " needs --mask FILE or --outpaint");
  }
  if (args.has("hires-scale") && args.has("hires-size"))
    throw UsageError("give --hires-scale or --hires-size, not both");
  if (!args.has("hires-scale") && !args.has("hires-size")) {
    for (const char* key : kHiresOptions)
      if (args.has(key))
        throw UsageError(std::string("--") + key + " needs --hires-scale X or --hires-size WxH");
  }

  e.strength = args.getDouble("strength").value_or(e.strength);
  e.resizeMode = choice<ResizeMode>(
      args, "resize-mode",
      {{"just", ResizeMode::Just}, {"crop", ResizeMode::Crop}, {"fill", ResizeMode::Fill}},
      e.resizeMode);
  e.fixedSteps = args.has("fixed-steps") || e.fixedSteps;
  e.invertMask = args.has("invert-mask") || e.invertMask;
  e.maskBlur = intOption(args, "mask-blur", e.maskBlur);
  e.inpaintArea = choice<InpaintArea>(
      args, "inpaint-area",
      {{"whole", InpaintArea::WholePicture}, {"masked", InpaintArea::OnlyMasked}}, e.inpaintArea);
  e.inpaintPadding = intOption(args, "inpaint-padding", e.inpaintPadding);
  e.maskedContent = choice<MaskedContent>(args, "masked-content",
                                          {{"fill", MaskedContent::Fill},
                                           {"original", MaskedContent::Original},
                                           {"noise", MaskedContent::LatentNoise},
                                           {"nothing", MaskedContent::LatentNothing}},
                                          e.maskedContent);
  e.maskWeight = args.getDouble("mask-weight").value_or(e.maskWeight);
  if (const auto v = args.get("outpaint")) parseOutpaint(*v, e);
  e.outpaintFill = choice<OutpaintFill>(
      args, "outpaint-fill",
      {{"stretch", OutpaintFill::EdgeStretch}, {"neutral", OutpaintFill::Neutral}}, e.outpaintFill);
  e.outpaintFeather = intOption(args, "outpaint-feather", e.outpaintFeather);

  if (const auto v = args.getDouble("hires-scale")) {
    h.scale = *v;
    if (!(h.scale > 0.0)) throw UsageError("--hires-scale must be above 0");
  }
  if (const auto v = args.get("hires-size")) parseHiresSize(*v, h);
  h.steps = intOption(args, "hires-steps", h.steps);
  h.denoise = args.getDouble("hires-denoise").value_or(h.denoise);
  if (const auto v = args.get("hires-upscaler")) {
    std::string valid;
    bool found = false;
    for (const auto& name : hiresUpscalers()) {
      if (lowerAscii(name) == lowerAscii(*v)) {
        h.upscaler = name;
        found = true;
      }
      valid += (valid.empty() ? "" : ", ") + name;
    }
    if (!found) throw UsageError("unknown --hires-upscaler '" + *v + "' (valid: " + valid + ")");
  }
  h.sampler = args.get("hires-sampler", h.sampler);
  h.prompt = args.get("hires-prompt", h.prompt);
  h.negativePrompt = args.get("hires-negative", h.negativePrompt);
  params.vaeTiling =
      choice<VaeTiling>(args, "vae-tiling",
                        {{"auto", VaeTiling::Auto}, {"on", VaeTiling::On}, {"off", VaeTiling::Off}},
                        params.vaeTiling);

  // The pictures last: every cheap check has passed.
  if (const auto v = args.get("init-image")) e.initImage = readEditPicture(*v);
  if (const auto v = args.get("mask")) e.mask = readEditMask(*v);
}

const char* editUsage() {
  return "  img2img:     --init-image FILE [--strength S (0.75)] [--resize-mode just|crop|fill]\n"
         "               [--fixed-steps]   (PNG/JPEG/WebP, alpha flattened onto white)\n"
         "  inpainting:  --mask FILE (white = repaint; the init picture's size) [--invert-mask]\n"
         "               [--mask-blur PX (4)] [--inpaint-area whole|masked] [--inpaint-padding PX "
         "(32)]\n"
         "               [--masked-content fill|original|noise|nothing (original)] [--mask-weight "
         "W (1)]\n"
         "  outpainting: --outpaint L,T,R,B [--outpaint-fill stretch|neutral] [--outpaint-feather "
         "PX (40)]\n"
         "  hires fix:   --hires-scale X | --hires-size WxH [--hires-steps N (0 = --steps)]\n"
         "               [--hires-denoise D (0.7)] [--hires-upscaler NAME (Latent)]\n"
         "               [--hires-sampler NAME] [--hires-prompt TEXT] [--hires-negative TEXT]\n"
         "  --vae-tiling auto|on|off\n"
         "  With --init-image, a --width/--height not given is the init picture's (plus the "
         "outpaint\n"
         "  margins), rounded to the nearest multiple of 8.\n";
}

}  // namespace lienzo::cli
