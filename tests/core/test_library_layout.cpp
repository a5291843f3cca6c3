// Model library, the parts before a scan: A1111 / ComfyUI / plain layouts, ComfyUI's
// extra_model_paths.yaml, family guesses from headers (hand-written and the shared fixtures), and
// the library settings file.
#include "core/library/extra_model_paths.h"
#include "core/library/family_guess.h"
#include "core/library/library_layout.h"
#include "core/library/library_settings.h"

#include "core/library/atomic_file.h"
#include "library_files.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace fs = std::filesystem;
using namespace lienzo;
using lienzo::testing::TinyTensor;

namespace {

std::vector<fs::path> foldersOf(const LayoutReport& r, ModelCategory c) {
  std::vector<fs::path> out;
  for (const auto& f : r.folders)
    if (f.category == c) out.push_back(f.path);
  return out;
}

SafetensorsHeader headerOf(const fs::path& dir, const std::string& name,
                           const std::vector<TinyTensor>& tensors,
                           const std::map<std::string, std::string>& meta = {}) {
  const auto path = dir / (name + ".safetensors");
  lienzo::testing::writeTinySafetensors(path, tensors, meta);
  return readSafetensorsHeader(path);
}

}  // namespace

TEST(LibraryLayout, DetectsA1111ComfyUiAndPlainFolders) {
  const auto root = lienzo::testing::makeTempDir("layout");
  fs::create_directories(root / "webui/models/Stable-diffusion");
  fs::create_directories(root / "comfy/models/checkpoints");
  fs::create_directories(root / "plain");
  EXPECT_EQ(detectLayout(root / "webui"), RootKind::A1111);
  EXPECT_EQ(detectLayout(root / "comfy"), RootKind::ComfyUI);
  EXPECT_EQ(detectLayout(root / "plain"), RootKind::Folder);

  const auto a1111 = expandRoot({RootKind::A1111, root / "webui", std::nullopt});
  EXPECT_TRUE(a1111.warnings.empty());
  EXPECT_EQ(foldersOf(a1111, ModelCategory::Checkpoint),
            std::vector<fs::path>{root / "webui/models/Stable-diffusion"});
  EXPECT_EQ(foldersOf(a1111, ModelCategory::Lora),
            (std::vector<fs::path>{root / "webui/models/Lora", root / "webui/models/LyCORIS"}));
  EXPECT_EQ(foldersOf(a1111, ModelCategory::Embedding),
            std::vector<fs::path>{root / "webui/embeddings"});
  EXPECT_EQ(foldersOf(a1111, ModelCategory::Vae), std::vector<fs::path>{root / "webui/models/VAE"});
  EXPECT_EQ(foldersOf(a1111, ModelCategory::ControlNet).front(), root / "webui/models/ControlNet");

  const auto comfy = expandRoot({RootKind::ComfyUI, root / "comfy", std::nullopt});
  EXPECT_EQ(
      foldersOf(comfy, ModelCategory::Checkpoint),
      (std::vector<fs::path>{root / "comfy/models/checkpoints",
                             root / "comfy/models/diffusion_models", root / "comfy/models/unet"}));
  EXPECT_EQ(foldersOf(comfy, ModelCategory::Lora),
            std::vector<fs::path>{root / "comfy/models/loras"});
  EXPECT_EQ(foldersOf(comfy, ModelCategory::Embedding),
            std::vector<fs::path>{root / "comfy/models/embeddings"});
  EXPECT_EQ(foldersOf(comfy, ModelCategory::Vae), std::vector<fs::path>{root / "comfy/models/vae"});
  EXPECT_EQ(foldersOf(comfy, ModelCategory::ControlNet),
            std::vector<fs::path>{root / "comfy/models/controlnet"});

  const auto plain = expandRoot({RootKind::Folder, root / "plain", ModelCategory::Lora});
  ASSERT_EQ(plain.folders.size(), 1u);
  EXPECT_EQ(plain.folders[0].path, root / "plain");
  EXPECT_EQ(plain.folders[0].category, ModelCategory::Lora);
}

