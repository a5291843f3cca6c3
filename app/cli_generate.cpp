#include "app/cli_generate.h"

#include "app/cli_args.h"
#include "app/cli_common.h"
#include "app/cli_control.h"
#include "app/cli_edit.h"
#include "core/io/image_io.h"
#include "core/library/library_layout.h"
#include "core/library/library_settings.h"
#include "core/pipeline/edit_validation.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/sampler_names.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>

namespace lienzo::cli {
namespace {

CancelToken* g_cancel = nullptr;  // only for the SIGINT handler of this one-shot process
void onSigint(int) {
  if (g_cancel) g_cancel->request(CancelMode::StopNow);
}

/// Progress line on stderr: step/total, it/s, ETA; with `previews` set, each step's preview as
/// `<previews>/image<i>-step<NNN>.png` (steps without a preview write nothing).
class ConsoleProgress : public GenerationObserver {
 public:
  ConsoleProgress(int batch, std::filesystem::path previews)
      : m_batch(batch), m_previews(std::move(previews)) {}
  void onStage(int imageIndex, Stage stage) override {
    if (stage == Stage::Sampling) m_start = Clock::now();
    if (stage == Stage::Decoding) std::fprintf(stderr, "\n");
  }
  void onStep(const StepProgress& p) override {
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    const double rate = elapsed > 0 ? (p.step + 1) / elapsed : 0.0;
    const double eta = rate > 0 ? (p.totalSteps - p.step - 1) / rate : 0.0;
    std::fprintf(stderr, "\rimage %d/%d  step %d/%d  %.2f it/s  ETA %.1f s   ", p.imageIndex + 1,
                 m_batch, p.step + 1, p.totalSteps, rate, eta);
    std::fflush(stderr);
    if (!m_previews.empty() && !p.preview.empty()) {
      char name[64];
      std::snprintf(name, sizeof name, "image%d-step%03d.png", p.imageIndex + 1, p.step + 1);
      Image8 pixels;
      pixels.width = p.preview.width;
      pixels.height = p.preview.height;
      pixels.channels = 3;
      pixels.pixels = p.preview.pixels;
      writeImage(m_previews / name, pixels);  // a failure stops the request (its message)
      ++m_written;
    }
  }
  int previewsWritten() const { return m_written; }

