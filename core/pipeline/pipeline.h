// The generation API the UI and the CLI use (DESIGN.md §1–2). No torch types appear here, so
// Qt code can include it cheaply; model internals stay behind ModelBundle.
//
// Contract
// - loadModelBundle() (model_loader.h) memory-maps and loads a checkpoint once; the returned
//   bundle is immutable and may be shared by any number of threads and requests.
// - generate() runs one request (batch of images) on the calling thread. It calls the observer
//   from that same thread; the observer must be quick (copy what it needs and return).
// - Cancellation is per request through CancelToken, settable from any thread: StopNow is seen
//   at the next step or stage boundary, FinishImage lets the current image complete and skips
//   the rest of the batch.
// - Failure: throws lienzo::GenerationError (bad parameters, bad model, out of memory) with a
//   user-readable message; nothing is written anywhere by this function.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/edit/pixels.h"
#include "core/pipeline/forward_process.h"
#include "core/pipeline/model_loader.h"
#include "core/sampling/sampler_names.h"  // kModelSchedulerName, sampler/schedule names

namespace lienzo {

/// How a picture is fitted to the requested size (A1111 "Resize mode" 0–2).
enum class ResizeMode {
  Just,  ///< stretch to the size ("Just resize")
  Crop,  ///< scale to cover, centre-crop ("Crop and resize")
  Fill,  ///< scale to fit, stretch the edge pixels into the rest ("Resize and fill")
};
/// What the masked area starts from before sampling (A1111 "Masked content", inpainting_fill).
enum class MaskedContent {
  Fill,           ///< the picture blurred into the hole (masking.fill), then encoded
  Original,       ///< the original pixels
  LatentNoise,    ///< seeded N(0,1) in the latent under the mask
  LatentNothing,  ///< zeros in the latent under the mask
};
/// A1111 "Inpaint area".
enum class InpaintArea {
  WholePicture,  ///< the whole picture is redrawn at the requested size
  OnlyMasked,    ///< the mask's bounding box (+ padding) is cut out, redrawn and pasted back
};
/// How outpainting fills the new canvas before inpainting it.
enum class OutpaintFill {
  EdgeStretch,  ///< the nearest edge pixel of the picture
  Neutral,      ///< mid grey (128)
};
/// Tiled VAE encode/decode.
enum class VaeTiling { Auto, On, Off };

/// The picture-editing half of a request: img2img, inpainting and outpainting. An empty initImage
/// means txt2img (a mask or outpaint margins without it are refused; validation rules in
/// edit_validation.h). Ref: ../shared/specs/next-wave.md §1–2.
struct EditParams {
  RgbImage initImage;      ///< the picture to redraw (any size; alpha already flattened)
  double strength = 0.75;  ///< A1111 "Denoising strength", [0, 1]
  ResizeMode resizeMode = ResizeMode::Just;
  /// false: A1111's default, t_enc = int(min(s, 0.999)·steps) and t_enc + 1 steps of the
  /// `steps`-long schedule. true: exactly `steps` steps of an int(steps / min(s, 0.999)) schedule
  /// (ComfyUI, A1111 "img2img_fix_steps" and its hires pass).
  bool fixedSteps = false;

  GrayImage mask;  ///< empty: plain img2img. 255 = repaint; the init image's size (see validate)
  bool invertMask = false;  ///< A1111 "Inpaint not masked"
  int maskBlur = 4;         ///< Gaussian sigma in pixels, A1111's kernel rule; 0 = none
  InpaintArea inpaintArea = InpaintArea::WholePicture;
  int inpaintPadding = 32;  ///< "Only masked padding, pixels"
  MaskedContent maskedContent = MaskedContent::Original;
  /// 9-channel models: lerp(image, image·(1−mask), w) is encoded (A1111 "Conditional mask
  /// weight", inpainting_mask_weight).
  double maskWeight = 1.0;

