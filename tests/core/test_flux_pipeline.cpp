// Flux.1 dev and schnell through the normal pipeline: loadModelBundle (flux_factory.h: the
// transformer file, its parts and its sidecar) and generate(), end to end against
// flux/golden_txt2img_{dev,schnell}.safetensors. Everything — prompt, seed, steps, guidance, size,
// T5 length, shift, file names, the CLIP-L config — comes from the goldens' metadata and
// tiny-flux.config.json; the T5 encoder and tokenizer are ../t5's (flux/README.md). Tolerances:
// flux/README.md §8 (t5/clip, trajectory, image 1e-4 relative max error; 8-bit pixels ±1).
// Also: part discovery beside the model, the error naming the flag of a missing part, the
// guidance reaching the network (and recorded in the infotext), the family defaults.
#include "core/io/gguf_quants.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors.h"
#include "core/pipeline/denoise_stage.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/rng.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace lienzo {
namespace {

namespace fs = std::filesystem;
namespace lt = lienzo::testing;

constexpr double kTol = 1e-4;  // README §8: t5_out, clip_*, trajectory, image

struct Variant {
  std::string name;       ///< "dev" / "schnell"
  std::string configKey;  ///< "flux_dev" / "flux_schnell"
};
const std::vector<Variant> kVariants = {{"dev", "flux_dev"}, {"schnell", "flux_schnell"}};

std::string fixtureName(const std::string& part) {
  return lt::readJsonFixture("flux/tiny-flux.config.json").at("files").at(part).get<std::string>();
}

void link(const fs::path& target, const fs::path& at) {
  fs::create_directories(at.parent_path());
  fs::create_symlink(target, at);
}

/// The transformer in a folder of its own, with its sidecar `<stem>.config.json` (the fixture's
/// tiny-flux.config.json: axes_dim and CLIP-L's heads are not in the shapes), T5's spiece.model
/// and the CLIP vocabulary beside it. Returns the transformer's path.
fs::path stageTransformer(const fs::path& dir, const Variant& v) {
  const std::string name = fixtureName(v.configKey);
  const fs::path model = dir / name;
  link(lt::fixturePath("flux/" + name), model);
  link(lt::fixturePath("flux/tiny-flux.config.json"),
       dir / (fs::path(name).stem().string() + ".config.json"));
  link(lt::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"), dir / "bpe_simple_vocab_16e6.txt.gz");
  return model;
}

LoadOptions fixtureParts() {
  LoadOptions options;
  options.computeHash = false;
  options.parts.t5 = lt::fixturePath("t5/tiny-t5xxl.safetensors");
  options.parts.clipL = lt::fixturePath("flux/" + fixtureName("clip_l"));
  options.parts.vae = lt::fixturePath("flux/" + fixtureName("ae"));
  return options;
}

/// Flux's 2×2 packing [1,C,h,w] → [1,(h/2)(w/2),C·4] (flux/README.md §3), for the golden's
/// packed step tensors.
at::Tensor pack(const at::Tensor& x) {
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({1, c, h / 2, 2, w / 2, 2}).permute({0, 2, 4, 1, 3, 5}).reshape({1, -1, c * 4});
}

at::Tensor rgbTensor(const RgbImage& rgb) {
  return at::from_blob(const_cast<uint8_t*>(rgb.pixels.data()), {1, rgb.height, rgb.width, 3},
                       at::kByte)
      .clone();
}

void expectPixelsWithinOne(const at::Tensor& ours, const at::Tensor& golden,
                           const std::string& what) {
  ASSERT_EQ(ours.sizes(), golden.sizes()) << what;
  const at::Tensor diff = (ours.to(at::kInt) - golden.to(at::kInt)).abs();
  std::cout << "[ measured ] " << what << ": max |Δ| " << diff.max().item<int>() << ", "
            << diff.gt(0).sum().item<int64_t>() << " pixels differ\n";
  EXPECT_LE(diff.max().item<int>(), 1) << what;
}

GenerationParams paramsOf(const SafetensorsFile& golden) {
  const auto& meta = golden.metadata();
  GenerationParams p;
  p.prompt = meta.at("prompt");
  p.seed = std::stoll(meta.at("seed"));
  p.steps = std::stoi(meta.at("steps"));
  // The size of the picture the reference made: BFL rounds a side up to a multiple of 16
  // (get_noise's 2⌈H/16⌉ latent rows, unpack, decode), which is the requested size whenever that
  // is a multiple of 16 (flux/README.md §3).
  const at::Tensor u8 = golden.load("image_u8");  // [1, H, W, 3]
  p.height = static_cast<int>(u8.size(1));
  p.width = static_cast<int>(u8.size(2));
  EXPECT_EQ(p.height, (std::stoi(meta.at("height")) + 15) / 16 * 16);
  EXPECT_EQ(p.width, (std::stoi(meta.at("width")) + 15) / 16 * 16);
  if (meta.count("guidance")) p.guidance = std::stod(meta.at("guidance"));
  p.cfgScale = 1.0;     // Flux: one model call per step (denoise() in sampling.py)
  p.sampler = "Euler";  // img + (t_next − t)·pred
  p.previews = false;
  return p;
}

TEST(FluxPipelineGolden, Txt2imgThroughGenerateMatchesBothGoldens) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + v.name + ".safetensors"));
    const auto& meta = golden.metadata();
    const fs::path model = stageTransformer(lt::makeTempDir("flux-e2e-" + v.name), v);
    const auto bundle = loadModelBundle(model, fixtureParts());
    const ModelDescription& d = describe(*bundle);
    EXPECT_EQ(d.t5Length, std::stoi(meta.at("t5_max_length")));
    EXPECT_EQ(d.defaultGuidance.has_value(), meta.count("guidance") == 1);
    EXPECT_EQ(d.flowResolutionShift.has_value(), meta.at("shift") == "true");
    ASSERT_TRUE(bundle->schedule->flow());
    EXPECT_EQ(bundle->schedule->flow()->resolutionShift(), meta.at("shift") == "true");

    // generate(): the picture.
    const GenerationParams p = paramsOf(golden);
    const GenerationResult result = generate(*bundle, p);
    ASSERT_EQ(result.images.size(), 1u);
    expectPixelsWithinOne(rgbTensor(result.images[0].image), golden.load("image_u8"),
                          v.name + " image_u8 (generate)");
    const std::string& infotext = result.images[0].infotext;
    if (p.guidance)
      EXPECT_NE(infotext.find("Distilled CFG Scale: " + meta.at("guidance")), std::string::npos)
          << infotext;
    else
      EXPECT_EQ(infotext.find("Distilled CFG Scale"), std::string::npos) << infotext;
    EXPECT_NE(infotext.find("T5 length: " + meta.at("t5_max_length")), std::string::npos)
        << infotext;

    // The same components stage by stage, for the tensors generate() does not hand out.
    c10::InferenceMode guard;
    const Conditioning cond = bundle->text->encode(p.prompt, {});
    lt::expectTensorNear(cond.context, golden.load("t5_out", at::kFloat), kTol, "t5_out");
    lt::expectTensorNear(cond.pooled, golden.load("clip_pooled", at::kFloat), kTol, "clip_pooled");
    const int64_t f = bundle->vae->factor();
    // get_noise: randn [1, 16, 2⌈H/16⌉, 2⌈W/16⌉] from a CPU generator seeded with the seed; the
    // pipeline draws [1, 16, H/f, W/f] from its torch-compatible generator (runDenoise).
    const at::Tensor noise = golden.load("noise", at::kFloat);
    ASSERT_EQ(noise.size(2), p.height / f);
    ASSERT_EQ(noise.size(3), p.width / f);
    Generator gen(static_cast<uint64_t>(p.seed));
    lt::expectTensorEqual(
        randn(gen, {1, bundle->diffusion->latentChannels(), p.height / f, p.width / f}), noise,
        "noise of the seed");
    DenoiseRequest r;
    r.sampler = p.sampler;
    r.steps = p.steps;
    r.seed = p.seed;
    r.latentH = p.height / f;
    r.latentW = p.width / f;
    r.previews = false;
    std::vector<at::Tensor> xs;
    r.afterStep = [&](const SamplerStep& s) { xs.push_back(s.x.clone()); };
    ModelBundle guided = *bundle;  // what generate() samples with (pipeline.cpp passModel)
    if (p.guidance) guided.diffusion = bundle->diffusion->withDistilledGuidance(*p.guidance);
    ASSERT_TRUE(guided.diffusion);
    const ModelFn fn = bundle->schedule->decorate(
        makeGuidedModel(guided, cond, cond, p.cfgScale, p.height, p.width));
    const at::Tensor latent = runDenoise(*bundle, r, fn, nullptr, nullptr);
    ASSERT_EQ(static_cast<int>(xs.size()), p.steps);
    for (int i = 0; i < p.steps; ++i) {
      const std::string s = "step" + std::to_string(i) + ".";
      lt::expectTensorNear(pack(xs[i]), golden.load(s + "img_out", at::kFloat), kTol,
                           s + "img_out");
    }
    lt::expectTensorNear(latent, golden.load("x_unpacked", at::kFloat), kTol, "x_unpacked");
    const at::Tensor image = decodeLatent(*bundle, latent);
    lt::expectTensorNear(image, golden.load("image", at::kFloat), kTol, "image");
    std::cout << "[ measured ] " << v.name << " x_unpacked "
              << lt::relativeMaxError(latent, golden.load("x_unpacked", at::kFloat)) << " image "
              << lt::relativeMaxError(image, golden.load("image", at::kFloat)) << "\n";
  }
}

