// generate(): one request — txt2img, img2img, inpainting, outpainting, hires fix — stage by
// stage (DESIGN.md §2): text → initial latent → denoise → decode → composite.
#include "core/pipeline/pipeline.h"

#include "core/control/preprocessors.h"
#include "core/edit/canvas.h"
#include "core/io/text_codec.h"
#include "core/model/vae_tiling.h"
#include "core/pipeline/builtin_model.h"
#include "core/pipeline/control_stage.h"
#include "core/pipeline/denoise_stage.h"
#include "core/pipeline/edit_stage.h"
#include "core/pipeline/edit_validation.h"
#include "core/pipeline/hires_stage.h"
#include "core/pipeline/memory_plan.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/model_decorators.h"
#include "core/pipeline/network_stage.h"
#include "core/pipeline/params_infotext.h"
#include "core/pipeline/step_preview.h"
#include "core/text/embeddings.h"

#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// Rough peak working memory of one diffusion-model step beyond the weights: its widest
/// activations (batch 2 for CFG, ~24 live tensors of the first level's width at latent
/// resolution) and the attention score chunk.
uint64_t estimateUnetBytes(const ModelBundle& bundle, const GenerationParams& p) {
  const int64_t f = bundle.vae->factor();
  const uint64_t latentPixels = uint64_t(p.width / f) * (p.height / f);
  const uint64_t width = static_cast<uint64_t>(bundle.diffusion->widthHint());
  const uint64_t elem = bundle.dtype == at::kFloat ? 4 : 2;
  return 2 * 24 * latentPixels * width * elem + (256ull << 20);
}

/// Untiled VAE decode/encode of the picture (the codec's calibrated estimates), or 0.
uint64_t estimateVaeBytes(const ModelBundle& bundle, const GenerationParams& p) {
  if (!bundle.hasVae()) return 0;
  uint64_t bytes = bundle.vae->decodeBytes(p.height, p.width);
  if (p.edit.active()) bytes = std::max(bytes, bundle.vae->encodeBytes(p.height, p.width));
  return bytes;
}

/// Whether the VAE runs in tiles: forced on/off, or (auto) when the untiled estimate does not
/// fit in the available memory (vaeNeedsTiling's rule).
bool useVaeTiling(const ModelBundle& bundle, const GenerationParams& p, uint64_t available) {
  if (p.vaeTiling != VaeTiling::Auto) return p.vaeTiling == VaeTiling::On;
  if (available == 0) return false;  // unknown (no /proc/meminfo): as before
  return vaeNeedsTiling(estimateVaeBytes(bundle, p), available);
}

GenerationError translate(const std::exception& e) {
  const std::string what = e.what();
  if (isOutOfMemory(e))
    return GenerationError(Code::OutOfMemory, "out of memory: " + what.substr(0, what.find('\n')));
  if (dynamic_cast<const std::invalid_argument*>(&e))
    return GenerationError(Code::InvalidParams, what);
  return GenerationError(Code::Internal, what.substr(0, what.find("\nException raised")));
}

}  // namespace

int64_t resolveSeed(int64_t seed) {
  return seed >= 0 ? seed : int64_t{std::random_device{}() & 0xffffffffu};
}

