// Step previews and the fast decode through generate() on the tiny SD1 fixture model with the
// TAESD fixture (taesd/taesd-random.safetensors): TAESD previews are the decoder's picture of
// each step's x0, full-VAE previews come every N steps, a missing TAESD falls back to linear
// with one notice, the fast decode is marked "VAE Decoder: TAESD"; the TAESD file lookup, the
// vae-approx library category and the infotext key. Sizes and cases come from the fixtures.
#include "core/io/infotext.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_header.h"
#include "core/library/family_guess.h"
#include "core/library/library_layout.h"
#include "core/model/taesd.h"
#include "core/pipeline/params_infotext.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/step_preview.h"
#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

const char* kTaesd = "taesd/taesd-random.safetensors";

struct Recorder : GenerationObserver {
  std::vector<StepProgress> steps;
  void onStep(const StepProgress& p) override { steps.push_back(p); }
};

/// Pixels per latent pixel of the tiny SD1 VAE (its config).
int vaeFactor() {
  const auto config = testing::readJsonFixture("sd1/tiny-sd1.config.json");
  return 1 << (static_cast<int>(config["vae"]["ddconfig"]["ch_mult"].size()) - 1);
}

GenerationParams smallRequest() {
  GenerationParams p = testing::goldenTxt2imgParams();
  p.steps = 4;
  return p;
}

TEST(StepPreview, TaesdEveryStepIsFullSizeAndFallsBackToLinearWithANotice) {
  const auto bundle = testing::tinySd1Bundle();
  GenerationParams p = smallRequest();
  p.preview.method = PreviewMethod::Taesd;
  p.preview.taesdBudget = 0.0;  // every step
  p.preview.taesd = testing::fixturePath(kTaesd);
  Recorder rec;
  const GenerationResult r = generate(*bundle, p, &rec);
  EXPECT_TRUE(r.previewNotice.empty()) << r.previewNotice;
  ASSERT_EQ(static_cast<int>(rec.steps.size()), p.steps);
  const int latentW = p.width / vaeFactor(), latentH = p.height / vaeFactor();
  for (const auto& s : rec.steps) {
    // The decoder's 8x upsampling of the latent (not the linear latent-resolution picture).
    EXPECT_EQ(s.preview.width, latentW * 8);
    EXPECT_EQ(s.preview.height, latentH * 8);
    EXPECT_EQ(s.preview.pixels.size(), std::size_t(latentW * 8 * latentH * 8 * 3));
  }
  // Missing: linear previews at latent resolution, one sentence in previewNotice.
  p.preview.taesd = testing::makeTempDir("no-taesd");
  Recorder linear;
  const GenerationResult fallback = generate(*bundle, p, &linear);
  EXPECT_NE(fallback.previewNotice.find("TAESD"), std::string::npos);
  EXPECT_NE(fallback.previewNotice.find("linear"), std::string::npos) << fallback.previewNotice;
  ASSERT_EQ(static_cast<int>(linear.steps.size()), p.steps);
  for (const auto& s : linear.steps) EXPECT_EQ(s.preview.width, latentW);
  // The same picture either way: previews never change the sampling.
  EXPECT_EQ(fallback.images.at(0).image.pixels, r.images.at(0).image.pixels);
}

TEST(StepPreview, TaesdPreviewIsTheDecoderPictureOfX0) {
  // The preview of a step equals taesdToRgb(decoder(x0)) for the x0 the sampler reported: here
  // checked on a fixed latent through StepPreviewer directly.
  const auto bundle = testing::tinySd1Bundle();
  GenerationParams p = smallRequest();
  p.preview.method = PreviewMethod::Taesd;
  p.preview.taesdBudget = 0.0;
  p.preview.taesd = testing::fixturePath(kTaesd);
  std::string notice;
  StepPreviewer previewer(*bundle, p, notice);
  ASSERT_TRUE(notice.empty()) << notice;
  ASSERT_EQ(previewer.method(), PreviewMethod::Taesd);
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(testing::fixturePath("taesd/golden_taesd.safetensors"));
  const at::Tensor z = golden.load("decode0.z", at::kFloat);
  previewer.startRun();
  const RgbImage image = previewer.preview(z, 0, 2);
  const at::Tensor expected = golden.load("decode0.out_u8");  // [1,H,W,3]
  ASSERT_EQ(image.height, expected.size(1));
  ASSERT_EQ(image.width, expected.size(2));
  const at::Tensor ours = at::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                                        {1, image.height, image.width, 3}, at::kByte);
  EXPECT_LE((ours.to(at::kInt) - expected.to(at::kInt)).abs().max().item<int>(), 1);
}