TEST(LibraryLayout, CategoryFoldersOverAllRootsEachOnce) {
  // What generate() gets as GenerationParams::folders when the CLI or the studio use the library.
  const auto root = lienzo::testing::makeTempDir("layout-folders");
  fs::create_directories(root / "webui/models/Stable-diffusion");
  fs::create_directories(root / "comfy/models/checkpoints");
  const std::vector<LibraryRoot> roots{
      {RootKind::A1111, root / "webui", std::nullopt},
      {RootKind::ComfyUI, root / "comfy", std::nullopt},
      {RootKind::Folder, root / "webui/models/Lora", ModelCategory::Lora},  // again: listed once
      {RootKind::Folder, root / "mixed", std::nullopt},  // sorted per file: not a LoRA folder
  };
  EXPECT_EQ(categoryFolders(roots, ModelCategory::Lora),
            (std::vector<fs::path>{root / "webui/models/Lora", root / "webui/models/LyCORIS",
                                   root / "comfy/models/loras"}));
  EXPECT_EQ(categoryFolders(roots, ModelCategory::Embedding),
            (std::vector<fs::path>{root / "webui/embeddings", root / "comfy/models/embeddings"}));
  EXPECT_TRUE(categoryFolders({}, ModelCategory::Lora).empty());
}

TEST(LibraryLayout, CategoryAndKindNamesRoundTrip) {
  for (const auto c : kModelCategories) EXPECT_EQ(parseCategory(categoryName(c)), c);
  EXPECT_EQ(parseCategory("LyCORIS"), ModelCategory::Lora);
  EXPECT_EQ(parseCategory("Stable-diffusion"), ModelCategory::Checkpoint);
  EXPECT_EQ(parseCategory("embeddings"), ModelCategory::Embedding);
  EXPECT_FALSE(parseCategory("upscale_models"));
  for (const auto k : {RootKind::A1111, RootKind::ComfyUI, RootKind::Folder})
    EXPECT_EQ(parseRootKind(rootKindName(k)), k);
}

// ComfyUI's own example (extra_model_paths.yaml.example) plus the variants its loader takes.
TEST(ExtraModelPaths, ParsesComfyUiFormat) {
  const std::string text = R"(#Rename this to extra_model_paths.yaml and ComfyUI will load it

#config for a1111 ui
#all you have to do is change the base_path to where yours is installed
a111:
    base_path: /opt/stable-diffusion-webui/

    checkpoints: models/Stable-diffusion
    configs: models/Stable-diffusion
    vae: models/VAE
    loras: |
         models/Lora
         models/LyCORIS
    upscale_models: |
                  models/ESRGAN
                  models/SwinIR
    embeddings: embeddings   # trailing comment
    controlnet: models/ControlNet

#comfyui:
#     base_path: path/to/comfyui/
#     checkpoints: models/checkpoints/

other_ui:
    base_path: ../shared
    is_default: true
    checkpoints: "sd models/"
    loras: |-
      /abs/loras

      more/loras
no_base:
    vae: 'my vae'
empty_section:
)";
  const auto sections = parseExtraModelPaths(text, "/home/u/ComfyUI", "extra_model_paths.yaml");
  ASSERT_EQ(sections.size(), 4u);
  const auto& a = sections[0];
  EXPECT_EQ(a.name, "a111");
  EXPECT_EQ(a.basePath, fs::path("/opt/stable-diffusion-webui/"));
  EXPECT_EQ(a.paths.at("checkpoints"),
            std::vector<fs::path>{"/opt/stable-diffusion-webui/models/Stable-diffusion"});
  EXPECT_EQ(a.paths.at("loras"),
            (std::vector<fs::path>{"/opt/stable-diffusion-webui/models/Lora",
                                   "/opt/stable-diffusion-webui/models/LyCORIS"}));
  EXPECT_EQ(a.paths.at("upscale_models").size(), 2u);
  EXPECT_EQ(a.paths.at("embeddings"),
            std::vector<fs::path>{"/opt/stable-diffusion-webui/embeddings"});
  EXPECT_FALSE(a.isDefault);

  const auto& o = sections[1];
  EXPECT_EQ(o.basePath, fs::path("/home/u/shared"));  // relative to the YAML file's folder
  EXPECT_TRUE(o.isDefault);
  EXPECT_EQ(o.paths.at("checkpoints"), std::vector<fs::path>{"/home/u/shared/sd models/"});
  // An absolute line stays absolute; the blank line inside the block is skipped.
  EXPECT_EQ(o.paths.at("loras"),
            (std::vector<fs::path>{"/abs/loras", "/home/u/shared/more/loras"}));

  EXPECT_EQ(sections[2].paths.at("vae"), std::vector<fs::path>{"/home/u/ComfyUI/my vae"});
  EXPECT_TRUE(sections[3].paths.empty());
}

