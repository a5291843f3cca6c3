// generate() with edits beyond the goldens: outpainting, "only masked" inpainting, the hires fix
// (latent and Lanczos upscalers), 9-channel models with and without a mask, and refusals before
// any work. The pictures come from the inpaint fixture; sizes are read from it.
#include "core/edit/mask.h"
#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/pipeline/diffusion_model.h"
#include "core/pipeline/edit_validation.h"
#include "core/pipeline/hires_stage.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/pipeline.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace lienzo {
namespace {

template <typename Image>
Image pictureOf(const at::Tensor& u8) {
  const auto c = u8.to(at::kByte).contiguous();
  Image out;
  out.height = static_cast<int>(c.size(1));
  out.width = static_cast<int>(c.size(2));
  out.pixels.assign(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  return out;
}

struct Pictures {
  RgbImage image;
  GrayImage mask;
};

Pictures fixturePictures() {
  const auto file =
      SafetensorsFile::open(testing::fixturePath("inpaint/golden_inpaint.safetensors"));
  return {pictureOf<RgbImage>(file.load("image_u8", at::kByte)),
          pictureOf<GrayImage>(file.load("mask_u8", at::kByte))};
}

GenerationParams quickRequest() {
  GenerationParams p;
  p.prompt = "a red house";
  p.seed = 5;
  p.steps = 4;
  p.cfgScale = 5.0;
  p.sampler = "Euler";
  p.dtype = ComputeDType::F32;
  p.previews = false;
  return p;
}

/// Pixel (x, y) of an RGB picture, channel c.
int at3(const RgbImage& im, int x, int y, int c) {
  return im.pixels[(size_t(y) * im.width + x) * 3 + c];
}

TEST(EditPipeline, OutpaintGrowsTheCanvasAndKeepsTheOldPicture) {
  const Pictures pics = fixturePictures();
  GenerationParams p = quickRequest();
  p.edit.initImage = pics.image;
  p.edit.strength = 1.0;
  p.edit.outpaintLeft = 16;
  p.edit.outpaintBottom = 8;
  p.edit.outpaintFeather = 8;
  p.edit.maskBlur = 2;
  p.width = pics.image.width + 16;
  p.height = pics.image.height + 8;
  const GenerationResult r = generate(*testing::tinySd1Bundle(), p);
  ASSERT_EQ(r.images.size(), 1u);
  const RgbImage& out = r.images[0].image;
  EXPECT_EQ(out.width, p.width);
  EXPECT_EQ(out.height, p.height);
  // Beyond the feather and the blur's reach from the padded sides, the old picture's bytes.
  const int reach = p.edit.outpaintFeather + 3 * p.edit.maskBlur;
  int compared = 0;
  for (int y = 0; y < pics.image.height - reach; ++y)
    for (int x = reach; x < pics.image.width; ++x)
      for (int c = 0; c < 3; ++c, ++compared)
        ASSERT_EQ(at3(out, x + 16, y, c), at3(pics.image, x, y, c)) << x << "," << y;
  EXPECT_GT(compared, 0);
  // The new strip was painted (not left as the stretched edge).
  int changed = 0;
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < 8; ++x)
      changed += at3(out, x, y, 0) != at3(pics.image, 0, std::min(y, pics.image.height - 1), 0);
  EXPECT_GT(changed, 0);
}

TEST(EditPipeline, OnlyMaskedKeepsEveryUnmaskedByte) {
  const Pictures pics = fixturePictures();
  GenerationParams p = quickRequest();
  p.edit.initImage = pics.image;
  p.edit.mask = pics.mask;
  p.edit.strength = 0.8;
  p.edit.inpaintArea = InpaintArea::OnlyMasked;
  p.edit.inpaintPadding = 8;
  p.width = pics.image.width;
  p.height = pics.image.height;
  const GenerationResult r = generate(*testing::tinySd1Bundle(), p);
  ASSERT_EQ(r.images.size(), 1u);
  const RgbImage& out = r.images[0].image;
  ASSERT_EQ(out.width, pics.image.width);
  ASSERT_EQ(out.height, pics.image.height);
  const GrayImage blurred = edit::blurMask(pics.mask, p.edit.maskBlur);
  int kept = 0, repainted = 0;
  for (size_t i = 0; i < blurred.pixels.size(); ++i) {
    if (blurred.pixels[i] != 0) {
      for (int c = 0; c < 3; ++c)
        repainted += out.pixels[i * 3 + c] != pics.image.pixels[i * 3 + c];
      continue;
    }
    ++kept;
    for (int c = 0; c < 3; ++c) ASSERT_EQ(out.pixels[i * 3 + c], pics.image.pixels[i * 3 + c]);
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(repainted, 0);
  EXPECT_NE(r.images[0].infotext.find("Inpaint area: Only masked"), std::string::npos);
}

TEST(EditPipeline, HiresTargetFollowsA1111) {
  HiresParams h;
  h.scale = 2.0;
  HiresTarget t = hiresTarget(512, 512, h);
  EXPECT_EQ(t.width, 1024);
  EXPECT_EQ(t.height, 1024);
  h = HiresParams();
  h.width = 1024;  // height from the aspect ratio
  t = hiresTarget(512, 768, h);
  EXPECT_EQ(t.width, 1024);
  EXPECT_EQ(t.height, 1536);
  h.height = 1024;  // both: cover, then crop centrally in latent pixels
  t = hiresTarget(512, 768, h);
  EXPECT_EQ(t.upscaledWidth, 1024);
  EXPECT_EQ(t.upscaledHeight, 1536);
  EXPECT_EQ(t.truncateY, 64);
  EXPECT_EQ(t.width, 1024);
  EXPECT_EQ(t.height, 1024);
  const at::Tensor latent = at::randn({1, 4, 96, 64});
  for (const std::string& name : hiresUpscalers()) {
    if (!isLatentUpscaler(name)) continue;
    EXPECT_EQ(upscaleLatent(latent, name, t).sizes(), (at::IntArrayRef{1, 4, 128, 128})) << name;
  }
}

TEST(EditPipeline, HiresFixDoublesTheSizeFromTheSameSeed) {
  GenerationParams p = quickRequest();
  p.width = p.height = 64;
  for (const std::string upscaler : {"Latent", "Lanczos"}) {
    SCOPED_TRACE(upscaler);
    p.hires.scale = 2.0;
    p.hires.steps = 3;
    p.hires.denoise = 0.6;
    p.hires.upscaler = upscaler;
    const GenerationResult r = generate(*testing::tinySd1Bundle(), p);
    ASSERT_EQ(r.images.size(), 1u);
    EXPECT_EQ(r.images[0].image.width, 128);
    EXPECT_EQ(r.images[0].image.height, 128);
    EXPECT_NE(r.images[0].infotext.find("Hires upscaler: " + upscaler), std::string::npos)
        << r.images[0].infotext;
    // Deterministic for a seed.
    EXPECT_EQ(generate(*testing::tinySd1Bundle(), p).images[0].image.pixels,
              r.images[0].image.pixels);
  }
}

/// tiny-sd1 with the fixture's 9-channel inpainting U-Net.
std::shared_ptr<const ModelBundle> tinyInpainting() {
  auto bundle = std::make_shared<ModelBundle>(*testing::tinySd1Bundle());
  const auto path = testing::fixturePath("inpaint/tiny-sd1-inpainting.safetensors");
  const SafetensorsFile file = SafetensorsFile::open(path);
  UNetConfig config = UNetConfig::fromWeights(file, "model.diffusion_model.");
  const ModelOverrides overrides = readSidecarConfig(path);
  if (overrides.unetNumHeads) {
    config.numHeads = *overrides.unetNumHeads;
    config.numHeadChannels = -1;
  }
  UNet unet(config);
  loadModuleWeights(*unet, file, "model.diffusion_model.", at::kFloat, bundle->device);
  bundle->diffusion = makeUNetDiffusionModel(unet, at::kFloat, bundle->device);
  return bundle;
}

TEST(EditPipeline, NineChannelModelInpaintsAndRunsTxt2img) {
  const auto bundle = tinyInpainting();
  const Pictures pics = fixturePictures();
  GenerationParams p = quickRequest();
  p.width = pics.image.width;
  p.height = pics.image.height;
  EXPECT_EQ(generate(*bundle, p).images.size(), 1u);  // txt2img: mask 1, black picture
  p.edit.initImage = pics.image;
  p.edit.mask = pics.mask;
  p.edit.strength = 1.0;
  EXPECT_EQ(generate(*bundle, p).images.size(), 1u);
  p.edit.mask = GrayImage();  // an inpainting model given a picture but no mask
  try {
    generate(*bundle, p);
    ADD_FAILURE() << "an inpainting model with an init picture and no mask was accepted";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
    EXPECT_NE(std::string(e.what()).find("mask"), std::string::npos) << e.what();
  }
}

TEST(EditPipeline, BadEditsAreRefusedBeforeAnyWork) {
  const Pictures pics = fixturePictures();
  GenerationParams p = quickRequest();
  p.width = pics.image.width;
  p.height = pics.image.height;
  p.edit.initImage = pics.image;
  auto refuse = [&](const GenerationParams& q, const std::string& word) {
    try {
      generate(*testing::tinySd1Bundle(), q);
      ADD_FAILURE() << "accepted; expected a refusal naming " << word;
    } catch (const GenerationError& e) {
      EXPECT_EQ(e.code(), GenerationError::Code::InvalidParams);
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
    }
  };
  GenerationParams q = p;
  q.edit.strength = 1.5;
  refuse(q, "strength");
  q = p;
  q.edit.mask = pics.mask;
  q.edit.mask.width = pics.mask.height / 2;  // another size
  q.edit.mask.height = pics.mask.width * 2;
  refuse(q, "mask");
  q = p;
  q.edit.mask = pics.mask;
  std::fill(q.edit.mask.pixels.begin(), q.edit.mask.pixels.end(), 0);
  refuse(q, "mask");
  q = p;
  q.hires.scale = 2.0;
  refuse(q, "hires");
}

}  // namespace
}  // namespace lienzo