TEST(StepPreview, FullVaeEveryNStepsNeverAtTheLast) {
  const auto bundle = testing::tinySd1Bundle();
  GenerationParams p = smallRequest();
  p.steps = 5;
  p.preview.method = PreviewMethod::FullVae;
  p.preview.vaeEvery = 2;
  Recorder rec;
  (void)generate(*bundle, p, &rec);
  ASSERT_EQ(static_cast<int>(rec.steps.size()), p.steps);
  for (const auto& s : rec.steps) {
    const bool expected = (s.step + 1) % 2 == 0 && s.step + 1 < p.steps;
    EXPECT_EQ(!s.preview.empty(), expected) << "step " << s.step;
    if (expected) {
      EXPECT_EQ(s.preview.width, p.width);  // the model's own VAE: full size
    }
  }
  p.preview.vaeEvery = 0;
  EXPECT_THROW(validateParams(p), GenerationError);
  p.preview.vaeEvery = 1;
  p.preview.taesdBudget = 1.5;
  EXPECT_THROW(validateParams(p), GenerationError);
}

TEST(StepPreview, FastDecodeIsMarkedAndFallsBackToTheVae) {
  const auto bundle = testing::tinySd1Bundle();
  GenerationParams p = smallRequest();
  p.fastDecode = true;
  p.preview.taesd = testing::fixturePath(kTaesd);
  const GenerationResult fast = generate(*bundle, p);
  ASSERT_EQ(fast.images.size(), 1u);
  EXPECT_TRUE(fast.previewNotice.empty()) << fast.previewNotice;
  EXPECT_NE(fast.images[0].infotext.find("VAE Decoder: TAESD"), std::string::npos);
  EXPECT_EQ(fast.images[0].image.width, p.width);
  EXPECT_TRUE(fast.images[0].params.fastDecode);
  // Without TAESD: the model's VAE, no mark, a notice.
  p.preview.taesd = testing::makeTempDir("no-taesd");
  const GenerationResult full = generate(*bundle, p);
  EXPECT_EQ(full.images.at(0).infotext.find("VAE Decoder"), std::string::npos);
  EXPECT_NE(full.previewNotice.find("VAE"), std::string::npos) << full.previewNotice;
  EXPECT_FALSE(full.images[0].params.fastDecode);
  EXPECT_NE(full.images[0].image.pixels, fast.images[0].image.pixels);
  // The key reads back; its absence means the full VAE.
  GenerationParams base;
  base.fastDecode = true;
  EXPECT_TRUE(applyInfotext(parseInfotext(fast.images[0].infotext), base).params.fastDecode);
  EXPECT_FALSE(applyInfotext(parseInfotext(full.images[0].infotext), base).params.fastDecode);
}

TEST(StepPreview, TaesdFileLookup) {
  const fs::path dir = testing::makeTempDir("vae-approx");
  EXPECT_TRUE(findTaesdDecoder(ModelFamily::SD1, {dir}).empty());
  std::ofstream(dir / "taesdxl_decoder.safetensors") << "x";
  EXPECT_TRUE(findTaesdDecoder(ModelFamily::SD1, {dir}).empty()) << "SDXL's is not SD1's";
  EXPECT_EQ(findTaesdDecoder(ModelFamily::SDXL, {dir}), dir / "taesdxl_decoder.safetensors");
  fs::create_directories(dir / "taesd");
  std::ofstream(dir / "taesd" / "diffusion_pytorch_model.safetensors") << "x";
  EXPECT_EQ(findTaesdDecoder(ModelFamily::SD2, {dir}),
            dir / "taesd" / "diffusion_pytorch_model.safetensors");
  std::ofstream(dir / "taesd_decoder.safetensors") << "x";
  EXPECT_EQ(findTaesdDecoder(ModelFamily::SD1, {dir}), dir / "taesd_decoder.safetensors");
  // A file is used as given; the built-in model has no TAESD.
  EXPECT_EQ(findTaesdDecoder(ModelFamily::SD1, {dir / "taesdxl_decoder.safetensors", dir}),
            dir / "taesdxl_decoder.safetensors");
  EXPECT_TRUE(findTaesdDecoder(ModelFamily::LienzoBuiltin, {dir}).empty());
}

TEST(StepPreview, VaeApproxLibraryCategory) {
  for (const char* name : {"vae-approx", "VAE-approx", "vae_approx", "taesd"})
    EXPECT_EQ(parseCategory(name), ModelCategory::VaeApprox) << name;
  const fs::path root = testing::makeTempDir("a1111");
  fs::create_directories(root / "models" / "Stable-diffusion");
  EXPECT_EQ(categoryFolders({{RootKind::A1111, root, std::nullopt}}, ModelCategory::VaeApprox),
            std::vector<fs::path>{(root / "models/VAE-approx").lexically_normal()});
  // The fixture's header is told apart from a VAE, a checkpoint, a LoRA.
  const auto header = readSafetensorsHeader(testing::fixturePath(kTaesd));
  EXPECT_EQ(classifyHeader(header), ModelCategory::VaeApprox);
  EXPECT_NE(guessFamily(ModelCategory::VaeApprox, header).basis.find("TAESD"), std::string::npos);
}

}  // namespace
}  // namespace lienzo