TEST(FluxPipeline, GuidanceReachesDevAndIsIgnoredBySchnell) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + v.name + ".safetensors"));
    const auto bundle =
        loadModelBundle(stageTransformer(lt::makeTempDir("flux-g-" + v.name), v), fixtureParts());
    GenerationParams p = paramsOf(golden);
    p.steps = 1;
    p.guidance = 1.0;
    const RgbImage a = generate(*bundle, p).images.at(0).image;
    p.guidance = 8.0;
    const GenerationResult b = generate(*bundle, p);
    const bool dev = describe(*bundle).defaultGuidance.has_value();
    EXPECT_EQ(a.pixels != b.images.at(0).image.pixels, dev);
    EXPECT_EQ(b.images.at(0).infotext.find("Distilled CFG Scale: 8") != std::string::npos, dev)
        << b.images.at(0).infotext;
    for (double bad : {-0.5, std::nan(""), HUGE_VAL}) {
      p.guidance = bad;
      try {
        (void)generate(*bundle, p);
        ADD_FAILURE() << "guidance " << bad << " accepted";
      } catch (const GenerationError& e) {
        EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
        EXPECT_NE(std::string(e.what()).find("guidance"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(FluxPipeline, PartsAreFoundBesideTheModelInComfyUiFolders) {
  const Variant& v = kVariants[1];
  const fs::path root = lt::makeTempDir("flux-parts") / "models";
  const fs::path model = stageTransformer(root / "unet", v);
  link(lt::fixturePath("t5/tiny-t5xxl.safetensors"),
       root / "text_encoders" / "t5xxl_fp16.safetensors");
  link(lt::fixturePath("t5/tiny-spiece.model"), root / "text_encoders" / "spiece.model");
  link(lt::fixturePath("flux/" + fixtureName("clip_l")), root / "clip" / "clip_l.safetensors");
  link(lt::fixturePath("flux/" + fixtureName("ae")), root / "vae" / "ae.safetensors");
  LoadOptions options;
  options.computeHash = false;
  const auto bundle = loadModelBundle(model, options);
  EXPECT_EQ(bundle->family, ModelFamily::Flux);
  EXPECT_EQ(describe(*bundle).family, "Flux.1 schnell");
  EXPECT_TRUE(bundle->hasVae());
}

/// Every tensor of `file` with `prefix` before its name.
void addPrefixed(std::vector<std::pair<std::string, at::Tensor>>& out, const fs::path& file,
                 const std::string& prefix) {
  const auto f = SafetensorsFile::open(file);
  for (const auto& name : f.names()) out.emplace_back(prefix + name, f.load(name));
}

TEST(FluxPipeline, AComfyUiAllInOneFileWithBundledPartsMatchesTheGolden) {
  // ComfyUI's single-file layout: model.diffusion_model., vae., text_encoders.{clip_l,t5xxl}.
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + v.name + ".safetensors"));
    const fs::path dir = lt::makeTempDir("flux-aio-" + v.name) / "a";
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    addPrefixed(tensors, lt::fixturePath("flux/" + fixtureName(v.configKey)),
                "model.diffusion_model.");
    addPrefixed(tensors, lt::fixturePath("flux/" + fixtureName("ae")), "vae.");
    addPrefixed(tensors, lt::fixturePath("flux/" + fixtureName("clip_l")),
                "text_encoders.clip_l.transformer.");
    addPrefixed(tensors, lt::fixturePath("t5/tiny-t5xxl.safetensors"),
                "text_encoders.t5xxl.transformer.");
    fs::create_directories(dir);
    writeSafetensors(dir / "flux-aio.safetensors", tensors);
    link(lt::fixturePath("flux/tiny-flux.config.json"), dir / "flux-aio.config.json");
    link(lt::fixturePath("t5/tiny-spiece.model"), dir / "spiece.model");
    link(lt::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"),
         dir / "bpe_simple_vocab_16e6.txt.gz");
    LoadOptions options;  // no parts given: all bundled
    options.computeHash = false;
    const auto bundle = loadModelBundle(dir / "flux-aio.safetensors", options);
    EXPECT_EQ(describe(*bundle).t5Length, std::stoi(golden.metadata().at("t5_max_length")));
    const GenerationResult result = generate(*bundle, paramsOf(golden));
    ASSERT_EQ(result.images.size(), 1u);
    expectPixelsWithinOne(rgbTensor(result.images[0].image), golden.load("image_u8"),
                          v.name + " image_u8 (all-in-one)");
  }
}

TEST(FluxPipeline, Bf16ComputeLoadsAndGenerates) {
  // BF16 (the released files' dtype): the transformer, the VAE and T5 in bfloat16, CLIP-L in
  // float32; no golden at this precision, so only that it runs to a picture of the size asked.
  const Variant& v = kVariants[0];
  const auto golden =
      SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + v.name + ".safetensors"));
  LoadOptions options = fixtureParts();
  options.dtype = ComputeDType::BF16;
  const auto bundle = loadModelBundle(stageTransformer(lt::makeTempDir("flux-bf16"), v), options);
  EXPECT_EQ(bundle->dtype, at::kBFloat16);
  GenerationParams p = paramsOf(golden);
  p.steps = 2;
  p.dtype = ComputeDType::BF16;
  const GenerationResult result = generate(*bundle, p);
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_EQ(result.images[0].image.width, p.width);
  EXPECT_EQ(result.images[0].image.height, p.height);
}

