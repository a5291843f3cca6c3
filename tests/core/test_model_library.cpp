// Model library scans: hashing (whole file and A1111's LoRA data-section hash), the incremental
// cache (1 000 files: the second scan hashes none, touching one rehashes exactly one), a corrupt
// cache, missing folders, pickles, previews, duplicates, and lookups by name and by hash.
#include "core/library/model_library.h"

#include "core/io/gguf_writer.h"
#include "core/io/sha256.h"
#include "core/library/atomic_file.h"
#include "library_files.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <chrono>

namespace fs = std::filesystem;
using namespace lienzo;
using lienzo::testing::TinyTensor;
using lienzo::testing::writeTinySafetensors;

namespace {

LibraryRoot folderRoot(const fs::path& p, std::optional<ModelCategory> c) {
  return {RootKind::Folder, p, c};
}

ModelLibrary scanOnce(const std::vector<LibraryRoot>& roots, const fs::path& cacheFile,
                      ScanReport& report, const ScanOptions& options = {}) {
  HashCache cache(cacheFile);
  if (const auto warning = cache.load()) report.warnings.push_back(*warning);
  auto library = ModelLibrary::scan(roots, cache, report, options);
  cache.save();
  return library;
}

void touch(const fs::path& p) {
  fs::last_write_time(p, fs::last_write_time(p) + std::chrono::seconds(5));
}

}  // namespace

