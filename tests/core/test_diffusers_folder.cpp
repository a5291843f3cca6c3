// diffusers model folders: the key map both ways (hand-checked names from the diffusers
// conversion scripts, lossless round trips), tiny-sd1 / tiny-sdxl written out in diffusers layout
// with Lienzo's safetensors writer and loaded back through loadModelBundle() reproducing the
// component and end-to-end goldens (README §3, §5; tolerances 1e-4 components, image_u8 +-1), and
// clear UnsupportedModel errors for families Lienzo does not run. Heads, scale factor and the
// schedule come from the fixtures' config.json, written into the folder's JSON files.
#include "core/io/diffusers_folder.h"
#include "core/io/diffusers_keys.h"
#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/text_conditioner.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

namespace lienzo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kComponentTol = 1e-4;  // README §1: text encoder, UNet, VAE, SDXL conditioner

NamedTensors allTensors(const SafetensorsFile& file) {
  NamedTensors out;
  for (const auto& n : file.names()) out.emplace_back(n, file.view(n));
  return out;
}

std::map<std::string, at::Tensor> asMap(const NamedTensors& tensors) {
  return {tensors.begin(), tensors.end()};
}

void writeJson(const fs::path& path, const json& j) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << j.dump(2);
}

/// Writes `<stem>.safetensors` (+ its config.json) out as a diffusers folder the way
/// diffusers' save_pretrained lays it out.
void writeDiffusersFolder(const std::string& fixtureStem, ModelFamily family, const fs::path& dir) {
  const auto file = SafetensorsFile::open(testing::fixturePath(fixtureStem + ".safetensors"));
  const json cfg = testing::readJsonFixture(fixtureStem + ".config.json");
  const NamedTensors tensors = allTensors(file);
  const bool xl = family == ModelFamily::SDXL;
  json index = {{"_class_name", xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline"},
                {"_diffusers_version", "0.30.0"}};
  for (auto component : {DiffusersComponent::Unet, DiffusersComponent::Vae,
                         DiffusersComponent::TextEncoder, DiffusersComponent::TextEncoder2}) {
    if (component == DiffusersComponent::TextEncoder2 && !xl) continue;
    const ComponentLayout layout = componentLayout(family, component);
    const NamedTensors out = originalToDiffusers(layout, tensors);
    const std::string name = diffusersComponentDir(component);
    if (out.empty()) {
      index[name] = {nullptr, nullptr};  // e.g. no VAE in tiny-sdxl
      continue;
    }
    const bool model =
        component == DiffusersComponent::Unet || component == DiffusersComponent::Vae;
    fs::create_directories(dir / name);
    writeSafetensors(
        dir / name / (model ? "diffusion_pytorch_model.safetensors" : "model.safetensors"), out,
        {{"format", "pt"}});
    index[name] = {model ? "diffusers" : "transformers", "x"};
  }
  // U-Net heads in diffusers' vocabulary: an int head count, or heads per level.
  const json& u = cfg.at("unet");
  json unet = {{"_class_name", "UNet2DConditionModel"}, {"in_channels", u.at("in_channels")}};
  std::vector<int64_t> channels;
  for (const auto& m : u.at("channel_mult"))
    channels.push_back(u.at("model_channels").get<int64_t>() * m.get<int64_t>());
  unet["block_out_channels"] = channels;
  if (u.value("num_head_channels", -1) > 0) {
    std::vector<int64_t> heads;
    for (auto c : channels) heads.push_back(c / u.at("num_head_channels").get<int64_t>());
    unet["attention_head_dim"] = heads;
  } else {
    unet["attention_head_dim"] = u.at("num_heads");
  }
  writeJson(dir / "unet" / "config.json", unet);
  if (xl) {
    const json& c = cfg.at("conditioner");
    writeJson(dir / "text_encoder" / "config.json",
              {{"num_attention_heads", c.at("embedders.0").at("num_attention_heads")}});
    writeJson(dir / "text_encoder_2" / "config.json",
              {{"num_attention_heads", c.at("embedders.1").at("heads")}});
  } else {
    writeJson(dir / "text_encoder" / "config.json",
              {{"num_attention_heads", cfg.at("text_encoder").at("num_attention_heads")}});
  }
  if (!cfg.at("vae").is_null())
    writeJson(dir / "vae" / "config.json", {{"scaling_factor", cfg.at("scale_factor")}});
  const json& s = cfg.at("schedule");
  writeJson(dir / "scheduler" / "scheduler_config.json",
            {{"_class_name", "EulerDiscreteScheduler"},
             {"beta_start", s.at("linear_start")},
             {"beta_end", s.at("linear_end")},
             {"beta_schedule", "scaled_linear"},
             {"num_train_timesteps", s.at("timesteps")},
             {"prediction_type", cfg.at("parameterization") == "v" ? "v_prediction" : "epsilon"},
             {"steps_offset", 1},
             {"timestep_spacing", "leading"}});
  writeJson(dir / "model_index.json", index);
  // The CLIP BPE merges (what tokenizer/vocab.json + merges.txt are generated from) in tokenizer/.
  fs::create_directories(dir / "tokenizer");
  fs::copy_file(testing::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"),
                dir / "tokenizer" / "bpe_simple_vocab_16e6.txt.gz");
}

std::shared_ptr<const ModelBundle> loadF32(const fs::path& path) {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  return loadModelBundle(path, options);
}

// ---- key map ----------------------------------------------------------------------------------

/// original -> diffusers -> original is the identity on every component tensor (minus the keys
/// diffusers has no place for, listed in diffusers_keys.h).
void checkRoundTrip(const std::string& fixture, ModelFamily family,
                    std::vector<DiffusersComponent> components) {
  const auto file = SafetensorsFile::open(testing::fixturePath(fixture));
  const NamedTensors tensors = allTensors(file);
  for (auto component : components) {
    const ComponentLayout layout = componentLayout(family, component);
    const NamedTensors diff = originalToDiffusers(layout, tensors);
    ASSERT_FALSE(diff.empty()) << diffusersComponentDir(component);
    std::set<std::string> diffNames;
    for (const auto& [k, t] : diff) EXPECT_TRUE(diffNames.insert(k).second) << "duplicate " << k;
    const auto back = asMap(diffusersToOriginal(layout, diff));
    std::size_t expected = 0;
    for (const auto& [k, t] : tensors) {
      if (k.rfind(layout.originalPrefix, 0) != 0) continue;
      if (k == layout.originalPrefix + "logit_scale") continue;  // no diffusers counterpart
      ++expected;
      const auto it = back.find(k);
      ASSERT_NE(it, back.end()) << k << " lost in the round trip";
      EXPECT_EQ(it->second.sizes(), t.sizes()) << k;
      EXPECT_TRUE(at::equal(it->second, t)) << k;
    }
    EXPECT_EQ(back.size(), expected) << diffusersComponentDir(component);
  }
}

TEST(DiffusersKeys, RoundTripSd1AndSdxl) {
  checkRoundTrip(
      "sd1/tiny-sd1.safetensors", ModelFamily::SD1,
      {DiffusersComponent::Unet, DiffusersComponent::Vae, DiffusersComponent::TextEncoder});
  checkRoundTrip("sdxl/tiny-sdxl.safetensors", ModelFamily::SDXL,
                 {DiffusersComponent::Unet, DiffusersComponent::TextEncoder,
                  DiffusersComponent::TextEncoder2});
}

TEST(DiffusersKeys, NamesMatchTheDiffusersConversionTables) {
  // Pairs as in diffusers scripts/convert_diffusers_to_original_stable_diffusion.py (SD1) and
  // convert_diffusers_to_original_sdxl.py.
  const auto sd1 = SafetensorsFile::open(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  const NamedTensors t1 = allTensors(sd1);
  const auto unet =
      asMap(originalToDiffusers(componentLayout(ModelFamily::SD1, DiffusersComponent::Unet), t1));
  const std::vector<std::pair<std::string, std::string>> sd1Pairs{
      {"time_embed.0.weight", "time_embedding.linear_1.weight"},
      {"input_blocks.0.0.weight", "conv_in.weight"},
      {"input_blocks.1.0.in_layers.0.weight", "down_blocks.0.resnets.0.norm1.weight"},
      {"input_blocks.1.0.emb_layers.1.weight", "down_blocks.0.resnets.0.time_emb_proj.weight"},
      {"input_blocks.2.1.proj_in.weight", "down_blocks.0.attentions.1.proj_in.weight"},
      {"input_blocks.3.0.op.weight", "down_blocks.0.downsamplers.0.conv.weight"},
      {"input_blocks.4.0.skip_connection.weight", "down_blocks.1.resnets.0.conv_shortcut.weight"},
      {"middle_block.1.transformer_blocks.0.attn2.to_k.weight",
       "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"},
      {"middle_block.2.out_layers.3.weight", "mid_block.resnets.1.conv2.weight"},
      {"output_blocks.2.1.conv.weight", "up_blocks.0.upsamplers.0.conv.weight"},
      {"output_blocks.5.2.conv.weight", "up_blocks.1.upsamplers.0.conv.weight"},
      {"output_blocks.11.1.norm.weight", "up_blocks.3.attentions.2.norm.weight"},
      {"out.0.weight", "conv_norm_out.weight"},
      {"out.2.bias", "conv_out.bias"},
  };
  for (const auto& [orig, diff] : sd1Pairs) {
    ASSERT_TRUE(sd1.contains("model.diffusion_model." + orig)) << orig;
    ASSERT_TRUE(unet.count(diff)) << orig << " -> " << diff;
    EXPECT_TRUE(at::equal(unet.at(diff), sd1.view("model.diffusion_model." + orig))) << diff;
  }
  const auto vae =
      asMap(originalToDiffusers(componentLayout(ModelFamily::SD1, DiffusersComponent::Vae), t1));
  for (const char* k : {"encoder.mid_block.attentions.0.to_q.weight",
                        "decoder.mid_block.attentions.0.to_out.0.weight"}) {
    ASSERT_TRUE(vae.count(k)) << k;
    EXPECT_EQ(vae.at(k).dim(), 2) << k;  // Linear [C,C] in diffusers
  }
  EXPECT_TRUE(at::equal(vae.at("decoder.up_blocks.0.resnets.2.conv1.weight"),
                        sd1.view("first_stage_model.decoder.up.3.block.2.conv1.weight")));
  EXPECT_TRUE(vae.count("decoder.up_blocks.2.upsamplers.0.conv.weight"));
  EXPECT_TRUE(vae.count("encoder.down_blocks.1.resnets.0.conv_shortcut.weight"));
  EXPECT_TRUE(vae.count("decoder.conv_norm_out.weight"));

  const auto xl = SafetensorsFile::open(testing::fixturePath("sdxl/tiny-sdxl.safetensors"));
  const NamedTensors tx = allTensors(xl);
  const auto xunet =
      asMap(originalToDiffusers(componentLayout(ModelFamily::SDXL, DiffusersComponent::Unet), tx));
  EXPECT_TRUE(at::equal(xunet.at("add_embedding.linear_2.weight"),
                        xl.view("model.diffusion_model.label_emb.0.2.weight")));
  EXPECT_TRUE(xunet.count("up_blocks.0.upsamplers.0.conv.weight"));  // output_blocks.2.2
  EXPECT_TRUE(xl.contains("model.diffusion_model.output_blocks.2.2.conv.weight"));
  const auto te2 = asMap(originalToDiffusers(
      componentLayout(ModelFamily::SDXL, DiffusersComponent::TextEncoder2), tx));
  const std::string oc = "conditioner.embedders.1.model.";
  const auto inProj = xl.load(oc + "transformer.resblocks.0.attn.in_proj_weight");  // [3W,W]
  const int64_t w = inProj.size(1);
  EXPECT_TRUE(at::equal(te2.at("text_model.encoder.layers.0.self_attn.k_proj.weight"),
                        inProj.narrow(0, w, w)));
  EXPECT_TRUE(at::equal(te2.at("text_projection.weight"), xl.load(oc + "text_projection").t()));
  EXPECT_TRUE(te2.count("text_model.encoder.layers.0.mlp.fc2.bias"));
  EXPECT_FALSE(te2.count("logit_scale"));

  EXPECT_THROW(diffusersToOriginal(componentLayout(ModelFamily::SD1, DiffusersComponent::Unet),
                                   {{"down_blocks.0.weird.0.weight", at::zeros({1})}}),
               std::invalid_argument);
}

// ---- folders loaded back ----------------------------------------------------------------------

TEST(DiffusersFolder, Sd1FolderReproducesTheGoldens) {
  const fs::path dir = testing::makeTempDir("diffusers_sd1") / "tiny-sd1";
  writeDiffusersFolder("sd1/tiny-sd1", ModelFamily::SD1, dir);
  const auto info = identifyDiffusersFolder(openDiffusersFolder(dir));
  EXPECT_EQ(info.family, ModelFamily::SD1);
  EXPECT_EQ(info.unetInChannels, 4);
  const auto bundle = loadF32(dir);
  EXPECT_EQ(bundle->family, ModelFamily::SD1);
  EXPECT_EQ(bundle->description.name, "tiny-sd1");
  const DiffusersConfig* scheduler = bundle->schedule->diffusersScheduler();
  ASSERT_NE(scheduler, nullptr);
  EXPECT_EQ(bundle->schedule->diffusersSchedulerClass(), "EulerDiscreteScheduler");
  EXPECT_EQ(scheduler->spacing, TimestepSpacing::Leading);
  EXPECT_EQ(scheduler->stepsOffset, 1);
  EXPECT_EQ(bundle->schedule->prediction(), Prediction::Epsilon);

  c10::InferenceMode guard;
  // Text encoder.
  const auto te =
      SafetensorsFile::open(testing::fixturePath("sd1/golden_text_encoder.safetensors"));
  const auto* text = dynamic_cast<const Sd1TextConditioner*>(bundle->text.get());
  ASSERT_NE(text, nullptr);
  ClipTextModel clip = text->textModel();
  const auto hidden = clip->forward(te.load("input_ids")).lastHiddenState;
  testing::expectTensorNear(hidden, te.load("last_hidden_state", at::kFloat), kComponentTol,
                            "sd1 folder text encoder");
  // U-Net, every case.
  const auto gu = SafetensorsFile::open(testing::fixturePath("sd1/golden_unet.safetensors"));
  const DiffusionModel& unet = *bundle->diffusion;
  double worstUnet = 0;
  for (int k = 0; gu.contains("case" + std::to_string(k) + ".x"); ++k) {
    const std::string c = "case" + std::to_string(k) + ".";
    const auto out =
        unet.forward(gu.load(c + "x", at::kFloat), gu.load(c + "timesteps", at::kFloat),
                     gu.load(c + "context", at::kFloat));
    testing::expectTensorNear(out, gu.load(c + "out", at::kFloat), kComponentTol,
                              "sd1 folder " + c);
    worstUnet = std::max(worstUnet, testing::relativeMaxError(out, gu.load(c + "out", at::kFloat)));
  }
  // VAE decoder.
  const auto gv = SafetensorsFile::open(testing::fixturePath("sd1/golden_vae.safetensors"));
  ASSERT_TRUE(bundle->hasVae());
  const auto& codec = dynamic_cast<const AutoencoderKlCodec&>(*bundle->vae);
  AutoencoderKL vae = codec.autoencoder();
  const auto decoded = vae->decode(gv.load("decode0.z_scaled", at::kFloat));
  testing::expectTensorNear(decoded, gv.load("decode0.out", at::kFloat), kComponentTol,
                            "sd1 folder vae decode");
  EXPECT_DOUBLE_EQ(codec.scaling().scale, std::stod(gv.metadata().at("scale_factor")));

  // End to end: the golden txt2img request through generate().
  const auto g = SafetensorsFile::open(testing::fixturePath("sd1/golden_txt2img.safetensors"));
  testing::expectAllClose(bundle->schedule->discrete()->alphasCumprod(),
                          g.load("alphas_cumprod", at::kFloat), 0, 1e-6,
                          "alphas_cumprod from scheduler_config.json");
  const GenerationParams p = testing::goldenTxt2imgParams();
  const auto result = generate(*bundle, p);
  ASSERT_EQ(result.images.size(), 1u);
  const auto& img = result.images[0].image;
  const auto expected = g.load("image_u8").to(at::kInt)[0];  // [H,W,3]
  ASSERT_EQ(img.height, expected.size(0));
  ASSERT_EQ(img.width, expected.size(1));
  const auto ours =
      at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, at::kByte)
          .to(at::kInt);
  const int worstPixel = (ours - expected).abs().max().item<int>();
  EXPECT_LE(worstPixel, 1);
  std::cout << "[ INFO     ] sd1 folder: text encoder "
            << testing::relativeMaxError(hidden, te.load("last_hidden_state", at::kFloat))
            << ", unet " << worstUnet << ", vae "
            << testing::relativeMaxError(decoded, gv.load("decode0.out", at::kFloat))
            << ", image_u8 max diff " << worstPixel << "\n";
  fs::remove_all(dir.parent_path());
}

TEST(DiffusersFolder, SdxlFolderReproducesTheGoldens) {
  const fs::path dir = testing::makeTempDir("diffusers_sdxl") / "tiny-sdxl";
  writeDiffusersFolder("sdxl/tiny-sdxl", ModelFamily::SDXL, dir);
  const auto bundle = loadF32(dir);
  EXPECT_EQ(bundle->family, ModelFamily::SDXL);
  EXPECT_FALSE(bundle->hasVae());

  c10::InferenceMode guard;
  const auto gu = SafetensorsFile::open(testing::fixturePath("sdxl/golden_unet.safetensors"));
  const DiffusionModel& unet = *bundle->diffusion;
  double worstUnet = 0;
  for (int k = 0; gu.contains("case" + std::to_string(k) + ".x"); ++k) {
    const std::string c = "case" + std::to_string(k) + ".";
    const auto out =
        unet.forward(gu.load(c + "x", at::kFloat), gu.load(c + "timesteps", at::kFloat),
                     gu.load(c + "context", at::kFloat), gu.load(c + "y", at::kFloat));
    testing::expectTensorNear(out, gu.load(c + "out", at::kFloat), kComponentTol,
                              "sdxl folder " + c);
    worstUnet = std::max(worstUnet, testing::relativeMaxError(out, gu.load(c + "out", at::kFloat)));
  }
  const auto gc =
      SafetensorsFile::open(testing::fixturePath("sdxl/golden_conditioner.safetensors"));
  const Conditioning cond =
      encodeSdxlTokens(*bundle, gc.load("clip_l.input_ids"), gc.load("clip_g.input_ids"), 1);
  testing::expectTensorNear(cond.context, gc.load("crossattn", at::kFloat), kComponentTol,
                            "sdxl folder crossattn");
  SdxlSizes sizes;  // row 0 of the golden sizes
  const auto o = gc.load("original_size_as_tuple", at::kFloat)[0];
  const auto cr = gc.load("crop_coords_top_left", at::kFloat)[0];
  const auto t = gc.load("target_size_as_tuple", at::kFloat)[0];
  sizes.originalHeight = static_cast<int64_t>(o[0].item<float>());
  sizes.originalWidth = static_cast<int64_t>(o[1].item<float>());
  sizes.cropTop = static_cast<int64_t>(cr[0].item<float>());
  sizes.cropLeft = static_cast<int64_t>(cr[1].item<float>());
  sizes.targetHeight = static_cast<int64_t>(t[0].item<float>());
  sizes.targetWidth = static_cast<int64_t>(t[1].item<float>());
  const auto y = sdxlVector(*bundle, cond.pooled.narrow(0, 0, 1), sizes);
  testing::expectTensorNear(y[0], gc.load("vector", at::kFloat)[0], kComponentTol,
                            "sdxl folder vector");
  std::cout << "[ INFO     ] sdxl folder: unet " << worstUnet << ", crossattn "
            << testing::relativeMaxError(cond.context, gc.load("crossattn", at::kFloat))
            << ", vector " << testing::relativeMaxError(y[0], gc.load("vector", at::kFloat)[0])
            << "\n";
  fs::remove_all(dir.parent_path());
}

// ---- models Lienzo does not run ---------------------------------------------------------------

/// The GenerationError of loading `path`: code and message.
std::pair<GenerationError::Code, std::string> loadError(const fs::path& path) {
  try {
    loadModelBundle(path);
  } catch (const GenerationError& e) {
    return {e.code(), e.what()};
  }
  ADD_FAILURE() << path << " loaded";
  return {GenerationError::Code::Internal, ""};
}

void expectUnsupported(const fs::path& path, const std::string& mentions) {
  const auto [code, message] = loadError(path);
  EXPECT_EQ(code, GenerationError::Code::UnsupportedModel) << message;
  EXPECT_NE(message.find(mentions), std::string::npos) << message;
}

TEST(DiffusersFolder, UnsupportedFamiliesAreClearErrors) {
  const fs::path dir = testing::makeTempDir("unsupported");
  const auto w = at::zeros({4, 4}, at::kHalf);
  writeSafetensors(dir / "sd3.safetensors",
                   {{"model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", w},
                    {"model.diffusion_model.x_embedder.proj.weight", w}});
  {
    // SD3 single files load (sd3_factory.h); joint blocks without a readable MMDiT do not.
    const auto [code, message] = loadError(dir / "sd3.safetensors");
    EXPECT_EQ(code, GenerationError::Code::ModelLoad) << message;
    EXPECT_NE(message.find("SD3"), std::string::npos) << message;
  }
  // Flux single files load (flux_factory.h): one without its transformer is a load error.
  writeSafetensors(dir / "flux.safetensors", {{"double_blocks.0.img_attn.qkv.weight", w},
                                              {"single_blocks.0.linear1.weight", w}});
  const auto [fluxCode, fluxMessage] = loadError(dir / "flux.safetensors");
  EXPECT_EQ(fluxCode, GenerationError::Code::ModelLoad) << fluxMessage;
  EXPECT_NE(fluxMessage.find("no Flux transformer"), std::string::npos) << fluxMessage;
  writeSafetensors(dir / "refiner.safetensors",
                   {{"conditioner.embedders.0.model.token_embedding.weight", w},
                    {"model.diffusion_model.label_emb.0.0.weight", w}});
  expectUnsupported(dir / "refiner.safetensors", "SDXL refiner");
  // instruct-pix2pix: the tiny SD1 U-Net with an 8-channel conv_in. (9 channels, inpainting
  // models, load: edit_stage.h; see test_edit_pipeline / test_inpaint.)
  const auto sd1 = SafetensorsFile::open(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  NamedTensors tensors = allTensors(sd1);
  for (auto& [name, t] : tensors)
    if (name == "model.diffusion_model.input_blocks.0.0.weight")
      t = at::zeros({t.size(0), 8, t.size(2), t.size(3)}, t.options());
  writeSafetensors(dir / "pix2pix.safetensors", tensors);
  expectUnsupported(dir / "pix2pix.safetensors", "8 input channels");

  // diffusers folders naming pipelines Lienzo does not run.
  for (const auto& [cls, component, mentions] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"FluxPipeline", "transformer", "FluxPipeline"},
           {"StableDiffusion3Pipeline", "transformer", "SD3"},
           {"KandinskyV22Pipeline", "unet", "KandinskyV22Pipeline"}}) {
    const fs::path folder = dir / cls;
    writeJson(folder / "model_index.json", {{"_class_name", cls}});
    fs::create_directories(folder / component);
    writeSafetensors(folder / component / "diffusion_pytorch_model.safetensors", {{"x.weight", w}});
    expectUnsupported(folder, mentions);
  }
  // A folder that is not a diffusers model, and a component stored as a pickle.
  fs::create_directories(dir / "plain");
  expectUnsupported(dir / "plain", "model_index.json");
  writeJson(dir / "pickled" / "model_index.json", {{"_class_name", "StableDiffusionPipeline"}});
  fs::create_directories(dir / "pickled" / "unet");
  std::ofstream(dir / "pickled" / "unet" / "diffusion_pytorch_model.bin") << "pickle";
  const auto [code, message] = loadError(dir / "pickled");
  EXPECT_EQ(code, GenerationError::Code::ModelLoad);
  EXPECT_NE(message.find("pickle"), std::string::npos) << message;
  fs::remove_all(dir);
}