TEST(FluxPipeline, AMissingPartIsNamedWithItsFlag) {
  const Variant& v = kVariants[0];
  // Nested, so that no sibling text_encoders/ clip/ vae/ folder of the temporary root is seen.
  const fs::path model = stageTransformer(lt::makeTempDir("flux-missing") / "a" / "b", v);
  LoadOptions options = fixtureParts();
  auto refusal = [&]() -> std::string {
    try {
      (void)loadModelBundle(model, options);
    } catch (const GenerationError& e) {
      EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
      return e.what();
    }
    ADD_FAILURE() << "loaded without a part";
    return {};
  };
  options.parts.vae.clear();
  EXPECT_NE(refusal().find("--vae"), std::string::npos);
  options.parts.clipL.clear();
  EXPECT_NE(refusal().find("--clip-l"), std::string::npos);
  options.parts.t5.clear();
  EXPECT_NE(refusal().find("--t5"), std::string::npos);
  options = fixtureParts();
  options.parts.t5 = model.parent_path() / "no-such-t5xxl.safetensors";
  EXPECT_NE(refusal().find("no-such-t5xxl"), std::string::npos);
  // T5's tokenizer is never bundled: without spiece.model the message says where it goes.
  options = fixtureParts();
  options.parts.t5 = model.parent_path().parent_path() / "c" / "t5xxl_fp16.safetensors";
  link(lt::fixturePath("t5/tiny-t5xxl.safetensors"), options.parts.t5);
  const std::string text = refusal();
  EXPECT_NE(text.find("spiece.model"), std::string::npos) << text;
}