TEST(ExtraModelPaths, ExpandsHomeAndVariablesInBasePath) {
  ::setenv("LIENZO_TEST_MODELS", "/data/models", 1);
  const auto s = parseExtraModelPaths("x:\n  base_path: ${LIENZO_TEST_MODELS}/sd\n  loras: l\n",
                                      "/y", "f.yaml");
  EXPECT_EQ(s.at(0).paths.at("loras"), std::vector<fs::path>{"/data/models/sd/l"});
  const auto home = parseExtraModelPaths("x:\n  base_path: ~/sd\n", "/y", "f.yaml");
  EXPECT_EQ(home.at(0).basePath, fs::path(std::getenv("HOME")) / "sd");
}

TEST(ExtraModelPaths, RefusesWhatItDoesNotUnderstandNamingTheLine) {
  const auto lineOf = [](const std::string& text) -> std::size_t {
    try {
      parseExtraModelPaths(text, "/y", "f.yaml");
    } catch (const ExtraModelPathsError& e) {
      EXPECT_NE(std::string(e.what()).find("f.yaml:"), std::string::npos) << e.what();
      return e.line();
    }
    return 0;
  };
  EXPECT_EQ(lineOf("a:\n\tloras: x\n"), 2u);                 // tab indentation
  EXPECT_EQ(lineOf("a:\n  loras:\n    - one\n"), 3u);        // sequence
  EXPECT_EQ(lineOf("a:\n  loras: [one, two]\n"), 2u);        // flow collection
  EXPECT_EQ(lineOf("a:\n  loras: >\n    one\n"), 2u);        // folded block
  EXPECT_EQ(lineOf("a:\n  loras: x\n    deeper: y\n"), 3u);  // deeper nesting
  EXPECT_EQ(lineOf("a:\n  loras: x\n  loras: y\n"), 3u);     // duplicate key
  EXPECT_EQ(lineOf("a:\n  loras: \"unterminated\n"), 2u);    // open quote
  EXPECT_EQ(lineOf("  loras: x\n"), 1u);                     // indented before a section
  EXPECT_EQ(lineOf("a:\n  just text\n"), 2u);                // no key
  EXPECT_EQ(lineOf("a:\n  base: &anchor x\n"), 2u);          // anchor
  EXPECT_EQ(lineOf("a:\n  is_default: maybe\n"), 1u);        // not a boolean
}

TEST(LibraryLayout, ComfyUiRootReadsExtraModelPathsAndReportsABadOne) {
  const auto root = lienzo::testing::makeTempDir("comfy-yaml");
  fs::create_directories(root / "models/checkpoints");
  lienzo::testing::writeBytes(root / "extra_model_paths.yaml",
                              "a111:\n    base_path: ../webui\n    loras: |\n        models/Lora\n"
                              "        models/LyCORIS\n    clip: models/clip\n");
  const auto report = expandRoot({RootKind::ComfyUI, root, std::nullopt});
  EXPECT_TRUE(report.warnings.empty());
  const auto loras = foldersOf(report, ModelCategory::Lora);
  ASSERT_EQ(loras.size(), 3u);
  EXPECT_EQ(loras[1], (root / "../webui/models/Lora").lexically_normal());
  EXPECT_EQ(loras[2], (root / "../webui/models/LyCORIS").lexically_normal());

  lienzo::testing::writeBytes(root / "extra_model_paths.yaml", "a111:\n  loras: [x]\n");
  const auto bad = expandRoot({RootKind::ComfyUI, root, std::nullopt});
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_NE(bad.warnings[0].find("extra_model_paths.yaml:2"), std::string::npos) << bad.warnings[0];
  EXPECT_EQ(foldersOf(bad, ModelCategory::Lora).size(), 1u);  // the install's own folder stays
}

TEST(FamilyGuess, CheckpointsByKeyLayout) {
  const auto dir = lienzo::testing::makeTempDir("family-ckpt");
  const auto sdxl = headerOf(dir, "xl",
                             {{"conditioner.embedders.0.transformer.text_model.x", {1}},
                              {"conditioner.embedders.1.model.x", {1}},
                              {"model.diffusion_model.label_emb.0.0.weight", {1}}});
  EXPECT_EQ(guessFamily(ModelCategory::Checkpoint, sdxl).family, ModelFamily::SDXL);
  const auto sd2 = headerOf(dir, "sd2", {{"cond_stage_model.model.x", {1}}});
  EXPECT_EQ(guessFamily(ModelCategory::Checkpoint, sd2).family, ModelFamily::SD2);
  const auto sd1 = headerOf(dir, "sd1",
                            {{"cond_stage_model.transformer.text_model.x", {1}},
                             {"model.diffusion_model.input_blocks.0.0.weight", {1}}});
  EXPECT_EQ(guessFamily(ModelCategory::Checkpoint, sd1).family, ModelFamily::SD1);
  EXPECT_EQ(classifyHeader(sd1), ModelCategory::Checkpoint);
}

