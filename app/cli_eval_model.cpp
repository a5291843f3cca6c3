#include "app/cli_eval_model.h"

#include "app/cli_args.h"
#include "app/cli_common.h"
#include "core/pipeline/pipeline.h"
#include "core/train/captions.h"
#include "core/train/evaluator.h"
#include "core/train/scene.h"
#include "core/train/scene_render.h"
#include "core/train/train_data.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

namespace lienzo::cli {
namespace {

namespace fs = std::filesystem;

// The pipeline's and the trainer's RGB images hold the same fields (size, 8-bit RGB pixels).
template <typename To, typename From>
To convertImage(const From& image) {
  To out;
  out.width = image.width;
  out.height = image.height;
  out.pixels = image.pixels;
  return out;
}

void writeBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int runEvalModel(const Args& args) {
  const fs::path modelPath = resolveModel(args.get("model"));
  const int count = static_cast<int>(args.getInt("count").value_or(500));
  if (count <= 0) throw UsageError("--count must be positive");
  const std::string lang = args.get("lang", "both");
  std::vector<train::Language> languages;
  if (lang == "both") {
    languages = {train::Language::English, train::Language::Spanish};
  } else {
    try {
      languages = {train::languageFromCode(lang)};
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  applyThreads(args.getInt("threads"));
  const int64_t seed = args.getInt("seed").value_or(1000);
  const auto writeDir = args.get("write");
  const bool reconstruct = args.has("reconstruct");
  if (writeDir) fs::create_directories(*writeDir);

  std::shared_ptr<const ModelBundle> bundle;
  try {
    LoadOptions load;
    load.computeHash = false;
    bundle = loadModelBundle(modelPath, load);
  } catch (const std::exception& e) {
    std::cerr << "lienzo eval: cannot load model: " << e.what() << "\n";
    return 1;
  }
  const ModelDescription& model = describe(*bundle);
  GenerationParams base;
  base.width = model.defaultWidth;
  base.height = model.defaultHeight;
  base.steps = static_cast<int>(args.getInt("steps").value_or(model.defaultSteps));
  base.cfgScale = args.getDouble("cfg").value_or(model.defaultCfg);
  const SamplerSelection chosen =
      canonicalSamplerAndSchedule(args.get("sampler", model.defaultSampler));
  base.sampler = chosen.sampler;
  base.schedule = chosen.schedule;
  base.previews = false;
  validateParams(base);

  nlohmann::json summary = nlohmann::json::object();
  const auto start = std::chrono::steady_clock::now();
  for (const train::Language language : languages) {
    std::mt19937_64 rng(0xCA7105ull + static_cast<uint64_t>(language));  // caption wording
    train::EvalScorer scorer;
    for (int i = 0; i < count; ++i) {
      const train::Scene scene = train::sampleScene(train::heldOutSeed(i));
      GenerationParams p = base;
      p.prompt = train::caption(scene, language, rng);
      p.seed = seed + i;
      // --reconstruct: the scene's own render through the model's VAE (encode, decode) instead
      // of a generated picture: the most a perfect U-Net could reach with this VAE.
      const train::RgbImage image =
          reconstruct
              ? convertImage<train::RgbImage>(forwardProcess(
                    *bundle, convertImage<RgbImage>(train::render(scene, base.width)), -1, 0))
              : convertImage<train::RgbImage>(generate(*bundle, p).images.at(0).image);
      scorer.add(train::evaluate(image, scene));
      if (writeDir) {
        const std::string stem =
            std::string(train::languageCode(language)) + "_" + std::to_string(i);
        writeBytes(fs::path(*writeDir) / (stem + ".ppm"), train::encodePpm(image));
        std::ofstream(fs::path(*writeDir) / (stem + ".json"))
            << train::sceneToJson(scene).dump() << "\n";
        std::ofstream(fs::path(*writeDir) / (stem + ".txt")) << p.prompt << "\n";
      }
    }
    summary[train::languageCode(language)] = scorer.toJson();
    if (!args.has("json")) {
      std::cout << "== " << train::languageCode(language) << ": " << count << " held-out captions, "
                << base.sampler << " " << base.steps << " steps, CFG " << base.cfgScale << "\n"
                << scorer.report();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.has("json")) {
    summary["model"] = model.name;
    summary["sampler"] = base.sampler;
    summary["steps"] = base.steps;
    summary["cfg"] = base.cfgScale;
    summary["seconds"] = seconds;
    std::cout << summary.dump(2) << "\n";
  } else {
    std::cout << "time: " << seconds << " s (" << seconds / (count * double(languages.size()))
              << " s per image)\n";
  }
  return 0;
}

}  // namespace lienzo::cli