TEST(FluxPipeline, RefusedBeforeLoadingWhenThePlanDoesNotFitWithTheEstimate) {
  if (lt::testDevice().is_cuda()) GTEST_SKIP() << "the plan checks host RAM only";
  const Variant& v = kVariants[0];
  const fs::path model = stageTransformer(lt::makeTempDir("flux-memory") / "a", v);
  LoadOptions options = fixtureParts();
  options.hostMemoryLimit = 64 * 1024;  // less than the tiny parts' float32 weights
  try {
    (void)loadModelBundle(model, options);
    ADD_FAILURE() << "loaded with 64 KiB to plan for";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory) << e.what();
    const std::string msg = e.what();
    for (const char* part : {"Flux transformer", "T5-XXL", "CLIP-L", "autoencoder",
                             "64.0 KiB is available", "nothing was loaded"})
      EXPECT_NE(msg.find(part), std::string::npos) << part << " not in: " << msg;
  }
  options.hostMemoryLimit = uint64_t{64} << 30;
  EXPECT_NO_THROW((void)loadModelBundle(model, options));
}

/// The fixture transformer `v` written as a GGUF (ComfyUI-GGUF names, general.architecture
/// flux) into `dir` with the sidecar, spiece.model and vocabulary beside it: F16/F32 tensors as
/// stored, or 2-D weights of whole `quant` blocks packed as `quant`.
fs::path stageGgufTransformer(const fs::path& dir, const Variant& v,
                              std::optional<GgmlType> quant) {
  const fs::path staged = stageTransformer(dir / "src", v);
  const auto file = SafetensorsFile::open(staged);
  std::vector<GgufTensorToWrite> tensors;
  for (const auto& name : file.names()) {
    const at::Tensor value = file.load(name, at::kFloat).contiguous();
    GgufTensorToWrite t;
    t.name = name;
    t.shape = value.sizes().vec();
    t.type = file.info(name).dtype == StDType::F16 ? GgmlType::F16 : GgmlType::F32;
    const bool weight = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
    if (quant && weight && t.shape.size() == 2 &&
        t.shape[1] % ggmlTypeInfo(*quant).blockLength == 0)
      t.type = *quant;
    t.bytes.resize(*ggmlByteSize(t.type, value.numel()));
    quantizeGgml(t.type, value.data_ptr<float>(), value.numel(),
                 reinterpret_cast<uint8_t*>(t.bytes.data()));
    tensors.push_back(std::move(t));
  }
  const fs::path model = dir / (staged.stem().string() + ".gguf");
  writeGguf(model, tensors, {{"general.architecture", ggufString("flux")}});
  for (const auto& entry : fs::directory_iterator(dir / "src"))
    if (entry.path() != staged) {
      std::string name = entry.path().filename().string();
      if (name == staged.stem().string() + ".config.json")
        name = model.stem().string() + ".config.json";
      link(fs::read_symlink(entry.path()), dir / name);
    }
  return model;
}