TEST(FamilyGuess, LorasByKeysThenWidthsThenMetadata) {
  const auto dir = lienzo::testing::makeTempDir("family-lora");
  const auto te1 = headerOf(dir, "te1",
                            {{"lora_te1_text_model_encoder_layers_0_mlp_fc1.alpha", {}},
                             {"lora_te2_text_model_encoder_layers_0_mlp_fc1.alpha", {}}});
  EXPECT_EQ(guessFamily(ModelCategory::Lora, te1).family, ModelFamily::SDXL);
  const auto ldm = headerOf(dir, "ldm", {{"lora_unet_input_blocks_4_1_proj_in.alpha", {}}});
  EXPECT_EQ(guessFamily(ModelCategory::Lora, ldm).family, ModelFamily::SDXL);
  const auto sd1 = headerOf(dir, "sd1", lienzo::testing::kohyaSdLora(768));
  EXPECT_EQ(guessFamily(ModelCategory::Lora, sd1).family, ModelFamily::SD1);
  EXPECT_FALSE(guessFamily(ModelCategory::Lora, sd1).assumed);
  const auto sd2 = headerOf(dir, "sd2", lienzo::testing::kohyaSdLora(1024));
  EXPECT_EQ(guessFamily(ModelCategory::Lora, sd2).family, ModelFamily::SD2);
  const auto te2 = headerOf(dir, "te",
                            {{"lora_te_text_model_encoder_layers_0_self_attn_q_proj"
                              ".lora_down.weight",
                              {4, 1024}}});
  EXPECT_EQ(guessFamily(ModelCategory::Lora, te2).family, ModelFamily::SD2);
  // Widths that say nothing: kohya metadata decides, else the SD layout is assumed SD 1.x.
  const auto meta =
      headerOf(dir, "meta", lienzo::testing::kohyaSdLora(32), {{"ss_base_model_version", "sd_v2"}});
  EXPECT_EQ(guessFamily(ModelCategory::Lora, meta).family, ModelFamily::SD2);
  const auto tiny = headerOf(dir, "tiny", lienzo::testing::kohyaSdLora(32));
  const auto tinyGuess = guessFamily(ModelCategory::Lora, tiny);
  EXPECT_EQ(tinyGuess.family, ModelFamily::SD1);
  EXPECT_TRUE(tinyGuess.assumed);
  EXPECT_NE(tinyGuess.basis.find("width 32"), std::string::npos) << tinyGuess.basis;
  EXPECT_EQ(tinyGuess.label(), "SD 1.x (assumed)");
  EXPECT_EQ(classifyHeader(tiny), ModelCategory::Lora);
  const auto flux = headerOf(dir, "flux", {{"lora_unet_double_blocks_0_img_attn_qkv.alpha", {}}});
  EXPECT_EQ(guessFamily(ModelCategory::Lora, flux).family, ModelFamily::Flux);
}

TEST(FamilyGuess, EmbeddingsByVectorWidth) {
  const auto dir = lienzo::testing::makeTempDir("family-ti");
  EXPECT_EQ(
      guessFamily(ModelCategory::Embedding, headerOf(dir, "a", {{"emb_params", {2, 768}}})).family,
      ModelFamily::SD1);
  EXPECT_EQ(
      guessFamily(ModelCategory::Embedding, headerOf(dir, "b", {{"emb_params", {2, 1024}}})).family,
      ModelFamily::SD2);
  const auto xl = headerOf(dir, "c", {{"clip_l", {2, 768}}, {"clip_g", {2, 1280}}});
  EXPECT_EQ(guessFamily(ModelCategory::Embedding, xl).family, ModelFamily::SDXL);
  EXPECT_EQ(classifyHeader(xl), ModelCategory::Embedding);
  const auto vae = headerOf(
      dir, "v",
      {{"decoder.conv_in.weight", {512, 4, 3, 3}}, {"encoder.conv_in.weight", {128, 3, 3, 3}}});
  EXPECT_EQ(classifyHeader(vae), ModelCategory::Vae);
  EXPECT_NE(guessFamily(ModelCategory::Vae, vae).basis.find("4-channel"), std::string::npos);
}