TEST(ModelLibrary, HashesEqualSha256OfTheBytes) {
  const auto dir = lienzo::testing::makeTempDir("lib-hash");
  // 3 MiB of tensor data: the data section crosses the hasher's 1 MiB reads.
  const std::vector<TinyTensor> tensors = {
      {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", {4, 3 * 128 * 1024}, "F16"},
      {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", {8, 4}, "F16"}};
  const std::string bytes = lienzo::testing::tinySafetensorsBytes(tensors, {}, '\x5a');
  lienzo::testing::writeBytes(dir / "loras/big.safetensors", bytes);
  lienzo::testing::writeBytes(dir / "ckpt/model.safetensors", bytes);

  ScanReport report;
  const auto lib = scanOnce({folderRoot(dir / "loras", ModelCategory::Lora),
                             folderRoot(dir / "ckpt", ModelCategory::Checkpoint)},
                            dir / "cache.json", report);
  ASSERT_EQ(lib.entries().size(), 2u);
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[i]);
  const std::string whole = sha256Hex(bytes);
  const std::string data = sha256Hex(bytes.substr(8 + headerLen));

  const auto& lora = lib.entries()[0];
  EXPECT_EQ(lora.category, ModelCategory::Lora);
  EXPECT_EQ(lora.sha256, whole);
  EXPECT_EQ(lora.tensorSha256, data);
  EXPECT_EQ(lora.a1111Hash(), data);  // A1111 hashes a LoRA's tensor data (addnet hash)
  EXPECT_EQ(lora.shortHash(), data.substr(0, 12));
  EXPECT_EQ(lora.size, bytes.size());

  const auto& ckpt = lib.entries()[1];
  EXPECT_EQ(ckpt.sha256, whole);
  EXPECT_TRUE(ckpt.tensorSha256.empty());
  EXPECT_EQ(ckpt.shortHash(), whole.substr(0, 10));  // "Model hash"
  EXPECT_EQ(report.hashed, 2u);
}

TEST(ModelLibrary, RescanOfAThousandUnchangedFilesHashesNone) {
  const auto dir = lienzo::testing::makeTempDir("lib-1000");
  for (int i = 0; i < 1000; ++i) {
    // Distinct content per file (the fill byte and a per-file metadata value).
    writeTinySafetensors(dir / ("loras/sub" + std::to_string(i % 10)) /
                             ("lora_" + std::to_string(i) + ".safetensors"),
                         lienzo::testing::kohyaSdLora(768), {{"i", std::to_string(i)}},
                         static_cast<char>(i));
  }
  const std::vector<LibraryRoot> roots = {folderRoot(dir / "loras", ModelCategory::Lora)};
  const auto cacheFile = dir / "cache/model-hashes.json";

  ScanReport first;
  const auto lib1 = scanOnce(roots, cacheFile, first);
  EXPECT_EQ(first.files, 1000u);
  EXPECT_EQ(first.hashed, 1000u);
  EXPECT_EQ(first.headersRead, 1000u);
  EXPECT_TRUE(fs::exists(cacheFile));

  ScanReport second;
  const auto lib2 = scanOnce(roots, cacheFile, second);
  EXPECT_EQ(second.files, 1000u);
  EXPECT_EQ(second.hashed, 0u);
  EXPECT_EQ(second.headersRead, 0u);
  ASSERT_EQ(lib2.entries().size(), lib1.entries().size());
  for (std::size_t i = 0; i < lib1.entries().size(); ++i) {
    EXPECT_EQ(lib2.entries()[i].sha256, lib1.entries()[i].sha256);
    EXPECT_EQ(lib2.entries()[i].tensorSha256, lib1.entries()[i].tensorSha256);
    EXPECT_EQ(lib2.entries()[i].family.family, ModelFamily::SD1);
  }

  touch(dir / "loras/sub7/lora_417.safetensors");
  ScanReport third;
  scanOnce(roots, cacheFile, third);
  EXPECT_EQ(third.hashed, 1u);
  EXPECT_EQ(third.headersRead, 1u);
}

TEST(ModelLibrary, CorruptCacheIsRebuiltWithoutACrash) {
  const auto dir = lienzo::testing::makeTempDir("lib-corrupt");
  writeTinySafetensors(dir / "loras/a.safetensors", lienzo::testing::kohyaSdLora(768));
  writeTinySafetensors(dir / "loras/b.safetensors", lienzo::testing::kohyaSdLora(1024));
  const auto cacheFile = dir / "cache.json";
  const std::vector<LibraryRoot> roots = {folderRoot(dir / "loras", ModelCategory::Lora)};
  for (const std::string& garbage :
       {std::string("{\"version\": 1, \"files\": {\"/x\": {\"size\": \"big\"}}}"),
        std::string("\x00\x01 not json at all", 18), std::string("[1, 2, 3]"),
        std::string("{\"version\": 99, \"files\": {}}")}) {
    lienzo::testing::writeBytes(cacheFile, garbage);
    ScanReport report;
    const auto lib = scanOnce(roots, cacheFile, report);
    EXPECT_EQ(report.files, 2u);
    EXPECT_EQ(report.hashed, 2u);
    ASSERT_FALSE(report.warnings.empty());
    EXPECT_NE(report.warnings[0].find("rebuilt"), std::string::npos) << report.warnings[0];
    ScanReport again;  // the rewritten cache is good
    scanOnce(roots, cacheFile, again);
    EXPECT_TRUE(again.warnings.empty());
    EXPECT_EQ(again.hashed, 0u);
  }
}

TEST(ModelLibrary, MissingFoldersAreReportedNotFatal) {
  const auto dir = lienzo::testing::makeTempDir("lib-missing");
  writeTinySafetensors(dir / "webui/models/Lora/style.safetensors",
                       lienzo::testing::kohyaSdLora(768));
  fs::create_directories(dir / "webui/models/Stable-diffusion");
  ScanReport report;
  const auto lib = scanOnce({{RootKind::A1111, dir / "webui", std::nullopt},
                             folderRoot(dir / "nowhere", ModelCategory::Vae)},
                            dir / "cache.json", report);
  EXPECT_EQ(lib.entries().size(), 1u);
  const auto& missing = report.missingFolders;
  EXPECT_NE(std::find(missing.begin(), missing.end(), dir / "webui/models/LyCORIS"), missing.end());
  EXPECT_NE(std::find(missing.begin(), missing.end(), dir / "webui/embeddings"), missing.end());
  EXPECT_NE(std::find(missing.begin(), missing.end(), dir / "nowhere"), missing.end());
  EXPECT_EQ(std::find(missing.begin(), missing.end(), dir / "webui/models/Lora"), missing.end());
}

TEST(ModelLibrary, PicklesAreListedNotLoadableAndNeverRead) {
  const auto dir = lienzo::testing::makeTempDir("lib-pickle");
  lienzo::testing::writeBytes(dir / "ckpt/old.ckpt", "\x80\x02pickle bytes");
  lienzo::testing::writeBytes(dir / "emb/old.pt", "PK\x03\x04zip");
  lienzo::testing::writeBytes(dir / "ckpt/broken.safetensors", "not safetensors at all");
  ScanReport report;
  const auto lib = scanOnce({folderRoot(dir / "ckpt", ModelCategory::Checkpoint),
                             folderRoot(dir / "emb", ModelCategory::Embedding)},
                            dir / "cache.json", report);
  ASSERT_EQ(lib.entries().size(), 3u);
  const auto* old = lib.findByName(ModelCategory::Checkpoint, "old");
  ASSERT_NE(old, nullptr);
  EXPECT_FALSE(old->loadable);
  EXPECT_NE(old->note.find("pickle"), std::string::npos);
  EXPECT_TRUE(old->sha256.empty());
  const auto* broken = lib.findByName(ModelCategory::Checkpoint, "broken");
  ASSERT_NE(broken, nullptr);
  EXPECT_FALSE(broken->loadable);
  EXPECT_NE(broken->note.find("broken.safetensors"), std::string::npos) << broken->note;
  EXPECT_EQ(report.hashed, 0u);
  EXPECT_NE(lib.findByName(ModelCategory::Embedding, "old.pt"), nullptr);
}

TEST(ModelLibrary, FindsPreviewPicturesBesideTheFile) {
  const auto dir = lienzo::testing::makeTempDir("lib-preview");
  const auto loras = dir / "loras";
  for (const char* n : {"a", "b", "c", "d"})
    writeTinySafetensors(loras / (std::string(n) + ".safetensors"),
                         lienzo::testing::kohyaSdLora(768));
  lienzo::testing::writeBytes(loras / "a.preview.png", "png");
  lienzo::testing::writeBytes(loras / "a.png", "png");  // A1111 looks at name.png first
  lienzo::testing::writeBytes(loras / "b.preview.jpg", "jpg");
  lienzo::testing::writeBytes(loras / "c.webp", "webp");
  ScanReport report;
  const auto lib = scanOnce({folderRoot(loras, ModelCategory::Lora)}, dir / "cache.json", report);
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "a")->preview, loras / "a.png");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "b")->preview, loras / "b.preview.jpg");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "c")->preview, loras / "c.webp");
  EXPECT_TRUE(lib.findByName(ModelCategory::Lora, "d")->preview.empty());
}