TEST(FluxPipelineGolden, GgufTransformerGeneratesTheGoldenAndQuantizedOnesRun) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + v.name + ".safetensors"));
    const GenerationParams p = paramsOf(golden);
    // Stored types: the same numbers as the safetensors file, so the golden picture.
    const fs::path plain =
        stageGgufTransformer(lt::makeTempDir("flux-gguf-" + v.name), v, std::nullopt);
    const ModelDescription described = describeModelFile(plain);
    EXPECT_EQ(described.defaultGuidance.has_value(), golden.metadata().count("guidance") == 1);
    EXPECT_EQ(described.parts.front(), "transformer (GGUF, packed)");
    const auto bundle = loadModelBundle(plain, fixtureParts());
    const GenerationResult result = generate(*bundle, p);
    ASSERT_EQ(result.images.size(), 1u);
    expectPixelsWithinOne(rgbTensor(result.images[0].image), golden.load("image_u8"),
                          v.name + " image_u8 (GGUF F16)");
    // Q8_0, packed: a picture of the same size near the golden one.
    const fs::path q8 =
        stageGgufTransformer(lt::makeTempDir("flux-gguf-q8-" + v.name), v, GgmlType::Q8_0);
    const GenerationResult quantized = generate(*loadModelBundle(q8, fixtureParts()), p);
    ASSERT_EQ(quantized.images.size(), 1u);
    const at::Tensor diff = (rgbTensor(quantized.images[0].image).to(at::kFloat) -
                             golden.load("image_u8").to(at::kFloat))
                                .abs();
    std::cout << "[ measured ] " << v.name << " Q8_0 vs golden: mean |Δ| "
              << diff.mean().item<double>() << ", max " << diff.max().item<double>() << "\n";
    EXPECT_LT(diff.mean().item<double>(), 255.0 * 0.05);
  }
}