  /// Outpainting: pixels added on each side of initImage (all 0 = none); the new area is filled
  /// (outpaintFill), masked with a feather of outpaintFeather px into the old picture, inpainted.
  int outpaintLeft = 0, outpaintTop = 0, outpaintRight = 0, outpaintBottom = 0;
  OutpaintFill outpaintFill = OutpaintFill::EdgeStretch;
  int outpaintFeather = 40;

  bool active() const { return !initImage.empty(); }
  bool inpainting() const { return !mask.empty() || outpainting(); }
  bool outpainting() const {
    return outpaintLeft > 0 || outpaintTop > 0 || outpaintRight > 0 || outpaintBottom > 0;
  }
};

/// The hires fix: a second img2img pass at a larger size from the first pass's result, with the
/// same seed drawn at the new size and fixed-steps semantics. Ref: next-wave.md §3.1.
struct HiresParams {
  double scale = 0.0;  ///< "Upscale by"; 0 with width/height 0 = off
  int width = 0;       ///< "Resize width to" (0 = from scale / the other side)
  int height = 0;
  int steps = 0;                    ///< "Hires steps", 0 = the first pass's steps
  double denoise = 0.7;             ///< "Denoising strength" of the second pass
  std::string upscaler = "Latent";  ///< see hiresUpscalers() (edit_validation.h)
  std::string sampler;              ///< empty = the first pass's
  std::string prompt;               ///< empty = the first pass's
  std::string negativePrompt;       ///< empty = the first pass's
  bool enabled() const { return scale > 0.0 || width > 0 || height > 0; }
};

/// A LoRA-family adapter applied besides the prompt's `<lora:name:…>` tags: the studio's list,
/// with ComfyUI-style separate strengths. Ref: next-wave.md §4.3.
struct AdapterUse {
  std::string name;           ///< file stem in LibraryFolders::loras, or a .safetensors path
  double textStrength = 1.0;  ///< multiplier of the text-encoder deltas
  double unetStrength = 1.0;  ///< multiplier of the diffusion-model deltas
};

/// How a ControlNet weighs against the prompt (sd-webui-controlnet "Control Mode").
enum class ControlMode {
  Balanced,  ///< weight on every residual, cond and uncond ("Balanced"; ComfyUI's apply-advanced)
  Prompt,  ///< soft weights weight·0.825^(N−1−i), cond and uncond ("My prompt is more important")
  Control,  ///< soft weights, no control on the uncond ("ControlNet is more important", guess mode)
};
/// Which start/end rule a ControlNet's window follows (core/control/control_schedule.h).
enum class ControlWindowRule {
  A1111,    ///< fraction of steps, with A1111's step counter lagging by one (sd-webui-controlnet)
  ComfyUI,  ///< sigma thresholds σ(t = (1 − p)·999) (ComfyUI ControlNetApplyAdvanced)
};

/// One ControlNet of a request (several are summed). Ref: next-wave.md §6; docs/controlnet.md.
struct ControlUnit {
  std::string model;  ///< file stem in LibraryFolders::controlnets, or a .safetensors path
  /// The picture the preprocessor reads (any size: fitted to the generation size with
  /// resizeMode). Empty: the request's init picture (img2img / inpainting).
  RgbImage image;
  /// Canonical or sd-webui-controlnet name (core/control/preprocessors.h): none, canny,
  /// scribble, threshold, invert, tile_resample, inpaint (masked pixels of the request's mask
  /// become −1).
  std::string preprocessor = "none";
  double lowThreshold = 100.0;   ///< canny
  double highThreshold = 200.0;  ///< canny
  int threshold = 127;           ///< scribble / threshold
  double tileRate = 1.0;         ///< tile_resample down sampling rate
  double weight = 1.0;           ///< "Control Weight" / ComfyUI strength, [0, 10]
  double start = 0.0;            ///< guidance start, fraction in [0, 1]
  double end = 1.0;              ///< guidance end, fraction in [start, 1]
  ControlMode mode = ControlMode::Balanced;
  ControlWindowRule window = ControlWindowRule::A1111;
  ResizeMode resizeMode = ResizeMode::Crop;  ///< sd-webui-controlnet's default "Crop and Resize"
};

/// sd-webui-controlnet spellings: "Balanced", "My prompt is more important", "ControlNet is more
/// important"; parseControlMode() also takes "balanced", "prompt", "control". Torch-free.
const char* controlModeName(ControlMode mode);
bool parseControlMode(const std::string& text, ControlMode& mode);
/// "A1111" / "ComfyUI" (either case on parsing).
const char* controlWindowRuleName(ControlWindowRule rule);
bool parseControlWindowRule(const std::string& text, ControlWindowRule& rule);

/// Where names in a prompt are looked up: `<lora:name:…>` (and AdapterUse names) in `loras`,
/// textual-inversion embeddings (A1111 by token ids, ComfyUI `embedding:name`) in `embeddings`.
/// Folders are read where they are, first match wins, never recursively copied anywhere.
struct LibraryFolders {
  std::vector<std::filesystem::path> loras;
  std::vector<std::filesystem::path> embeddings;
  /// ControlUnit::model names (searched recursively, like loras).
  std::vector<std::filesystem::path> controlnets;
  std::vector<std::filesystem::path> vaeApprox;  ///< TAESD decoders (step_preview.h)
};

/// How step previews show the predicted x0 (core/pipeline/step_preview.h). Ref: next-wave.md §8.
enum class PreviewMethod {
  Linear,   ///< 4×3 latent→RGB projection at latent resolution (free; the default)
  Taesd,    ///< TAESD at full resolution within taesdBudget; linear (with a notice) without it
  FullVae,  ///< the model's VAE every vaeEvery steps (about a U-Net step's cost each at 512²)
};
struct PreviewParams {
  PreviewMethod method = PreviewMethod::Linear;
  int vaeEvery = 5;             ///< FullVae: a preview every N steps, 1–1000
  double taesdBudget = 0.05;    ///< Taesd: the largest share of sampling time it takes; 0 = no cap
  std::filesystem::path taesd;  ///< a TAESD decoder file or folder; empty: folders.vaeApprox
};

struct GenerationParams {
  std::string prompt;
  std::string negativePrompt;
  int64_t seed = -1;  ///< < 0: pick a random seed (reported back in GeneratedImage::seed)
  int steps = 20;
  double cfgScale = 7.0;
  std::string sampler = "Euler a";     ///< A1111 name, see samplerCatalog()
  std::string schedule = "Automatic";  ///< A1111 "Schedule type"
  int width = 512;                     ///< multiple of 8
  int height = 512;                    ///< multiple of 8
  int batchSize = 1;                   ///< images per request; image i uses seed + i
  int clipSkip = 1;                    ///< 1 = last layer
  /// Flux dev's distilled guidance (the `guidance` input, not CFG; CFG stays 1 for it). Unset:
  /// the model's default (3.5). Ignored by models without a guidance input (schnell, SD, SD3).
  std::optional<double> guidance;
  ComputeDType dtype = ComputeDType::Auto;
  std::string device = "cpu";  ///< "cpu", "cuda", "cuda:1"
  bool previews = true;        ///< compute per-step RGB previews (by `preview`)
  PreviewParams preview;       ///< linear by default
  bool fastDecode = false;     ///< final picture by TAESD ("VAE Decoder: TAESD"); VAE when missing
  EditParams edit;             ///< img2img / inpainting / outpainting (inactive by default)
  HiresParams hires;           ///< second pass (off by default)
  VaeTiling vaeTiling = VaeTiling::Auto;
  std::vector<AdapterUse>
      adapters;            ///< besides the prompt's tags (applied in this order after them)
  LibraryFolders folders;  ///< for the prompt's LoRA tags and embedding names
  /// ControlNets, summed on every model call of the first pass (the hires pass runs without).
  std::vector<ControlUnit> controls;
};

/// Throws GenerationError with a message naming the first invalid field.
void validateParams(const GenerationParams& params);

/// `seed`, or a random 32-bit one when it is negative (what generate() does with a negative seed;
/// callers that must know the seed before the request runs, such as the queue's journal, resolve
/// it first). Any thread.
int64_t resolveSeed(int64_t seed);

class GenerationError : public std::runtime_error {
 public:
  enum class Code {
    InvalidParams,
    ModelLoad,
    UnsupportedModel,
    OutOfMemory,
    NumericalError,
    Cancelled,
    Internal
  };
  GenerationError(Code code, const std::string& message)
      : std::runtime_error(message), m_code(code) {}
  Code code() const { return m_code; }