 private:
  using Clock = std::chrono::steady_clock;
  int m_batch;
  std::filesystem::path m_previews;
  int m_written = 0;
  Clock::time_point m_start = Clock::now();
};

std::filesystem::path outputName(const std::filesystem::path& out, int index, int batch) {
  if (batch <= 1) return out;
  auto name = out;
  name.replace_filename(out.stem().string() + "-" + std::to_string(index + 1) +
                        out.extension().string());
  return name;
}

void printUsage() {
  std::cerr
      << "usage: lienzo generate [--model FILE] --prompt TEXT [--negative TEXT] [--seed N]\n"
         "         [--steps N] [--cfg X] [--guidance G] [--sampler NAME] [--schedule NAME]\n"
         "         [--width W] [--height H] [--batch N] [--clip-skip N]\n"
         "         [--dtype auto|f32|bf16|f16]"
         " [--device cpu|cuda] [--threads N] [--lora-dir DIR[:DIR...]]\n"
         "         [--embeddings-dir DIR[:DIR...]] [--preview linear|taesd|vae:N|none]\n"
         "         [--previews DIR] [--taesd FILE|DIR] [--fast-decode] [edit options]\n"
         "         [--t5 FILE] [--clip-l FILE] [--clip-g FILE] [--vae FILE]\n"
         "         -o OUT.png\n"
         "  SD3 / Flux: --t5, --clip-l, --clip-g, --vae give the parts distributed as their\n"
         "  own files (default: inside the model file, else clip_l.safetensors,\n"
         "  t5xxl_fp16.safetensors, ... beside it or in ../text_encoders, ../clip,\n"
         "  ../text_encoder, ../vae, ../VAE)\n"
         "  (without --lora-dir / --embeddings-dir / --taesd: the folders of `lienzo library`)\n"
         "  previews: of the predicted x0 at each step, written by --previews as\n"
         "  DIR/image<i>-step<NNN>.png (every step; without --previews TAESD takes at most\n"
         "  5 % of the sampling time); taesd needs taesd_decoder.safetensors (SD 1.x/2.x)\n"
         "  or taesdxl_decoder.safetensors (SDXL); --fast-decode: the picture by TAESD\n"
         "  LoRAs: <lora:name:weight> or <lora:name:te:unet> in --prompt (A1111 syntax);\n"
         "  embeddings: by file name in the prompt, or embedding:name (ComfyUI)\n"
         "  --guidance G: Flux dev's distilled guidance (default 3.5; CFG stays 1)\n"
      << editUsage() << controlUsage();
}

}  // namespace

int runGenerate(int argc, char** argv) {
  GenerationParams params;
  std::filesystem::path output;
  std::filesystem::path previewDir;
  std::filesystem::path modelPath;
  LoadOptions load;
  std::optional<long long> steps, width, height;
  std::optional<double> cfg;
  try {
    std::set<std::string> valued = {
        "model",    "prompt", "negative", "seed",           "steps",     "cfg",      "sampler",
        "schedule", "width",  "height",   "batch",          "clip-skip", "dtype",    "device",
        "threads",  "output", "lora-dir", "embeddings-dir", "preview",   "previews", "taesd"};
    valued.insert({"t5", "clip-l", "clip-g", "vae"});  // SD3 / Flux parts
    valued.insert("guidance");                         // Flux dev
    valued.insert(editValuedOptions().begin(), editValuedOptions().end());
    valued.insert(controlValuedOptions().begin(), controlValuedOptions().end());
    std::set<std::string> flags = {"help", "fast-decode"};
    flags.insert(editFlagOptions().begin(), editFlagOptions().end());
    const Args args(argc, argv, valued, flags);
    if (args.has("help")) {
      printUsage();
      return 0;
    }
    if (!args.positional().empty())
      throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    params.prompt = args.get("prompt", "");
    params.negativePrompt = args.get("negative", "");
    params.seed = args.getInt("seed").value_or(-1);
    // Absent: the model's defaults (filled in after loading).
    steps = args.getInt("steps");
    cfg = args.getDouble("cfg");
    params.guidance = args.getDouble("guidance");  // absent: the model's default
    width = args.getInt("width");
    height = args.getInt("height");
    params.sampler = args.get("sampler", "");
    params.schedule = args.get("schedule", "Automatic");
    params.batchSize = static_cast<int>(args.getInt("batch").value_or(1));
    params.clipSkip = static_cast<int>(args.getInt("clip-skip").value_or(1));
    params.dtype = parseDType(args.get("dtype", "auto"));
    params.device = args.get("device", "cpu");
    load.dtype = params.dtype;
    load.device = params.device;
    // SD3 / Flux parts distributed as their own files (model_parts.h finds them otherwise).
    load.parts.t5 = args.get("t5", "");
    load.parts.clipL = args.get("clip-l", "");
    load.parts.clipG = args.get("clip-g", "");
    load.parts.vae = args.get("vae", "");
    applyThreads(args.getInt("threads"));
    // Folders for `<lora:name:w>` tags and embedding names, PATH-style lists.
    const auto folders = [](const std::string& list) {
      std::vector<std::filesystem::path> out;
      size_t start = 0;
      while (start <= list.size()) {
        const size_t colon = std::min(list.find(':', start), list.size());
        if (colon > start) out.emplace_back(list.substr(start, colon - start));
        start = colon + 1;
      }
      return out;
    };
    params.folders.loras = folders(args.get("lora-dir", ""));
    params.folders.embeddings = folders(args.get("embeddings-dir", ""));
    parsePreviewOption(args.get("preview", "linear"), params);
    params.preview.taesd = args.get("taesd", "");
    params.fastDecode = args.has("fast-decode");
    previewDir = args.get("previews", "");
    if (!previewDir.empty() && !params.previews)
      throw UsageError("--previews DIR needs previews (not --preview none)");
    // Files asked for: every step's TAESD preview, not only those the 5 % budget allows.
    if (!previewDir.empty()) params.preview.taesdBudget = 0.0;
    // Without the options: the model library's folders (`lienzo library add`, docs/library.md).
    if (!args.has("lora-dir") || !args.has("embeddings-dir") || !args.has("controlnet-dir") ||
        !args.has("taesd")) {
      try {
        const auto roots = LibrarySettings::load(LibrarySettings::defaultFile()).roots;
        if (!args.has("lora-dir"))
          params.folders.loras = categoryFolders(roots, ModelCategory::Lora);
        if (!args.has("embeddings-dir"))
          params.folders.embeddings = categoryFolders(roots, ModelCategory::Embedding);
        if (!args.has("controlnet-dir"))
          params.folders.controlnets = categoryFolders(roots, ModelCategory::ControlNet);
        params.folders.vaeApprox = categoryFolders(roots, ModelCategory::VaeApprox);
      } catch (const std::exception& e) {
        std::cerr << "lienzo generate: note: the model library's settings were not read: "
                  << e.what() << "\n";
      }
    }
    output = args.get("output", "");
    if (output.empty()) throw UsageError("missing -o OUT.png");
    modelPath = resolveModel(args.get("model"));
    // Canonical names ("euler a" -> "Euler a", "DPM++ 2M Karras" -> "DPM++ 2M" + "Karras"),
    // listing the valid ones if unknown. Without --sampler the model's default comes later.
    const SamplerSelection chosen = canonicalSamplerAndSchedule(params.sampler, params.schedule);
    params.sampler = chosen.sampler;
    params.schedule = chosen.schedule;
    applyEditOptions(args, params);
    applyControlOptions(args, params);
    if (!params.hires.sampler.empty())
      params.hires.sampler = canonicalSamplerAndSchedule(params.hires.sampler, "").sampler;
  } catch (const UsageError& e) {
    std::cerr << "lienzo generate: " << e.what() << "\n";
    printUsage();
    return 2;
  } catch (const ImageIoError& e) {  // an init picture or mask that cannot be used
    std::cerr << "lienzo generate: " << e.what() << "\n";
    return 2;
  }
  // Bad edit input is reported before the (slow) model load; the size is provisional here (the
  // model's default may be larger, so the check is repeated below).
  const CanvasSize editSize = defaultEditSize(params.edit);
  try {
    GenerationParams early = params;
    early.width = static_cast<int>(width.value_or(editSize.width > 0 ? editSize.width : 512));
    early.height = static_cast<int>(height.value_or(editSize.height > 0 ? editSize.height : 512));
    validateEditParams(early);
  } catch (const GenerationError& e) {
    std::cerr << "lienzo generate: " << e.what() << "\n";
    return 2;
  }

  std::shared_ptr<const ModelBundle> bundle;
  try {
    bundle = loadModelBundle(modelPath, load);
  } catch (const std::exception& e) {
    std::cerr << "lienzo generate: cannot load model: " << e.what() << "\n";
    return 3;
  }
  const ModelDescription& model = describe(*bundle);
  // An edit defaults to its picture's size (plus outpaint margins), rounded to a multiple of 8.
  params.width =
      static_cast<int>(width.value_or(editSize.width > 0 ? editSize.width : model.defaultWidth));
  params.height = static_cast<int>(
      height.value_or(editSize.height > 0 ? editSize.height : model.defaultHeight));
  params.steps = static_cast<int>(steps.value_or(model.defaultSteps));
  params.cfgScale = cfg.value_or(model.defaultCfg);
  if (params.sampler.empty()) params.sampler = model.defaultSampler;
  try {
    validateEditParams(params);
    validateParams(params);
  } catch (const std::exception& e) {
    std::cerr << "lienzo generate: " << e.what() << "\n";
    return 2;
  }

  CancelToken cancel;
  g_cancel = &cancel;
  std::signal(SIGINT, onSigint);
  if (!previewDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(previewDir, ec);
    if (ec) {
      std::cerr << "lienzo generate: cannot create the previews folder " << previewDir.string()
                << ": " << ec.message() << "\n";
      return 5;
    }
  }
  ConsoleProgress progress(params.batchSize, previewDir);
  GenerationResult result;
  try {
    result = generate(*bundle, params, &progress, &cancel);
  } catch (const GenerationError& e) {
    std::cerr << "\nlienzo generate: " << e.what() << "\n";
    return e.code() == GenerationError::Code::InvalidParams ? 2 : 4;
  }
  if (!previewDir.empty())
    std::cerr << "lienzo generate: " << progress.previewsWritten() << " step previews in "
              << previewDir.string() << "\n";
  g_cancel = nullptr;
  for (const auto& notice : result.notices)
    std::cerr << "lienzo generate: note: " << notice << "\n";
  if (!result.previewNotice.empty())
    std::cerr << "lienzo generate: note: " << result.previewNotice << "\n";
  for (std::size_t i = 0; i < result.images.size(); ++i) {
    const auto& img = result.images[i];
    const auto path = outputName(output, static_cast<int>(i), params.batchSize);
    try {
      Image8 pixels;
      pixels.width = img.image.width;
      pixels.height = img.image.height;
      pixels.channels = 3;
      pixels.pixels = img.image.pixels;
      writeImage(path, pixels, {{"parameters", img.infotext}});
    } catch (const std::exception& e) {
      std::cerr << "lienzo generate: " << e.what() << "\n";
      return 5;
    }
    std::cout << path.string() << "  seed " << img.seed << "\n";
  }
  if (result.cancelled) {
    std::cerr << "lienzo generate: cancelled\n";
    return 130;
  }
  return 0;
}

}  // namespace lienzo::cli