void validateParams(const GenerationParams& p) {
  auto fail = [](const std::string& msg) { throw GenerationError(Code::InvalidParams, msg); };
  if (p.steps < 1) fail("steps must be at least 1 (got " + std::to_string(p.steps) + ")");
  if (p.steps > 1000) fail("steps must be at most 1000 (got " + std::to_string(p.steps) + ")");
  if (p.width % 8 != 0 || p.height % 8 != 0)
    fail("width and height must be multiples of 8 (got " + std::to_string(p.width) + "x" +
         std::to_string(p.height) + ")");
  if (p.width < 64 || p.height < 64 || p.width > 16384 || p.height > 16384)
    fail("width and height must be between 64 and 16384 (got " + std::to_string(p.width) + "x" +
         std::to_string(p.height) + ")");
  if (p.batchSize < 1 || p.batchSize > 64)
    fail("batch size must be between 1 and 64 (got " + std::to_string(p.batchSize) + ")");
  if (!(p.cfgScale >= 0.0 && p.cfgScale <= 100.0)) fail("CFG scale must be between 0 and 100");
  if (p.clipSkip < 1 || p.clipSkip > 12) fail("clip skip must be between 1 and 12");
  if (p.guidance && !(std::isfinite(*p.guidance) && *p.guidance >= 0.0))
    fail("the distilled guidance must be a finite number of at least 0 (got " +
         std::to_string(*p.guidance) + ")");
  if (p.preview.vaeEvery < 1 || p.preview.vaeEvery > 1000)
    fail("the full-VAE preview interval must be between 1 and 1000 steps (got " +
         std::to_string(p.preview.vaeEvery) + ")");
  if (!(p.preview.taesdBudget >= 0.0 && p.preview.taesdBudget <= 1.0))
    fail("the TAESD preview budget must be a share between 0 and 1");
  try {
    resolveSamplerSelection(p.sampler, p.schedule);  // core/sampling/sampler_names.h
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  // Refused before any work: the text would fail only when the picture is saved.
  for (const auto& [what, text] : {std::pair<const char*, const std::string*>{"prompt", &p.prompt},
                                   {"negative prompt", &p.negativePrompt},
                                   {"hires prompt", &p.hires.prompt},
                                   {"hires negative prompt", &p.hires.negativePrompt}})
    if (!textcodec::isValidUtf8(*text))
      fail(std::string("the ") + what + " is not valid UTF-8 text");
  validateEditParams(p);
  for (const auto& a : p.adapters) {
    // ComfyUI's LoraLoader range; beyond it a merge only produces noise.
    if (a.name.empty()) fail("an adapter needs a name");
    if (!(std::abs(a.textStrength) <= 100.0 && std::abs(a.unetStrength) <= 100.0))
      fail("LoRA '" + a.name + "': strengths must be between -100 and 100");
  }
  for (std::size_t i = 0; i < p.controls.size(); ++i) {
    const ControlUnit& c = p.controls[i];
    const std::string who = "ControlNet " + std::to_string(i);
    if (c.model.empty()) fail(who + " needs a model");
    if (!resolvePreprocessor(c.preprocessor))
      fail(who + ": unknown preprocessor \"" + c.preprocessor + "\"");
    if (!(c.weight >= 0.0 && c.weight <= 10.0)) fail(who + ": the weight must be between 0 and 10");
    if (!(c.start >= 0.0 && c.start <= 1.0 && c.end >= 0.0 && c.end <= 1.0 && c.start <= c.end))
      fail(who + ": start and end must be fractions with 0 <= start <= end <= 1");
    if (!(c.lowThreshold >= 0.0 && c.lowThreshold <= 255.0 * 8 && c.highThreshold >= 0.0 &&
          c.highThreshold <= 255.0 * 8))
      fail(who + ": the canny thresholds must be between 0 and 2040");
    if (c.threshold < 0 || c.threshold > 255) fail(who + ": the threshold must be 0..255");
    if (!(c.tileRate >= 1.0 && c.tileRate <= 64.0))
      fail(who + ": the tile down sampling rate must be between 1 and 64");
    if (c.image.empty() && !p.edit.active())
      fail(who + " has no picture (give one, or an init picture to use)");
  }
  if (p.hires.enabled()) {
    // A1111's hires fix is a txt2img second pass; an edit has its own size and strength.
    if (p.edit.active())
      fail(
          "the hires fix is a second pass of txt2img; it cannot be combined with an init picture "
          "(upscale the edited picture with a second img2img request instead)");
    try {
      if (!p.hires.sampler.empty()) resolveSamplerSelection(p.hires.sampler, p.schedule);
    } catch (const std::invalid_argument& e) {
      fail(std::string("hires sampler: ") + e.what());
    }
  }
}

namespace {

/// The conditioning pair of one pass (the hires pass may have its own prompts).
struct TextPair {
  Conditioning cond, uncond;
};

bool finite(const at::Tensor& x) {
  return at::isfinite(x).all().item<bool>();
}

TextPair encodeText(const ModelBundle& bundle, const std::string& prompt,
                    const std::string& negative, const GenerationParams& p,
                    const EmbeddingSet& embeddings) {
  TextOptions options;
  options.clipSkip = p.clipSkip;
  options.embeddings = &embeddings;
  TextPair t;
  t.cond = encodePrompt(bundle, prompt, options);
  if (p.cfgScale != 1.0) t.uncond = encodePrompt(bundle, negative, options);
  for (const Conditioning* c : {&t.cond, &t.uncond}) {
    for (const at::Tensor& x : {c->context, c->pooled})
      if (x.defined() && !finite(x))
        throw GenerationError(Code::NumericalError,
                              "the text encoder produced NaN/Inf values (its weights are damaged, "
                              "or an adapter made them so)");
  }
  return t;
}

/// Stage 3's result must be finite before the VAE sees it, so that NaN is blamed on its source.
void checkDenoised(const at::Tensor& latent) {
  if (latent.defined() && !finite(latent))
    throw GenerationError(Code::NumericalError,
                          "the diffusion model produced NaN/Inf values while sampling (its weights "
                          "are damaged, an adapter made them so, or the sampler diverged)");
}

/// "TI hashes" of the embeddings the passes used (prompt before negative, each once, A1111
/// order); their notices go to `notices`, with the unreadable folders when there is any.
std::vector<std::pair<std::string, std::string>> embeddingHashes(
    const EmbeddingSet& embeddings, const std::vector<const TextPair*>& passes,
    std::vector<std::string>& notices) {
  auto addOnce = [](std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  };
  std::vector<std::string> used;
  bool noted = false;
  for (const TextPair* pass : passes) {
    if (!pass) continue;
    for (const Conditioning* c : {&pass->cond, &pass->uncond}) {
      for (const std::string& name : c->embeddings) addOnce(used, name);
      for (const std::string& notice : c->notices) addOnce(notices, notice);
      noted = noted || !c->notices.empty();
    }
  }
  if (noted)
    for (const std::string& note : embeddings.folderNotes()) addOnce(notices, note);
  return embeddings.hashes(used);
}

/// The guided model of one pass with the model's decorators: 9-channel conditioning, Flux dev's
/// distilled guidance and what the noise schedule adds (the built-in model's x0 clamp). The
/// inpainting mask blend is per image.
/// `control`: the ControlNets' hook of this sampler run (control_stage.h), or empty.
ModelFn passModel(const ModelBundle& bundle, const TextPair& text, const GenerationParams& p,
                  int64_t height, int64_t width, const at::Tensor& concat, const ControlFn& control,
                  std::vector<std::string>* notices) {
  // Flux dev's distilled guidance: a view of the network for this request (the same weights);
  // the loaded bundle stays shared and unchanged. Models without a guidance input: as loaded.
  ModelBundle guided = bundle;
  if (p.guidance)
    if (auto view = bundle.diffusion->withDistilledGuidance(*p.guidance)) guided.diffusion = view;
  return bundle.schedule->decorate(makeGuidedModel(guided, text.cond, text.uncond, p.cfgScale,
                                                   height, width, concat, control, notices));
}

/// 9-channel models conditioned as txt2img (mask 1, a black picture) at this size.
at::Tensor txt2imgConcat(const ModelBundle& bundle, int64_t height, int64_t width) {
  if (bundle.diffusion->inChannels() <= bundle.diffusion->latentChannels()) return at::Tensor();
  return txt2imgInpaintConditioning(bundle, height, width);
}

}  // namespace

GenerationResult generate(const ModelBundle& bundle, const GenerationParams& requested,
                          GenerationObserver* observer, const CancelToken* cancel) {
  validateParams(requested);
  GenerationParams params = requested;
  params.seed = resolveSeed(params.seed);
  auto mode = [cancel] { return cancel ? cancel->mode() : CancelMode::None; };
  const int f = static_cast<int>(bundle.vae->factor());
  const std::optional<HiresTarget> hires =
      params.hires.enabled()
          ? std::optional<HiresTarget>(hiresTarget(params.width, params.height, params.hires, f))
          : std::nullopt;

  bool tiled = false;
  {
    GenerationParams largest = params;
    if (hires) {
      largest.width = std::max(params.width, hires->upscaledWidth);
      largest.height = std::max(params.height, hires->upscaledHeight);
    }
    const uint64_t have = availableHostMemory().value_or(0);
    tiled = useVaeTiling(bundle, largest, have);
    // A tiled VAE needs about one 512² tile's working memory whatever the size.
    GenerationParams tile = largest;
    tile.width = std::min(largest.width, 512);
    tile.height = std::min(largest.height, 512);
    const uint64_t need = std::max(estimateUnetBytes(bundle, largest),
                                   estimateVaeBytes(bundle, tiled ? tile : largest));
    if (have > 0 && need > have)
      throw GenerationError(Code::OutOfMemory,
                            std::to_string(largest.width) + "x" + std::to_string(largest.height) +
                                " needs about " + std::to_string(need >> 20) +
                                " MiB of working memory but only " + std::to_string(have >> 20) +
                                " MiB is available");
  }

  GenerationResult result;
  try {
    // Stage 0: LoRA-family adapters into the weights (the lock is held to the end of the
    // request) and the prompts without their extra-network tags.
    const ActiveNetworks networks = activateNetworks(bundle, params);
    result.notices = networks.notices;
    c10::InferenceMode inference;
    // Stage 1: text, with the textual-inversion embeddings of the folders (read once).
    if (observer) observer->onStage(0, Stage::TextEncoding);
    const EmbeddingSet embeddings = EmbeddingSet::scan(params.folders.embeddings);
    const TextPair text =
        encodeText(bundle, networks.prompt, networks.negativePrompt, params, embeddings);
    std::optional<TextPair> hiresText;
    if (hires && (!params.hires.prompt.empty() || !params.hires.negativePrompt.empty()))
      hiresText =
          encodeText(bundle, params.hires.prompt.empty() ? networks.prompt : networks.hiresPrompt,
                     params.hires.negativePrompt.empty() ? networks.negativePrompt
                                                         : networks.hiresNegativePrompt,
                     params, embeddings);
    NetworkHashes hashes = networks.hashes;
    hashes.embeddings =
        embeddingHashes(embeddings, {&text, hiresText ? &*hiresText : nullptr}, result.notices);
    // Stage 2, pixel half (once per request): the edited picture, its mask and encodings.
    const std::optional<PreparedEdit> edit =
        params.edit.active() ? std::optional<PreparedEdit>(prepareEdit(bundle, params, tiled))
                             : std::nullopt;
    const at::Tensor concat =
        edit ? edit->concat : txt2imgConcat(bundle, params.height, params.width);
    // ControlNets: loaded, pictures preprocessed and embedded once; a fresh hook per image.
    const ActiveControl control(bundle, params, params.width, params.height);
    // Step previews and the fast decoder (TAESD, loaded once per request; fallbacks noted).
    StepPreviewer previewer(bundle, params, result.previewNotice);
    if (params.fastDecode && !previewer.fastDecoder()) params.fastDecode = false;  // as done

    for (int i = 0; i < params.batchSize; ++i) {
      if (mode() != CancelMode::None) {
        result.cancelled = true;
        break;
      }
      const int64_t seed = params.seed + i;
      if (observer) observer->onStage(i, Stage::Sampling);
      // Stage 2, latent half: the init latent of this seed (masked content "latent noise").
      DenoiseRequest request;
      request.sampler = params.sampler;
      request.schedule = params.schedule;
      request.steps = params.steps;
      request.seed = seed;
      request.latentH = params.height / f;
      request.latentW = params.width / f;
      request.imageIndex = i;
      request.previews = params.previews;
      const ActiveControl::Run controlRun = control.startRun(params.steps);
      request.afterStep = controlRun.afterStep;
      const ModelFn model = passModel(bundle, text, params, params.height, params.width, concat,
                                      controlRun.control, &result.notices);
      request.previewer = &previewer;
      ModelFn imageModel = model;
      at::Tensor init;
      if (edit) {
        init = initialLatent(*edit, seed);  // [1,C,h,w]
        request.initLatent = init;
        request.strength = params.edit.strength;
        request.fixedSteps = params.edit.fixedSteps;
        if (edit->nmask.defined()) {
          const DiscreteSchedule* table = bundle.schedule->discrete();
          const FlowSchedule* flow = bundle.schedule->flow();
          if (!table && !flow)
            throw GenerationError(Code::UnsupportedModel,
                                  "inpainting needs a discrete or flow-matching noise schedule");
          imageModel = flow ? blendPredictedX0(model, *flow, edit->nmask, init)
                            : blendPredictedX0(model, *table, bundle.schedule->prediction(),
                                               edit->nmask, init);
        }
      }
      // Stage 3: denoise.
      at::Tensor latent = runDenoise(bundle, request, imageModel, observer, cancel);
      checkDenoised(latent);
      if (!latent.defined()) {
        result.cancelled = true;
        break;
      }
      if (edit) latent = blendFinalLatent(*edit, latent, init);
      // Hires fix: stages 2–3 again at the larger size from this result, same seed.
      if (hires) {
        at::Tensor start;
        if (isLatentUpscaler(params.hires.upscaler)) {
          start = upscaleLatent(latent, params.hires.upscaler, *hires, f);
        } else {
          if (observer) observer->onStage(i, Stage::Decoding);
          // Ref: A1111 sample_hr_pass: decode, to 8 bit, resize_image(0, …, upscaler), encode.
          const RgbImage first = imageToRgb(decodeLatent(bundle, latent, tiled, &result.notices));
          const RgbImage big = edit::resizeImage(first, hires->upscaledWidth, hires->upscaledHeight,
                                                 edit::ResizeMode::Just);
          start =
              truncateLatent(encodeImage(bundle, rgbToImage(big), tiled, &result.notices), *hires);
        }
        if (observer) observer->onStage(i, Stage::Sampling);
        DenoiseRequest second = request;
        second.afterStep = nullptr;  // the hires pass runs without ControlNets
        second.sampler = params.hires.sampler.empty() ? params.sampler : params.hires.sampler;
        second.steps = params.hires.steps > 0 ? params.hires.steps : params.steps;
        second.latentH = hires->height / f;
        second.latentW = hires->width / f;
        second.initLatent = start;
        second.strength = params.hires.denoise;
        second.fixedSteps = true;  // Ref: A1111 sample_img2img(steps=hr steps) → fixed steps
        const ModelFn hiresModel =
            passModel(bundle, hiresText ? *hiresText : text, params, hires->height, hires->width,
                      txt2imgConcat(bundle, hires->height, hires->width), {}, &result.notices);
        latent = runDenoise(bundle, second, hiresModel, observer, cancel);
        checkDenoised(latent);
        if (!latent.defined()) {
          result.cancelled = true;
          break;
        }
      }
      // Stage 4: decode, then the pixel composite of an edit.
      if (observer) observer->onStage(i, Stage::Decoding);
      GeneratedImage image;
      if (const TaesdDecoder* fast = previewer.fastDecoder())
        image.image = taesdToRgb(fast->decode(latent));  // "VAE Decoder: TAESD"
      else
        image.image = imageToRgb(decodeLatent(bundle, latent, tiled, &result.notices));
      if (edit) image.image = compositeEdit(*edit, image.image);
      image.seed = seed;
      image.params = params;
      image.params.seed = seed;
      image.params.batchSize = 1;
      image.infotext = formatInfotext(toInfotext(image.params, &bundle.description, &hashes));
      if (observer) observer->onImage(image);
      result.images.push_back(std::move(image));
    }
    if (observer) observer->onStage(params.batchSize - 1, Stage::Done);
  } catch (const GenerationError&) {
    throw;
  } catch (const std::exception& e) {
    throw translate(e);
  }
  return result;
}

std::filesystem::path findBuiltinModel() {
  namespace fs = std::filesystem;
  const std::string file = kBuiltinModelFileName;
  std::error_code ec;
  if (const char* env = std::getenv("LIENZO_BUILTIN_MODEL"); env && *env) {
    if (fs::is_regular_file(env, ec)) return fs::absolute(env, ec);
  }
  std::vector<fs::path> dirs;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path() / ".." / "share" / "lienzo" / "models");
#ifdef LIENZO_DATA_DIR
  dirs.push_back(fs::path(LIENZO_DATA_DIR) / "models");
#endif
  if (!exe.empty()) dirs.push_back(exe.parent_path() / "models");
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / file;
    if (fs::is_regular_file(candidate, ec)) return fs::weakly_canonical(candidate, ec);
  }
  return {};
}

std::vector<std::string> availableDevices() {
  std::vector<std::string> out{"cpu"};
  if (!at::globalContext().hasCUDA()) return out;
  const int n = at::detail::getCUDAHooks().getNumGPUs();
  for (int i = 0; i < n; ++i) out.push_back(i == 0 ? "cuda" : "cuda:" + std::to_string(i));
  return out;
}

}  // namespace lienzo