namespace lienzo {
namespace {

/// The fixture's codec, except that untiled passes (or every pass) fail as CUDA's allocator does.
class OutOfMemoryCodec final : public VaeCodec {
 public:
  OutOfMemoryCodec(std::shared_ptr<const VaeCodec> real, bool tiledFailsToo)
      : m_real(std::move(real)), m_tiledFailsToo(tiledFailsToo) {}
  bool hasDecoder() const override { return m_real->hasDecoder(); }
  bool hasEncoder() const override { return m_real->hasEncoder(); }
  at::Tensor encode(const at::Tensor& image, bool tiled) const override {
    fail(tiled);
    return m_real->encode(image, tiled);
  }
  at::Tensor decode(const at::Tensor& latent, bool tiled) const override {
    fail(tiled);
    return m_real->decode(latent, tiled);
  }
  int64_t factor() const override { return m_real->factor(); }
  int64_t latentChannels() const override { return m_real->latentChannels(); }
  LatentFormat latentFormat() const override { return m_real->latentFormat(); }
  uint64_t decodeBytes(int64_t h, int64_t w) const override { return m_real->decodeBytes(h, w); }
  uint64_t encodeBytes(int64_t h, int64_t w) const override { return m_real->encodeBytes(h, w); }
  mutable int untiledCalls = 0;
  mutable int tiledCalls = 0;