 private:
  Code m_code;
};

enum class CancelMode : int { None = 0, FinishImage = 1, StopNow = 2 };

/// Thread-safe cancel flag for one request.
class CancelToken {
 public:
  void request(CancelMode mode) {
    int current = m_mode.load();
    while (static_cast<int>(mode) > current &&
           !m_mode.compare_exchange_weak(current, static_cast<int>(mode))) {
    }
  }
  CancelMode mode() const { return static_cast<CancelMode>(m_mode.load()); }
  void reset() { m_mode.store(0); }

 private:
  std::atomic<int> m_mode{0};
};

enum class Stage { TextEncoding, Sampling, Decoding, Done };

struct StepProgress {
  int imageIndex = 0;  ///< index in the batch
  int step = 0;        ///< 0-based
  int totalSteps = 0;
  double sigma = 0.0;
  /// The predicted x0 as a picture by GenerationParams::preview (linear: latent resolution;
  /// TAESD / VAE: full resolution); empty when this step has none (off, budget, cadence).
  RgbImage preview;
};

struct GeneratedImage {
  RgbImage image;
  int64_t seed = 0;
  GenerationParams params;  ///< with the actual seed
  std::string infotext;     ///< A1111 "parameters" text
};

/// Per-request callbacks; default implementations do nothing.
class GenerationObserver {
 public:
  virtual ~GenerationObserver() = default;
  virtual void onStage(int imageIndex, Stage stage) {}
  virtual void onStep(const StepProgress& progress) {}
  virtual void onImage(const GeneratedImage& image) {}
};

struct GenerationResult {
  std::vector<GeneratedImage> images;
  bool cancelled = false;
  /// What the request did not do as asked but went on without, one sentence each: a `<lora:…>`
  /// naming no file, adapter keys not applied (with the reason), an ignored `dyn` value, an
  /// embedding of the wrong width. The caller shows them; nothing here is an error.
  std::vector<std::string> notices;
  /// Why TAESD previews or the fast decode fell back (linear previews / the model's VAE), one
  /// sentence; "" when they ran as asked. Kept apart from `notices` so that a studio can say it
  /// once per session rather than once per request.
  std::string previewNotice;
};

/// Runs one request (see the contract at the top) as stages: text → initial latent (noise, or
/// with params.edit the encoded picture noised to the start of its denoising window) → denoise
/// (inpainting: the mask blend on every prediction) → decode → pixel composite (inpainting:
/// pixels the mask does not reach are the input's bytes); with params.hires the stages run again
/// at the larger size from the first result (edit_stage.h, denoise_stage.h, hires_stage.h).
GenerationResult generate(const ModelBundle& bundle, const GenerationParams& params,
                          GenerationObserver* observer = nullptr,
                          const CancelToken* cancel = nullptr);

/// Where the built-in model (lienzo-builtin.safetensors) is: $LIENZO_BUILTIN_MODEL when it names
/// an existing file, else `<running executable's dir>/../share/lienzo/models/`, the installed data
/// dir's `models/`, `<executable's dir>/models/`. Empty when none exists. Any thread.
std::filesystem::path findBuiltinModel();

/// Compute devices this build and machine can run on: "cpu" first, then "cuda", "cuda:1", …
/// (one per visible CUDA device; none in a CPU-only libtorch). Any thread.
std::vector<std::string> availableDevices();

}  // namespace lienzo