TEST(ModelLibrary, LooksUpByNameThenCaseInsensitivelyAndByHash) {
  const auto dir = lienzo::testing::makeTempDir("lib-lookup");
  const auto loras = dir / "loras";
  writeTinySafetensors(loras / "Style.safetensors", lienzo::testing::kohyaSdLora(768), {}, 1);
  writeTinySafetensors(loras / "style.safetensors", lienzo::testing::kohyaSdLora(768), {}, 2);
  writeTinySafetensors(loras / "sub/Detail.safetensors", lienzo::testing::kohyaSdLora(768), {}, 3);
  writeTinySafetensors(loras / "kohya.safetensors", lienzo::testing::kohyaSdLora(768),
                       {{"sshs_model_hash", "ABCDEF0123456789"}}, 4);
  writeTinySafetensors(dir / "ti/Style.safetensors", {{"emb_params", {2, 768}}});
  ScanReport report;
  const auto lib = scanOnce(
      {folderRoot(loras, ModelCategory::Lora), folderRoot(dir / "ti", ModelCategory::Embedding)},
      dir / "cache.json", report);
  ASSERT_EQ(lib.list(ModelCategory::Lora).size(), 4u);
  ASSERT_EQ(lib.list(ModelCategory::Embedding).size(), 1u);

  const auto* upper = lib.findByName(ModelCategory::Lora, "Style");
  const auto* lowerCase = lib.findByName(ModelCategory::Lora, "style");
  ASSERT_TRUE(upper && lowerCase);
  EXPECT_EQ(upper->path, loras / "Style.safetensors");
  EXPECT_EQ(lowerCase->path, loras / "style.safetensors");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "STYLE")->path, loras / "Style.safetensors");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "detail")->path, loras / "sub/Detail.safetensors");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "sub/Detail")->relativeName, "sub/Detail");
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "Style.safetensors"), upper);
  EXPECT_EQ(lib.findByName(ModelCategory::Embedding, "style")->category, ModelCategory::Embedding);
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "nothing"), nullptr);

  // "Lora hashes" carry A1111's 12-digit shorthash; any case; full hashes work too.
  const auto* detail = lib.findByName(ModelCategory::Lora, "Detail");
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, detail->shortHash()), detail);
  std::string upperHash = detail->shortHash();
  for (auto& c : upperHash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, upperHash), detail);
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, detail->sha256), detail);
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, detail->sha256.substr(0, 10)), detail);
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, detail->shortHash().substr(0, 7)), nullptr);
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, "not-a-hash"), nullptr);
  EXPECT_EQ(lib.findByHash(ModelCategory::Embedding, detail->shortHash()), nullptr);
  // kohya's sshs_model_hash is what A1111 uses when the file carries it.
  const auto* kohya = lib.findByName(ModelCategory::Lora, "kohya");
  EXPECT_EQ(kohya->a1111Hash(), "abcdef0123456789");
  EXPECT_EQ(kohya->shortHash(), "abcdef012345");
  EXPECT_EQ(lib.findByHash(ModelCategory::Lora, "abcdef012345"), kohya);
  // find(): the name first, the hash when the name is unknown (a renamed file).
  EXPECT_EQ(lib.find(ModelCategory::Lora, "kohya"), kohya);
  EXPECT_EQ(lib.find(ModelCategory::Lora, detail->shortHash()), detail);
}