 private:
  void fail(bool tiled) const {
    ++(tiled ? tiledCalls : untiledCalls);
    if (!tiled || m_tiledFailsToo)
      throw std::runtime_error(
          "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)");
  }
  std::shared_ptr<const VaeCodec> m_real;
  bool m_tiledFailsToo;
};

TEST(EditPipeline, VaeOutOfMemoryIsRetriedInTilesOnceThenAClearError) {
  auto bundle = std::make_shared<ModelBundle>(*testing::tinySd1Bundle());
  const auto codec = std::make_shared<OutOfMemoryCodec>(bundle->vae, false);
  bundle->vae = codec;
  GenerationParams p = quickRequest();
  p.width = p.height = static_cast<int>(8 * codec->factor());
  p.vaeTiling = VaeTiling::Off;
  const GenerationResult r = generate(*bundle, p);
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(codec->untiledCalls, 1);
  EXPECT_EQ(codec->tiledCalls, 1);
  ASSERT_EQ(r.notices.size(), 1u);
  EXPECT_NE(r.notices[0].find("out of memory decoding"), std::string::npos) << r.notices[0];
  // The picture is the one a tiled decode gives in the first place.
  GenerationParams tiled = p;
  tiled.vaeTiling = VaeTiling::On;
  EXPECT_EQ(generate(*testing::tinySd1Bundle(), tiled).images[0].image.pixels,
            r.images[0].image.pixels);

  // Tiles out of memory too: one retry only, then GenerationError(OutOfMemory).
  bundle->vae = std::make_shared<OutOfMemoryCodec>(testing::tinySd1Bundle()->vae, true);
  try {
    generate(*bundle, p);
    ADD_FAILURE() << "no error";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory);
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos) << e.what();
  }
}