// The shared fixtures' real key layouts (tiny widths: 32).
TEST(FamilyGuess, SharedFixtures) {
  for (const char* name :
       {"lora/tiny-sd1-lora-kohya.safetensors", "lora/tiny-sd1-lora-peft.safetensors",
        "lora/tiny-sd1-loha.safetensors", "lora/tiny-sd1-lokr.safetensors"}) {
    const auto header = readSafetensorsHeader(lienzo::testing::fixturePath(name));
    EXPECT_EQ(classifyHeader(header), ModelCategory::Lora) << name;
    EXPECT_EQ(guessFamily(ModelCategory::Lora, header).family, ModelFamily::SD1) << name;
  }
  const auto xl =
      readSafetensorsHeader(lienzo::testing::fixturePath("lora/tiny-sdxl-lora-kohya.safetensors"));
  EXPECT_EQ(guessFamily(ModelCategory::Lora, xl).family, ModelFamily::SDXL);
  EXPECT_FALSE(guessFamily(ModelCategory::Lora, xl).assumed);

  const auto tiXl =
      readSafetensorsHeader(lienzo::testing::fixturePath("embeddings/lienzo-xl.safetensors"));
  EXPECT_EQ(guessFamily(ModelCategory::Embedding, tiXl).family, ModelFamily::SDXL);
  const auto tiStyle =
      readSafetensorsHeader(lienzo::testing::fixturePath("embeddings/lienzo-style.safetensors"));
  EXPECT_EQ(classifyHeader(tiStyle), ModelCategory::Embedding);
  const auto style = guessFamily(ModelCategory::Embedding, tiStyle);
  EXPECT_EQ(style.family, ModelFamily::SD1);
  EXPECT_TRUE(style.assumed);  // width 32 is a test model's
}

TEST(LibrarySettings, RoundTripsRootsAndVaeChoices) {
  const auto dir = lienzo::testing::makeTempDir("settings");
  const auto file = dir / "config/lienzo/library.json";
  EXPECT_TRUE(LibrarySettings::load(file).roots.empty());  // missing file: empty

  LibrarySettings s;
  EXPECT_TRUE(s.addRoot({RootKind::A1111, dir / "webui", ModelCategory::Lora}));
  EXPECT_FALSE(s.addRoot({RootKind::A1111, dir / "webui/./", std::nullopt}));  // same root
  EXPECT_TRUE(s.addRoot({RootKind::Folder, dir / "loras", ModelCategory::Lora}));
  s.setVaeFor(dir / "a.safetensors", dir / "vae/ft-mse.safetensors");
  s.save(file);

  const auto back = LibrarySettings::load(file);
  ASSERT_EQ(back.roots.size(), 2u);
  EXPECT_EQ(back.roots[0].kind, RootKind::A1111);
  EXPECT_FALSE(back.roots[0].category);  // install roots carry no category
  EXPECT_EQ(back.roots[1].category, ModelCategory::Lora);
  EXPECT_EQ(back.vaeFor(dir / "a.safetensors"), dir / "vae/ft-mse.safetensors");
  EXPECT_FALSE(back.vaeFor(dir / "b.safetensors"));

  auto edited = back;
  edited.setVaeFor(dir / "a.safetensors", {});
  EXPECT_FALSE(edited.vaeFor(dir / "a.safetensors"));
  EXPECT_EQ(edited.removeRoot(dir / "webui"), 1u);

  lienzo::testing::writeBytes(file, "{\"version\": 1, \"roots\": [{\"kind\": \"nope\"}]}");
  EXPECT_THROW(LibrarySettings::load(file), LibrarySettingsError);
  lienzo::testing::writeBytes(file, "{ not json");
  EXPECT_THROW(LibrarySettings::load(file), LibrarySettingsError);
}

TEST(LibrarySettings, DefaultLocationsFollowXdg) {
  const char* oldHome = std::getenv("HOME");
  const std::string savedHome = oldHome ? oldHome : "";
  ::setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
  ::setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
  EXPECT_EQ(LibrarySettings::defaultFile(), fs::path("/xdg/config/lienzo/library.json"));
  EXPECT_EQ(lienzoUserDir(UserDir::Cache), fs::path("/xdg/cache/lienzo"));
  ::unsetenv("XDG_CONFIG_HOME");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(LibrarySettings::defaultFile(), fs::path("/home/someone/.config/lienzo/library.json"));
  EXPECT_EQ(lienzoUserDir(UserDir::Cache), fs::path("/home/someone/.cache/lienzo"));
  ::setenv("HOME", savedHome.c_str(), 1);
}