TEST(ModelLibrary, AFolderReachedTwiceIsListedOnce) {
  const auto dir = lienzo::testing::makeTempDir("lib-dup");
  writeTinySafetensors(dir / "webui/models/Lora/one.safetensors",
                       lienzo::testing::kohyaSdLora(768));
  fs::create_directories(dir / "comfy/models/checkpoints");
  lienzo::testing::writeBytes(dir / "comfy/extra_model_paths.yaml",
                              "a111:\n  base_path: ../webui\n  loras: models/Lora\n");
  fs::create_directory_symlink(dir / "webui/models/Lora", dir / "linked");
  ScanReport report;
  const auto lib = scanOnce({{RootKind::A1111, dir / "webui", std::nullopt},
                             {RootKind::ComfyUI, dir / "comfy", std::nullopt},
                             folderRoot(dir / "linked", ModelCategory::Lora)},
                            dir / "cache.json", report);
  ASSERT_EQ(lib.entries().size(), 1u);
  EXPECT_EQ(lib.entries()[0].folderOrigin, "A1111 models/Lora");
}

TEST(ModelLibrary, FolderWithoutCategoryTellsFilesApartByHeader) {
  const auto dir = lienzo::testing::makeTempDir("lib-auto");
  const auto mixed = dir / "mixed";
  writeTinySafetensors(mixed / "lora.safetensors", lienzo::testing::kohyaSdLora(768));
  writeTinySafetensors(mixed / "ti.safetensors", {{"clip_l", {1, 768}}, {"clip_g", {1, 1280}}});
  writeTinySafetensors(mixed / "ckpt.safetensors",
                       {{"cond_stage_model.transformer.text_model.x", {1}},
                        {"model.diffusion_model.input_blocks.0.0.weight", {8, 4, 3, 3}}});
  writeTinySafetensors(mixed / "other.safetensors", {{"something.else", {1}}});
  ScanReport report;
  const auto lib = scanOnce({folderRoot(mixed, std::nullopt)}, dir / "cache.json", report);
  EXPECT_EQ(lib.entries().size(), 3u);
  EXPECT_EQ(lib.findByName(ModelCategory::Lora, "lora")->family.family, ModelFamily::SD1);
  EXPECT_EQ(lib.findByName(ModelCategory::Embedding, "ti")->family.family, ModelFamily::SDXL);
  EXPECT_EQ(lib.findByName(ModelCategory::Checkpoint, "ckpt")->family.family, ModelFamily::SD1);
  ScanReport again;
  scanOnce({folderRoot(mixed, std::nullopt)}, dir / "cache.json", again);
  EXPECT_EQ(again.files, 3u);
  EXPECT_EQ(again.headersRead, 0u);  // "not a model" is cached too
}