/// The fixture's diffusion model, except that batched calls (or every call) fail as CUDA's
/// allocator does.
class OutOfMemoryModel final : public DiffusionModel {
 public:
  OutOfMemoryModel(std::shared_ptr<const DiffusionModel> real, bool singleFailsToo)
      : m_real(std::move(real)), m_singleFailsToo(singleFailsToo) {}
  at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                     const at::Tensor& y, const UNetResiduals* residuals) const override {
    ++(x.size(0) > 1 ? batchedCalls : singleCalls);
    if (x.size(0) > 1 || m_singleFailsToo)
      throw std::runtime_error(
          "CUDA out of memory. Tried to allocate 1.50 GiB (GPU 0; 7.79 GiB total capacity)");
    return m_real->forward(x, t, context, y, residuals);
  }
  const UNetConfig* unetConfig() const override { return m_real->unetConfig(); }
  int64_t inChannels() const override { return m_real->inChannels(); }
  int64_t latentChannels() const override { return m_real->latentChannels(); }
  int64_t widthHint() const override { return m_real->widthHint(); }
  c10::ScalarType dtype() const override { return m_real->dtype(); }
  c10::Device device() const override { return m_real->device(); }
  mutable int batchedCalls = 0;
  mutable int singleCalls = 0;

 private:
  std::shared_ptr<const DiffusionModel> m_real;
  bool m_singleFailsToo;
};

TEST(EditPipeline, DiffusionOutOfMemoryRunsTheGuidanceHalvesInTurnThenAClearError) {
  const auto base = testing::tinySd1Bundle();
  auto bundle = std::make_shared<ModelBundle>(*base);
  const auto model = std::make_shared<OutOfMemoryModel>(base->diffusion, false);
  bundle->diffusion = model;
  GenerationParams p = quickRequest();
  p.width = p.height = 64;
  p.batchSize = 2;
  const GenerationResult r = generate(*bundle, p);
  ASSERT_EQ(r.images.size(), 2u);
  // One failed batched call per image's closure, then two single calls per step.
  EXPECT_EQ(model->batchedCalls, 2);
  EXPECT_EQ(model->singleCalls, 2 * 2 * p.steps);
  ASSERT_EQ(r.notices.size(), 1u);  // said once for the request
  EXPECT_NE(r.notices[0].find("ran out of memory"), std::string::npos) << r.notices[0];
  // The same pictures as the batched run, up to float rounding (at most 1 level in 255).
  const GenerationResult plain = generate(*base, p);
  for (size_t i = 0; i < r.images.size(); ++i) {
    ASSERT_EQ(plain.images[i].image.pixels.size(), r.images[i].image.pixels.size());
    int worst = 0;
    for (size_t k = 0; k < r.images[i].image.pixels.size(); ++k)
      worst = std::max(
          worst, std::abs(int(plain.images[i].image.pixels[k]) - int(r.images[i].image.pixels[k])));
    EXPECT_LE(worst, 1) << "image " << i;
  }

  // Single calls out of memory too: GenerationError(OutOfMemory), and the bundle (what the
  // studio's worker holds) still generates the next request.
  bundle->diffusion = std::make_shared<OutOfMemoryModel>(base->diffusion, true);
  p.batchSize = 1;
  try {
    generate(*bundle, p);
    ADD_FAILURE() << "no error";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory);
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos) << e.what();
  }
  bundle->diffusion = base->diffusion;
  EXPECT_EQ(generate(*bundle, p).images.size(), 1u);
}

}  // namespace
}  // namespace lienzo