// ---- the folder's own scheduler ("Model scheduler") -------------------------------------------

/// First reported sigma of a 6-step "Model scheduler" run on the folder.
double firstSigma(const fs::path& dir) {
  const auto bundle = loadF32(dir);
  EXPECT_EQ(describe(*bundle).defaultSampler, kModelSchedulerName);
  struct First : GenerationObserver {
    double sigma = -1;
    void onStep(const StepProgress& p) override {
      if (p.step == 0) sigma = p.sigma;
    }
  } first;
  GenerationParams p;
  p.prompt = "a lighthouse";
  p.seed = 3;
  p.steps = 6;
  p.cfgScale = 5;
  p.sampler = kModelSchedulerName;
  p.width = p.height = 64;
  p.dtype = ComputeDType::F32;
  p.previews = false;
  EXPECT_EQ(generate(*bundle, p, &first).images.size(), 1u);
  return first.sigma;
}

TEST(DiffusersFolder, ModelSchedulerHonoursSpacingAndStepsOffset) {
  const fs::path dir = testing::makeTempDir("diffusers_sched") / "tiny-sd1";
  writeDiffusersFolder("sd1/tiny-sd1", ModelFamily::SD1, dir);
  const auto ac = alphasCumprod(*loadF32(dir));
  auto sigmaAt = [&](int t) { return std::sqrt((1.0 - ac[t]) / ac[t]); };
  // EulerDiscreteScheduler, 6 steps. "leading" + steps_offset 1: t = 5 * (1000 / 6) + 1 = 831.
  EXPECT_NEAR(firstSigma(dir), sigmaAt(831), 1e-4 * sigmaAt(831));
  // "trailing": t = round(1000 - 0) - 1 = 999.
  const fs::path config = dir / "scheduler" / "scheduler_config.json";
  json c = json::parse(std::ifstream(config));
  c["timestep_spacing"] = "trailing";
  writeJson(config, c);
  EXPECT_NEAR(firstSigma(dir), sigmaAt(999), 1e-4 * sigmaAt(999));
  // "leading" with steps_offset 0: t = 830.
  c["timestep_spacing"] = "leading";
  c["steps_offset"] = 0;
  writeJson(config, c);
  EXPECT_NEAR(firstSigma(dir), sigmaAt(830), 1e-4 * sigmaAt(830));
  // A class Lienzo has no implementation of, and a single file without a scheduler config.
  c["_class_name"] = "KDPM2DiscreteScheduler";
  writeJson(config, c);
  GenerationParams p;
  p.sampler = kModelSchedulerName;
  p.width = p.height = 64;
  p.steps = 4;
  try {
    generate(*loadF32(dir), p);
    ADD_FAILURE() << "an unknown scheduler class ran";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::UnsupportedModel);
    EXPECT_NE(std::string(e.what()).find("KDPM2DiscreteScheduler"), std::string::npos) << e.what();
  }
  try {
    generate(*loadF32(testing::fixturePath("sd1/tiny-sd1.safetensors")), p);
    ADD_FAILURE() << "a single file ran with a model scheduler";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
  }
  fs::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace lienzo