TEST(FluxPipeline, WithoutTheSidecarTheTinyAxesSplitIsRefused) {
  // Head dim 32 has no released RoPE split; only a sidecar (or head dim 128) gives one.
  const Variant& v = kVariants[0];
  const fs::path dir = lt::makeTempDir("flux-nosidecar") / "a";
  const std::string name = fixtureName(v.configKey);
  link(lt::fixturePath("flux/" + name), dir / name);
  link(lt::fixturePath("t5/tiny-spiece.model"), dir / "spiece.model");
  try {
    (void)loadModelBundle(dir / name, fixtureParts());
    ADD_FAILURE() << "loaded without the axes split";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
    EXPECT_NE(std::string(e.what()).find("axes"), std::string::npos) << e.what();
  }
}

TEST(FluxPipeline, FamilyDefaultsFromTheHeaderAlone) {
  // The defaults: Flux dev 28 steps guidance 3.5, schnell 4 steps; CFG 1; 1024².
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const ModelDescription d =
        describeModelFile(lt::fixturePath("flux/" + fixtureName(v.configKey)));
    const bool dev = v.name == "dev";
    EXPECT_EQ(d.family, dev ? "Flux.1 dev" : "Flux.1 schnell");
    EXPECT_EQ(d.defaultSteps, dev ? 28 : 4);
    EXPECT_DOUBLE_EQ(d.defaultCfg, 1.0);
    EXPECT_EQ(d.defaultSampler, "Euler");
    EXPECT_EQ(d.defaultWidth, 1024);
    EXPECT_EQ(d.defaultHeight, 1024);
    EXPECT_EQ(d.defaultGuidance.has_value(), dev);
    if (dev) {
      EXPECT_DOUBLE_EQ(*d.defaultGuidance, 3.5);
    }
    EXPECT_EQ(d.t5Length, dev ? 512 : 256);
  }
}

}  // namespace
}  // namespace lienzo
