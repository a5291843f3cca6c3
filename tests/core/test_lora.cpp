// LoRA-family adapters against ../shared/fixtures/lora/ (README §8): merged weights, U-Net and
// text-encoder outputs of every format and multiplier the golden files list, on the tiny SD1 and
// SDXL checkpoints; exact restore; an SD1 LoRA on SDXL reported module by module. Every format,
// multiplier, key and prompt is read from the fixture files.
#include "core/adapters/adapter_merge.h"
#include "core/adapters/weight_patcher.h"
#include "core/io/sha256.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/params_infotext.h"
#include "core/pipeline/text_conditioner.h"
#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>

namespace lienzo {
namespace {

constexpr double kMergedTol = 1e-5;  // README §6-9 tolerances: merged weights
constexpr double kOutTol = 1e-4;     // U-Net / text-encoder / conditioner outputs

std::shared_ptr<const ModelBundle> tinySd1() {
  return testing::tinySd1Bundle();
}
std::shared_ptr<const ModelBundle> tinySdxl() {
  return testing::tinySdxlBundle();
}

std::vector<double> multipliers(const SafetensorsFile& g) {
  return nlohmann::json::parse(g.metadata().at("multipliers")).get<std::vector<double>>();
}

/// Golden merged weights of `prefix` ("kohya.m0.merged.") → checkpoint key → tensor name.
std::map<std::string, std::string> mergedKeys(const SafetensorsFile& g, const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (const auto& name : g.names())
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = name;
  return out;
}

AdapterReport apply(const ModelBundle& bundle, const std::vector<std::string>& files, double m) {
  std::vector<AdapterApplication> list;
  for (const auto& f : files) {
    auto file = std::make_shared<const AdapterFile>(AdapterFile::open(
        testing::fixturePath("lora/" + f), bundle.weights->family() == AdapterFamily::Sdxl));
    list.push_back({std::move(file), m, m});
  }
  return applyAdapters(*bundle.weights, list);
}

void expectAllApplied(const AdapterReport& report, const std::string& what) {
  for (const auto& f : report.files) {
    EXPECT_GT(f.modules, 0u) << what;
    EXPECT_EQ(f.applied, f.modules) << what;
    for (const auto& u : f.unapplied) ADD_FAILURE() << what << ": " << u.module << ": " << u.reason;
  }
}

void expectMerged(const WeightPatcher& weights, const SafetensorsFile& g, const std::string& prefix,
                  double* worst) {
  const auto merged = mergedKeys(g, prefix);
  ASSERT_FALSE(merged.empty()) << prefix;
  for (const auto& [key, name] : merged) {
    ASSERT_TRUE(weights.contains(key)) << key;
    const at::Tensor expected = g.load(name, at::kFloat);
    const at::Tensor actual = weights.current(key).to(at::kFloat).contiguous();
    testing::expectTensorNear(actual, expected, kMergedTol, prefix + key);
    *worst = std::max(*worst, testing::relativeMaxError(actual, expected));
  }
  // Exactly the weights the reference changed, no more.
  EXPECT_EQ(weights.patchedCount(), merged.size()) << prefix;
}

at::Tensor sd1TextOut(const ModelBundle& bundle, const at::Tensor& ids) {
  const auto* text = dynamic_cast<const Sd1TextConditioner*>(bundle.text.get());
  EXPECT_NE(text, nullptr);
  ClipTextModel model = text->textModel();
  return model->forward(ids).lastHiddenState.to(at::kFloat);
}

/// Every registered weight is the loaded tensor again, bit for bit.
void expectBaseRestored(const WeightPatcher& weights) {
  EXPECT_EQ(weights.patchedCount(), 0u);
  for (const auto& key : weights.keys())
    ASSERT_TRUE(at::equal(weights.current(key), weights.base(key))) << key;
}

TEST(LoraGolden, Sd1EveryFormatAndMultiplier) {
  const auto bundle = tinySd1();
  ASSERT_TRUE(bundle->weights);
  const auto g = SafetensorsFile::open(testing::fixturePath("lora/golden_lora_sd1.safetensors"));
  const auto files = nlohmann::json::parse(g.metadata().at("files"));
  const auto ms = multipliers(g);
  ASSERT_FALSE(files.empty());
  ASSERT_FALSE(ms.empty());
  c10::InferenceMode inference;
  auto lock = bundle->weights->lock();
  const at::Tensor x = g.load("unet.x", at::kFloat), t = g.load("unet.t", at::kFloat);
  const at::Tensor context = g.load("unet.context", at::kFloat);
  const at::Tensor ids = g.load("te.input_ids");

  applyAdapters(*bundle->weights, {});
  const at::Tensor baseUnet = bundle->diffusion->forward(x, t, context);
  testing::expectTensorNear(baseUnet, g.load("unet.out", at::kFloat), kOutTol, "unet.out");
  testing::expectTensorNear(sd1TextOut(*bundle, ids), g.load("te.out", at::kFloat), kOutTol,
                            "te.out");

  for (const auto& [fmt, fileName] : files.items()) {
    for (size_t j = 0; j < ms.size(); ++j) {
      const std::string tag = fmt + ".m" + std::to_string(j);
      SCOPED_TRACE(tag);
      const AdapterReport report = apply(*bundle, {fileName.get<std::string>()}, ms[j]);
      expectAllApplied(report, tag);
      double worstMerged = 0.0;
      if (!mergedKeys(g, tag + ".merged.").empty())
        expectMerged(*bundle->weights, g, tag + ".merged.", &worstMerged);
      const at::Tensor unetOut = bundle->diffusion->forward(x, t, context);
      const at::Tensor teOut = sd1TextOut(*bundle, ids);
      testing::expectTensorNear(unetOut, g.load(tag + ".unet_out", at::kFloat), kOutTol,
                                tag + ".unet_out");
      testing::expectTensorNear(teOut, g.load(tag + ".te_out", at::kFloat), kOutTol,
                                tag + ".te_out");
      std::cout << "[ INFO     ] " << tag << ": " << report.patchedWeights
                << " weights, merged max rel error " << worstMerged << ", unet_out "
                << testing::relativeMaxError(unetOut, g.load(tag + ".unet_out", at::kFloat))
                << ", te_out "
                << testing::relativeMaxError(teOut, g.load(tag + ".te_out", at::kFloat)) << "\n";
    }
  }

  // Removing every adapter gives the loaded model back, bit for bit.
  applyAdapters(*bundle->weights, {});
  expectBaseRestored(*bundle->weights);
  EXPECT_TRUE(at::equal(bundle->diffusion->forward(x, t, context), baseUnet));
}

TEST(LoraGolden, SdxlKohya) {
  const auto bundle = tinySdxl();
  ASSERT_TRUE(bundle->weights);
  const auto g = SafetensorsFile::open(testing::fixturePath("lora/golden_lora_sdxl.safetensors"));
  const std::string file = g.metadata().at("file");
  const auto ms = multipliers(g);
  c10::InferenceMode inference;
  auto lock = bundle->weights->lock();
  const at::Tensor x = g.load("unet.x", at::kFloat), t = g.load("unet.t", at::kFloat);
  const at::Tensor context = g.load("unet.context", at::kFloat), y = g.load("unet.y", at::kFloat);
  const at::Tensor idsL = g.load("cond.clip_l.input_ids"), idsG = g.load("cond.clip_g.input_ids");
  const auto pair = [&](const char* key) {
    const at::Tensor v = g.load(std::string("cond.") + key, at::kFloat)[0];
    return std::make_pair(static_cast<int64_t>(v[0].item<float>()),
                          static_cast<int64_t>(v[1].item<float>()));
  };
  SdxlSizes sizes;
  std::tie(sizes.originalHeight, sizes.originalWidth) = pair("original_size_as_tuple");
  std::tie(sizes.cropTop, sizes.cropLeft) = pair("crop_coords_top_left");
  std::tie(sizes.targetHeight, sizes.targetWidth) = pair("target_size_as_tuple");
  const auto check = [&](const std::string& prefix) {
    const Conditioning cond = encodeSdxlTokens(*bundle, idsL, idsG, 1);
    testing::expectTensorNear(cond.context, g.load(prefix + "crossattn", at::kFloat), kOutTol,
                              prefix + "crossattn");
    testing::expectTensorNear(cond.pooled, g.load(prefix + "clip_g.pooled", at::kFloat), kOutTol,
                              prefix + "clip_g.pooled");
    testing::expectTensorNear(sdxlVector(*bundle, cond.pooled, sizes),
                              g.load(prefix + "vector", at::kFloat), kOutTol, prefix + "vector");
  };

  applyAdapters(*bundle->weights, {});
  const at::Tensor baseUnet = bundle->diffusion->forward(x, t, context, y);
  testing::expectTensorNear(baseUnet, g.load("unet.out", at::kFloat), kOutTol, "unet.out");
  check("cond.");
  for (size_t j = 0; j < ms.size(); ++j) {
    const std::string tag = "kohya.m" + std::to_string(j);
    SCOPED_TRACE(tag);
    const AdapterReport report = apply(*bundle, {file}, ms[j]);
    expectAllApplied(report, tag);
    double worstMerged = 0.0;
    expectMerged(*bundle->weights, g, tag + ".merged.", &worstMerged);
    const at::Tensor unetOut = bundle->diffusion->forward(x, t, context, y);
    testing::expectTensorNear(unetOut, g.load(tag + ".unet_out", at::kFloat), kOutTol,
                              tag + ".unet_out");
    check(tag + ".cond.");
    std::cout << "[ INFO     ] sdxl " << tag << ": merged max rel error " << worstMerged
              << ", unet_out "
              << testing::relativeMaxError(unetOut, g.load(tag + ".unet_out", at::kFloat)) << "\n";
  }
  applyAdapters(*bundle->weights, {});
  expectBaseRestored(*bundle->weights);
  EXPECT_TRUE(at::equal(bundle->diffusion->forward(x, t, context, y), baseUnet));
}

TEST(LoraGolden, Sd1LoraOnSdxlIsReportedModuleByModule) {
  const auto bundle = tinySdxl();
  const auto g = SafetensorsFile::open(testing::fixturePath("lora/golden_lora_sd1.safetensors"));
  const auto files = nlohmann::json::parse(g.metadata().at("files"));
  const std::string kohya = files.at("kohya").get<std::string>();
  auto lock = bundle->weights->lock();
  const AdapterReport report = apply(*bundle, {kohya}, 1.0);
  ASSERT_EQ(report.files.size(), 1u);
  const auto& f = report.files[0];
  const auto file = AdapterFile::open(testing::fixturePath("lora/" + kohya), true);
  EXPECT_EQ(f.modules, file.modules().size());
  EXPECT_EQ(f.applied, 0u);
  ASSERT_EQ(f.unapplied.size(), file.modules().size());
  std::set<std::string> listed;
  for (const auto& u : f.unapplied) {
    listed.insert(u.module);
    EXPECT_NE(u.reason.find("the model is SDXL"), std::string::npos) << u.reason;
  }
  for (const auto& m : file.modules()) EXPECT_TRUE(listed.count(m.module)) << m.module;
  EXPECT_EQ(bundle->weights->patchedCount(), 0u);
  const auto notices = report.notices();
  ASSERT_EQ(notices.size(), 1u);
  for (const auto& m : file.modules())
    EXPECT_NE(notices[0].find(m.module), std::string::npos) << m.module;
  applyAdapters(*bundle->weights, {});
}

TEST(LoraGolden, PeftMergesBitIdenticallyToKohya) {
  // README §8: every alpha / r of the fixtures is a power of two, so the PEFT file (alpha folded
  // into lora_B) merges to exactly the kohya file's weights.
  const auto bundle = tinySd1();
  const auto g = SafetensorsFile::open(testing::fixturePath("lora/golden_lora_sd1.safetensors"));
  const auto files = nlohmann::json::parse(g.metadata().at("files"));
  auto lock = bundle->weights->lock();
  for (const double m : multipliers(g)) {
    apply(*bundle, {files.at("kohya").get<std::string>()}, m);
    std::map<std::string, at::Tensor> kohya;
    for (const auto& key : bundle->weights->keys())
      if (!at::equal(bundle->weights->current(key), bundle->weights->base(key)))
        kohya[key] = bundle->weights->current(key).clone();
    ASSERT_FALSE(kohya.empty());
    apply(*bundle, {files.at("peft").get<std::string>()}, m);
    EXPECT_EQ(bundle->weights->patchedCount(), kohya.size());
    for (const auto& [key, value] : kohya)
      EXPECT_TRUE(at::equal(bundle->weights->current(key), value)) << key << " m=" << m;
  }
  applyAdapters(*bundle->weights, {});
}

TEST(LoraGolden, KeyMapMatchesTheReference) {
  // The golden files' key_map: every network key resolves to the checkpoint key the reference
  // changed (and, for OpenCLIP q/k/v, into the fused in_proj_weight).
  for (const auto& [golden, model] :
       {std::pair<std::string, std::shared_ptr<const ModelBundle>>{"golden_lora_sd1", tinySd1()},
        {"golden_lora_sdxl", tinySdxl()}}) {
    const auto g = SafetensorsFile::open(testing::fixturePath("lora/" + golden + ".safetensors"));
    auto map = nlohmann::json::parse(g.metadata().at("key_map"));
    if (golden == "golden_lora_sdxl") map = nlohmann::json{{"kohya", map}};
    const AdapterKeyIndex index(model->weights->keys(), model->weights->family());
    size_t checked = 0;
    for (const auto& [fmt, keys] : map.items()) {
      for (const auto& [network, entry] : keys.items()) {
        std::string why;
        const auto target = index.resolve(network, &why);
        ASSERT_TRUE(target) << golden << " " << fmt << " " << network << ": " << why;
        EXPECT_EQ(target->checkpointKey, entry.at("checkpoint_key").get<std::string>()) << network;
        const bool fused = target->checkpointKey.find("in_proj_weight") != std::string::npos;
        EXPECT_EQ(target->rowBlock >= 0, fused) << network;
        ++checked;
      }
    }
    EXPECT_GT(checked, 0u) << golden;
  }
}

TEST(LoraPipeline, PromptTagsApplyReportAndRestore) {
  // generate() end to end: a <lora:…> tag found in a folder changes the picture and is written to
  // the infotext with its hash; the same LoRA given as GenerationParams::adapters gives the same
  // picture; a missing one is a notice; afterwards the model makes the LoRA-free picture again,
  // byte for byte.
  const auto bundle = tinySd1();
  const auto g = SafetensorsFile::open(testing::fixturePath("lora/golden_lora_sd1.safetensors"));
  const std::string file =
      nlohmann::json::parse(g.metadata().at("files")).at("kohya").get<std::string>();
  const std::string name = std::filesystem::path(file).stem().string();
  GenerationParams p;
  p.prompt = g.metadata().at("prompt");
  p.negativePrompt = "";
  p.seed = 7;
  p.steps = 2;
  p.width = p.height = 64;
  p.sampler = "Euler";
  p.dtype = ComputeDType::F32;
  p.previews = false;
  p.folders.loras = {testing::fixturePath("lora")};
  const GenerationResult plain = generate(*bundle, p);
  ASSERT_EQ(plain.images.size(), 1u);
  EXPECT_TRUE(plain.notices.empty());
  EXPECT_EQ(parseInfotext(plain.images[0].infotext).get("Lora hashes"), std::nullopt);

  GenerationParams tagged = p;
  tagged.prompt = p.prompt + " <lora:" + name + ":0.8>";
  const GenerationResult withTag = generate(*bundle, tagged);
  ASSERT_EQ(withTag.images.size(), 1u);
  EXPECT_TRUE(withTag.notices.empty()) << withTag.notices.front();
  EXPECT_NE(withTag.images[0].image.pixels, plain.images[0].image.pixels);
  const Infotext info = parseInfotext(withTag.images[0].infotext);
  EXPECT_EQ(info.prompt, tagged.prompt);  // the tag stays in the saved text
  // A1111's LoRA hash: sshs_model_hash, else the SHA-256 of the bytes after the header.
  std::string hash;
  {
    const auto path = testing::fixturePath("lora/" + file);
    const auto meta = SafetensorsFile::open(path).metadata();
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    hash =
        meta.count("sshs_model_hash") ? meta.at("sshs_model_hash") : sha256Hex(bytes.substr(8 + n));
    hash = hash.substr(0, 12);
  }
  EXPECT_EQ(info.get("Lora hashes"), name + ": " + hash);
  const RestoredParams restored = applyInfotext(info, GenerationParams{});
  ASSERT_EQ(restored.networks.loras.size(), 1u);
  EXPECT_EQ(restored.networks.loras[0], std::make_pair(name, hash));

  GenerationParams listed = p;
  listed.adapters = {AdapterUse{name, 0.8, 0.8}};
  EXPECT_EQ(generate(*bundle, listed).images[0].image.pixels, withTag.images[0].image.pixels);

  GenerationParams missing = p;
  missing.prompt = p.prompt + " <lora:no-such-lora:1>";
  const GenerationResult withMissing = generate(*bundle, missing);
  ASSERT_EQ(withMissing.notices.size(), 1u);
  EXPECT_NE(withMissing.notices[0].find("'no-such-lora' not found"), std::string::npos);
  EXPECT_EQ(withMissing.images[0].image.pixels, plain.images[0].image.pixels);
  EXPECT_EQ(generate(*bundle, p).images[0].image.pixels, plain.images[0].image.pixels);
}

}  // namespace
}  // namespace lienzo