TEST(ModelLibrary, QuickListingAndCancel) {
  const auto dir = lienzo::testing::makeTempDir("lib-quick");
  for (int i = 0; i < 5; ++i)
    writeTinySafetensors(dir / "l" / ("f" + std::to_string(i) + ".safetensors"),
                         lienzo::testing::kohyaSdLora(768), {}, static_cast<char>(i));
  const std::vector<LibraryRoot> roots = {folderRoot(dir / "l", ModelCategory::Lora)};
  ScanOptions quick;
  quick.hash = false;
  ScanReport report;
  const auto lib = scanOnce(roots, dir / "cache.json", report, quick);
  EXPECT_EQ(report.files, 5u);
  EXPECT_EQ(report.hashed, 0u);
  EXPECT_TRUE(lib.entries()[0].sha256.empty());
  EXPECT_EQ(lib.entries()[0].family.family, ModelFamily::SD1);

  std::atomic<bool> cancel{false};
  ScanOptions cancelling;
  cancelling.cancel = &cancel;
  std::size_t seen = 0;
  cancelling.progress = [&](const LibraryEntry&, std::size_t, std::size_t total) {
    EXPECT_EQ(total, 5u);
    if (++seen == 2) cancel = true;
  };
  ScanReport cancelled;
  const auto partial = scanOnce(roots, dir / "cache.json", cancelled, cancelling);
  EXPECT_TRUE(cancelled.cancelled);
  EXPECT_EQ(partial.entries().size(), 2u);
}

TEST(ModelLibrary, GgufTransformersInComfyUiUnetFoldersAreCheckpoints) {
  const auto dir = lienzo::testing::makeTempDir("lib-gguf");
  for (const char* sub : {"models/checkpoints", "models/unet", "models/diffusion_models"})
    fs::create_directories(dir / sub);  // a ComfyUI install
  GgufTensorToWrite t;
  t.name = "double_blocks.0.img_attn.qkv.weight";
  t.type = GgmlType::F32;
  t.shape = {2, 4};
  t.bytes.assign(2 * 4 * 4, '\0');
  writeGguf(dir / "models/unet/flux1-dev-Q8_0.gguf", {t},
            {{"general.architecture", ggufString("flux")}});
  writeGguf(dir / "models/diffusion_models/sd3.5_medium-Q4_0.gguf",
            {{"joint_blocks.0.x_block.attn.qkv.weight",
              GgmlType::F32,
              {2, 4},
              std::string(2 * 4 * 4, '\0'),
              {}}});  // sd.cpp style: the family from the names
  writeGguf(dir / "models/unet/t5xxl-Q8_0.gguf", {t}, {{"general.architecture", ggufString("t5")}});
  lienzo::testing::writeBytes(dir / "models/unet/broken.gguf", std::string("GGUF\x03\0\0\0", 8));

  ScanReport report;
  const auto lib = scanOnce({{RootKind::ComfyUI, dir, std::nullopt}}, dir / "cache.json", report);
  const LibraryEntry* flux = nullptr;
  const LibraryEntry* sd3 = nullptr;
  const LibraryEntry* broken = nullptr;
  const LibraryEntry* t5 = nullptr;
  for (const auto& e : lib.entries()) {
    if (e.name == "t5xxl-Q8_0") t5 = &e;
    if (e.name == "flux1-dev-Q8_0") flux = &e;
    if (e.name == "sd3.5_medium-Q4_0") sd3 = &e;
    if (e.name == "broken") broken = &e;
  }
  ASSERT_NE(flux, nullptr);
  EXPECT_EQ(flux->category, ModelCategory::Checkpoint);
  EXPECT_EQ(flux->family.family, ModelFamily::Flux);
  EXPECT_TRUE(flux->loadable);
  EXPECT_EQ(flux->folderOrigin, "ComfyUI models/unet");
  ASSERT_NE(sd3, nullptr);
  EXPECT_EQ(sd3->family.family, ModelFamily::SD3);
  EXPECT_EQ(sd3->folderOrigin, "ComfyUI models/diffusion_models");
  // A T5 encoder in a checkpoint folder and a broken file are listed as not loadable, with why.
  ASSERT_NE(t5, nullptr);
  EXPECT_FALSE(t5->loadable);
  EXPECT_NE(t5->note.find("architecture \"t5\""), std::string::npos) << t5->note;
  ASSERT_NE(broken, nullptr);
  EXPECT_FALSE(broken->loadable);
  EXPECT_FALSE(broken->note.empty());
}
