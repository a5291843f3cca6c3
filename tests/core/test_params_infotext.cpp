#include "core/pipeline/params_infotext.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

TEST(ParamsInfotext, RoundTrip) {
  GenerationParams p;
  p.prompt = "una estrella, (roja:1.2)\nsegunda línea";
  p.negativePrompt = "borroso";
  p.seed = 1234567890;
  p.steps = 28;
  p.cfgScale = 6.5;
  p.sampler = "DPM++ 2M";
  p.schedule = "Karras";
  p.width = 640;
  p.height = 448;
  p.clipSkip = 2;
  ModelDescription model;
  model.name = "v1-5";
  model.hash = "6ce0161689";
  const std::string text = formatInfotext(toInfotext(p, &model));
  EXPECT_NE(text.find("Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, "
                      "Seed: 1234567890, Size: 640x448, Model hash: 6ce0161689, Model: v1-5, "
                      "Clip skip: 2, RNG: CPU"),
            std::string::npos)
      << text;
  const auto restored = applyInfotext(parseInfotext(text), GenerationParams{});
  EXPECT_EQ(restored.params.prompt, p.prompt);
  EXPECT_EQ(restored.params.negativePrompt, p.negativePrompt);
  EXPECT_EQ(restored.params.seed, p.seed);
  EXPECT_EQ(restored.params.steps, p.steps);
  EXPECT_DOUBLE_EQ(restored.params.cfgScale, p.cfgScale);
  EXPECT_EQ(restored.params.sampler, p.sampler);
  EXPECT_EQ(restored.params.schedule, p.schedule);
  EXPECT_EQ(restored.params.width, p.width);
  EXPECT_EQ(restored.params.height, p.height);
  EXPECT_EQ(restored.params.clipSkip, p.clipSkip);
  EXPECT_EQ(restored.modelName, "v1-5");
  EXPECT_EQ(restored.modelHash, "6ce0161689");
  EXPECT_TRUE(restored.skipped.empty());
}

TEST(ParamsInfotext, OldSamplerNamesSplitTheSchedule) {
  const auto restored = applyInfotext(
      parseInfotext(
          "cat\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x768"),
      GenerationParams{});
  EXPECT_EQ(restored.params.sampler, "DPM++ 2M");
  EXPECT_EQ(restored.params.schedule, "Karras");
  EXPECT_EQ(restored.params.height, 768);
}

TEST(ParamsInfotext, EverySamplerAndScheduleRoundTripsAndLegacyNamesSplit) {
  for (const auto& sampler : samplerCatalog()) {
    for (const auto& schedule : scheduleTypes()) {
      SCOPED_TRACE(sampler.name + " / " + schedule);
      GenerationParams p;
      p.sampler = sampler.name;
      p.schedule = schedule;
      GenerationParams base;
      base.schedule = "Automatic";
      const auto back = applyInfotext(parseInfotext(formatInfotext(toInfotext(p))), base);
      EXPECT_EQ(back.params.sampler, sampler.name);
      EXPECT_EQ(back.params.schedule, schedule);
      if (schedule == "Automatic") continue;
      // Older A1111: "Sampler: DPM++ 2M Polyexponential", no Schedule type.
      const auto legacy = applyInfotext(
          parseInfotext("p\nSteps: 20, Sampler: " + sampler.name + " " + schedule + ", Seed: 1"),
          base);
      EXPECT_EQ(legacy.params.sampler, sampler.name);
      EXPECT_EQ(legacy.params.schedule, schedule);
    }
  }
  // Aliases become canonical names; an explicit Schedule type wins over a legacy suffix; unknown
  // names are kept as written.
  const auto aliases = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: k_euler_a, Schedule type: Normal, Seed: 1"), {});
  EXPECT_EQ(aliases.params.sampler, "Euler a");
  EXPECT_EQ(aliases.params.schedule, "Uniform");
  const auto explicitType = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: DPM++ 2M Karras, Schedule type: Exponential, Seed: 1"),
      {});
  EXPECT_EQ(explicitType.params.sampler, "DPM++ 2M");
  EXPECT_EQ(explicitType.params.schedule, "Exponential");
  const auto unknown = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: DPM fast, Schedule type: Beta, Seed: 1"), {});
  EXPECT_EQ(unknown.params.sampler, "DPM fast");
  EXPECT_EQ(unknown.params.schedule, "Beta");
}

TEST(ParamsInfotext, BadValuesAreSkippedNotFatal) {
  GenerationParams base;
  base.steps = 33;
  const auto restored = applyInfotext(
      parseInfotext("dog\nSteps: many, Sampler: Euler, CFG scale: 7, Size: huge"), base);
  EXPECT_EQ(restored.params.steps, 33);
  EXPECT_EQ(restored.params.sampler, "Euler");
  EXPECT_EQ(restored.skipped.size(), 2u);
}

// ---- img2img / inpainting / outpainting / hires fix ------------------------------------------

RgbImage picture(int w, int h) {
  RgbImage img;
  img.width = w;
  img.height = h;
  img.pixels.assign(static_cast<std::size_t>(w) * h * 3, 128);
  return img;
}

GrayImage maskOf(int w, int h) {
  GrayImage m;
  m.width = w;
  m.height = h;
  m.pixels.assign(static_cast<std::size_t>(w) * h, 255);
  return m;
}

/// The parameter line's keys in order.
std::vector<std::string> keys(const Infotext& info) {
  std::vector<std::string> out;
  for (const auto& f : info.fields) out.push_back(f.first);
  return out;
}

/// toInfotext -> text -> applyInfotext onto `base`.
RestoredParams roundTrip(const GenerationParams& p, const GenerationParams& base = {}) {
  return applyInfotext(parseInfotext(formatInfotext(toInfotext(p))), base);
}

TEST(ParamsInfotext, Txt2ImgTextIsUnchangedByTheEditAndHiresFields) {
  GenerationParams p;
  p.prompt = "a red fox";
  p.negativePrompt = "blurry";
  p.seed = 5;
  // Edit options without an init picture, hires options with the hires fix off: not written.
  p.edit.strength = 0.3;
  p.edit.maskBlur = 9;
  p.edit.fixedSteps = true;
  p.edit.resizeMode = ResizeMode::Crop;
  p.hires.denoise = 0.4;
  p.hires.steps = 12;
  p.hires.upscaler = "Lanczos";
  const Infotext info = toInfotext(p);
  const auto version = info.get("Version");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->rfind("Lienzo ", 0), 0u);
  EXPECT_EQ(formatInfotext(info),
            "a red fox\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
            "Seed: 5, Size: 512x512, RNG: CPU, Version: " +
                *version);
}

TEST(ParamsInfotext, Img2ImgKeysInA1111Order) {
  GenerationParams p;
  p.prompt = "castle";
  p.seed = 1;
  p.clipSkip = 2;
  p.edit.initImage = picture(8, 8);
  p.edit.strength = 0.55;
  ModelDescription model;
  model.name = "m";
  model.hash = "0123456789";
  const Infotext info = toInfotext(p, &model);
  const std::vector<std::string> expected = {
      "Steps",     "Sampler",    "CFG scale", "Seed",
      "Size",      "Model hash", "Model",     "Denoising strength",
      "Clip skip", "RNG",        "Version"};
  EXPECT_EQ(keys(info), expected);
  EXPECT_EQ(info.get("Denoising strength"), "0.55");
  const auto back = roundTrip(p);
  EXPECT_DOUBLE_EQ(back.params.edit.strength, 0.55);
  EXPECT_FALSE(back.params.edit.fixedSteps);
  EXPECT_FALSE(back.params.hires.enabled());
  EXPECT_TRUE(back.skipped.empty());
  // The picture is not in the text: the caller supplies it.
  EXPECT_TRUE(back.params.edit.initImage.empty());
}

TEST(ParamsInfotext, Img2ImgLienzoKeysRoundTrip) {
  GenerationParams p;
  p.prompt = "castle";
  p.edit.initImage = picture(8, 8);
  p.edit.strength = 1.0;
  p.edit.resizeMode = ResizeMode::Fill;
  p.edit.fixedSteps = true;
  const Infotext info = toInfotext(p);
  EXPECT_EQ(info.get("Denoising strength"), "1");
  EXPECT_EQ(info.get("Resize mode"), "Resize and fill");
  EXPECT_EQ(info.get("Img2img steps"), "fixed");
  EXPECT_FALSE(info.get("Mask blur").has_value());  // no mask: no inpainting keys
  GenerationParams base;
  base.edit.strength = 0.2;
  const auto back = roundTrip(p, base);
  EXPECT_DOUBLE_EQ(back.params.edit.strength, 1.0);
  EXPECT_EQ(back.params.edit.resizeMode, ResizeMode::Fill);
  EXPECT_TRUE(back.params.edit.fixedSteps);
  p.edit.resizeMode = ResizeMode::Crop;
  EXPECT_EQ(toInfotext(p).get("Resize mode"), "Crop and resize");
  EXPECT_EQ(roundTrip(p).params.edit.resizeMode, ResizeMode::Crop);
  // Absent in an img2img text: A1111's defaults, not the base's.
  base.edit.fixedSteps = true;
  base.edit.resizeMode = ResizeMode::Crop;
  p.edit.fixedSteps = false;
  p.edit.resizeMode = ResizeMode::Just;
  const auto plain = roundTrip(p, base);
  EXPECT_FALSE(plain.params.edit.fixedSteps);
  EXPECT_EQ(plain.params.edit.resizeMode, ResizeMode::Just);
}

TEST(ParamsInfotext, InpaintingKeysRoundTrip) {
  GenerationParams p;
  p.prompt = "a door";
  p.edit.initImage = picture(8, 8);
  p.edit.mask = maskOf(8, 8);
  p.edit.strength = 0.8;
  p.edit.invertMask = true;
  p.edit.maskBlur = 6;
  p.edit.inpaintArea = InpaintArea::OnlyMasked;
  p.edit.inpaintPadding = 48;
  p.edit.maskedContent = MaskedContent::LatentNoise;
  p.edit.maskWeight = 0.5;
  const Infotext info = toInfotext(p);
  const std::vector<std::string> expected = {"Steps",
                                             "Sampler",
                                             "CFG scale",
                                             "Seed",
                                             "Size",
                                             "Denoising strength",
                                             "Conditional mask weight",
                                             "RNG",
                                             "Mask mode",
                                             "Mask blur",
                                             "Inpaint area",
                                             "Masked area padding",
                                             "Masked content",
                                             "Version"};
  EXPECT_EQ(keys(info), expected);
  EXPECT_EQ(info.get("Mask mode"), "Inpaint not masked");
  EXPECT_EQ(info.get("Mask blur"), "6");
  EXPECT_EQ(info.get("Inpaint area"), "Only masked");
  EXPECT_EQ(info.get("Masked area padding"), "48");
  EXPECT_EQ(info.get("Masked content"), "latent noise");
  EXPECT_EQ(info.get("Conditional mask weight"), "0.5");
  const auto back = roundTrip(p);
  const EditParams& e = back.params.edit;
  EXPECT_DOUBLE_EQ(e.strength, 0.8);
  EXPECT_TRUE(e.invertMask);
  EXPECT_EQ(e.maskBlur, 6);
  EXPECT_EQ(e.inpaintArea, InpaintArea::OnlyMasked);
  EXPECT_EQ(e.inpaintPadding, 48);
  EXPECT_EQ(e.maskedContent, MaskedContent::LatentNoise);
  EXPECT_DOUBLE_EQ(e.maskWeight, 0.5);
  EXPECT_TRUE(back.skipped.empty());

  for (const auto& [content, label] : {std::pair{MaskedContent::Fill, "fill"},
                                       std::pair{MaskedContent::LatentNothing, "latent nothing"}}) {
    p.edit.maskedContent = content;
    EXPECT_EQ(toInfotext(p).get("Masked content"), label);
    EXPECT_EQ(roundTrip(p).params.edit.maskedContent, content);
  }
  // The defaults: A1111 writes no Mask mode, Inpaint area, Masked content or mask weight; Lienzo
  // still writes Mask blur (also 0).
  p.edit.invertMask = false;
  p.edit.inpaintArea = InpaintArea::WholePicture;
  p.edit.maskedContent = MaskedContent::Original;
  p.edit.maskWeight = 1.0;
  p.edit.maskBlur = 0;
  const Infotext plain = toInfotext(p);
  for (const char* key : {"Mask mode", "Inpaint area", "Masked area padding", "Masked content",
                          "Conditional mask weight"})
    EXPECT_FALSE(plain.get(key).has_value()) << key;
  EXPECT_EQ(plain.get("Mask blur"), "0");
  GenerationParams base;
  base.edit.invertMask = true;
  base.edit.inpaintArea = InpaintArea::OnlyMasked;
  base.edit.maskedContent = MaskedContent::Fill;
  base.edit.maskWeight = 0.3;
  const auto restored = roundTrip(p, base);
  EXPECT_FALSE(restored.params.edit.invertMask);
  EXPECT_EQ(restored.params.edit.inpaintArea, InpaintArea::WholePicture);
  EXPECT_EQ(restored.params.edit.maskedContent, MaskedContent::Original);
  EXPECT_DOUBLE_EQ(restored.params.edit.maskWeight, 1.0);
  EXPECT_EQ(restored.params.edit.maskBlur, 0);
}

TEST(ParamsInfotext, ReadsA1111InpaintText) {
  const auto restored = applyInfotext(
      parseInfotext("a door\nSteps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, "
                    "Seed: 42, Size: 512x768, Model hash: 6ce0161689, Model: v1-5, "
                    "Denoising strength: 0.62, Conditional mask weight: 1.0, Mask blur: 4, "
                    "Inpaint area: Only masked, Masked area padding: 32, "
                    "Masked content: latent nothing, Mask mode: Inpaint not masked, "
                    "Version: v1.10.1"),
      GenerationParams{});
  const EditParams& e = restored.params.edit;
  EXPECT_DOUBLE_EQ(e.strength, 0.62);
  EXPECT_DOUBLE_EQ(e.maskWeight, 1.0);
  EXPECT_EQ(e.maskBlur, 4);
  EXPECT_EQ(e.inpaintArea, InpaintArea::OnlyMasked);
  EXPECT_EQ(e.inpaintPadding, 32);
  EXPECT_EQ(e.maskedContent, MaskedContent::LatentNothing);
  EXPECT_TRUE(e.invertMask);
  EXPECT_FALSE(restored.params.hires.enabled());
  EXPECT_TRUE(restored.skipped.empty());
}

TEST(ParamsInfotext, OutpaintKeysRoundTrip) {
  GenerationParams p;
  p.edit.initImage = picture(8, 8);
  p.edit.outpaintLeft = 64;
  p.edit.outpaintTop = 0;
  p.edit.outpaintRight = 128;
  p.edit.outpaintBottom = 8;
  p.edit.outpaintFill = OutpaintFill::Neutral;
  p.edit.outpaintFeather = 24;
  const std::string text = formatInfotext(toInfotext(p));
  EXPECT_NE(text.find("Outpaint: \"64,0,128,8\", Outpaint fill: neutral, Outpaint feather: 24"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Mask blur: 4"), std::string::npos);  // outpainting is inpainting
  const auto back = roundTrip(p);
  EXPECT_EQ(back.params.edit.outpaintLeft, 64);
  EXPECT_EQ(back.params.edit.outpaintTop, 0);
  EXPECT_EQ(back.params.edit.outpaintRight, 128);
  EXPECT_EQ(back.params.edit.outpaintBottom, 8);
  EXPECT_EQ(back.params.edit.outpaintFill, OutpaintFill::Neutral);
  EXPECT_EQ(back.params.edit.outpaintFeather, 24);
  EXPECT_TRUE(back.skipped.empty());
  p.edit.outpaintFill = OutpaintFill::EdgeStretch;
  EXPECT_EQ(toInfotext(p).get("Outpaint fill"), "stretch");
  EXPECT_EQ(roundTrip(p).params.edit.outpaintFill, OutpaintFill::EdgeStretch);
  // Malformed margins are skipped, not fatal.
  for (const char* bad : {"1,2,3", "1,2,3,4,5", "a,b,c,d", "1,2,,4"}) {
    const auto r = applyInfotext(
        parseInfotext(std::string("x\nSteps: 20, Seed: 1, Denoising strength: 0.5, Outpaint: \"") +
                      bad + "\""),
        GenerationParams{});
    EXPECT_EQ(r.skipped.size(), 1u) << bad;
    EXPECT_EQ(r.params.edit.outpaintLeft, 0) << bad;
  }
}

TEST(ParamsInfotext, HiresKeysRoundTrip) {
  GenerationParams p;
  p.prompt = "mountains, sunrise";
  p.negativePrompt = "lowres";
  p.sampler = "Euler a";
  p.hires.scale = 1.5;
  p.hires.steps = 12;
  p.hires.denoise = 0.45;
  p.hires.upscaler = "Latent (nearest-exact)";
  p.hires.sampler = "DPM++ 2M";
  p.hires.prompt = "mountains, sunrise, sharp";
  p.hires.negativePrompt = "lowres, blurry";
  const Infotext info = toInfotext(p);
  const std::vector<std::string> expected = {"Steps",
                                             "Sampler",
                                             "CFG scale",
                                             "Seed",
                                             "Size",
                                             "Denoising strength",
                                             "RNG",
                                             "Hires sampler",
                                             "Hires prompt",
                                             "Hires negative prompt",
                                             "Hires upscale",
                                             "Hires steps",
                                             "Hires upscaler",
                                             "Version"};
  EXPECT_EQ(keys(info), expected);
  EXPECT_EQ(info.get("Denoising strength"), "0.45");
  EXPECT_EQ(info.get("Hires upscale"), "1.5");
  const auto back = roundTrip(p);
  const HiresParams& h = back.params.hires;
  EXPECT_DOUBLE_EQ(h.scale, 1.5);
  EXPECT_EQ(h.width, 0);
  EXPECT_EQ(h.height, 0);
  EXPECT_EQ(h.steps, 12);
  EXPECT_DOUBLE_EQ(h.denoise, 0.45);
  EXPECT_EQ(h.upscaler, "Latent (nearest-exact)");
  EXPECT_EQ(h.sampler, "DPM++ 2M");
  EXPECT_EQ(h.prompt, p.hires.prompt);
  EXPECT_EQ(h.negativePrompt, p.hires.negativePrompt);
  EXPECT_TRUE(back.skipped.empty());
  // The edit's strength is untouched by the hires pass's Denoising strength.
  EXPECT_DOUBLE_EQ(back.params.edit.strength, EditParams{}.strength);

  // Resize instead of scale; "same as the first pass" values are not written.
  p.hires.scale = 0.0;
  p.hires.width = 1024;
  p.hires.height = 0;
  p.hires.steps = 0;
  p.hires.sampler = p.sampler;
  p.hires.prompt = "";
  p.hires.negativePrompt = p.negativePrompt;
  const Infotext resize = toInfotext(p);
  EXPECT_EQ(resize.get("Hires resize"), "1024x0");
  for (const char* key :
       {"Hires upscale", "Hires steps", "Hires sampler", "Hires prompt", "Hires negative prompt"})
    EXPECT_FALSE(resize.get(key).has_value()) << key;
  GenerationParams base;
  base.hires.sampler = "Heun";
  base.hires.prompt = "old";
  base.hires.steps = 9;
  const auto r = roundTrip(p, base);
  EXPECT_TRUE(r.params.hires.enabled());
  EXPECT_DOUBLE_EQ(r.params.hires.scale, 0.0);
  EXPECT_EQ(r.params.hires.width, 1024);
  EXPECT_EQ(r.params.hires.height, 0);
  EXPECT_EQ(r.params.hires.steps, 0);
  EXPECT_EQ(r.params.hires.sampler, "");
  EXPECT_EQ(r.params.hires.prompt, "");
}

TEST(ParamsInfotext, HiresOffWhenTheTextHasNoHiresKeys) {
  GenerationParams base;
  base.hires.scale = 2.0;
  base.hires.width = 1024;
  const auto r = applyInfotext(parseInfotext("cat\nSteps: 20, Sampler: Euler, Seed: 1"), base);
  EXPECT_FALSE(r.params.hires.enabled());
}

TEST(ParamsInfotext, ReadsA1111HiresText) {
  const auto r = applyInfotext(
      parseInfotext("cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, "
                    "Denoising strength: 0.7, Hires upscale: 2, Hires upscaler: R-ESRGAN 4x+, "
                    "Version: v1.10.1"),
      GenerationParams{});
  EXPECT_DOUBLE_EQ(r.params.hires.scale, 2.0);
  EXPECT_DOUBLE_EQ(r.params.hires.denoise, 0.7);
  EXPECT_EQ(r.params.hires.upscaler, "Latent");  // an upscaler Lienzo lacks: skipped
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0], "Hires upscaler: R-ESRGAN 4x+");
  EXPECT_DOUBLE_EQ(r.params.edit.strength, EditParams{}.strength);
  // Only an upscaler: A1111's default "Upscale by" 2.
  const auto only = applyInfotext(
      parseInfotext("cat\nSteps: 20, Seed: 1, Denoising strength: 0.5, Hires upscaler: Latent"),
      GenerationParams{});
  EXPECT_DOUBLE_EQ(only.params.hires.scale, 2.0);
  EXPECT_DOUBLE_EQ(only.params.hires.denoise, 0.5);
}

TEST(ParamsInfotext, EditWithHiresKeepsBothStrengths) {
  GenerationParams p;
  p.edit.initImage = picture(8, 8);
  p.edit.strength = 0.35;
  p.hires.scale = 2.0;
  p.hires.denoise = 0.6;
  const Infotext info = toInfotext(p);
  EXPECT_EQ(info.get("Denoising strength"), "0.35");
  EXPECT_EQ(info.get("Hires denoising strength"), "0.6");
  const auto back = roundTrip(p);
  EXPECT_DOUBLE_EQ(back.params.edit.strength, 0.35);
  EXPECT_DOUBLE_EQ(back.params.hires.denoise, 0.6);
  EXPECT_DOUBLE_EQ(back.params.hires.scale, 2.0);
}

TEST(ParamsInfotext, VaeTilingRoundTrip) {
  GenerationParams p;
  EXPECT_FALSE(toInfotext(p).get("VAE tiling").has_value());
  for (const auto& [mode, label] :
       {std::pair{VaeTiling::On, "on"}, std::pair{VaeTiling::Off, "off"}}) {
    p.vaeTiling = mode;
    EXPECT_EQ(toInfotext(p).get("VAE tiling"), label);
    EXPECT_EQ(roundTrip(p).params.vaeTiling, mode);
  }
  const auto r = applyInfotext(parseInfotext("x\nSteps: 2, Seed: 1, VAE tiling: sometimes"),
                               GenerationParams{});
  EXPECT_EQ(r.params.vaeTiling, VaeTiling::Auto);
  EXPECT_EQ(r.skipped.size(), 1u);
}

TEST(ParamsInfotext, BadEditValuesAreSkipped) {
  GenerationParams base;
  base.edit.maskBlur = 7;
  const auto r = applyInfotext(
      parseInfotext("x\nSteps: 20, Seed: 1, Denoising strength: lots, Mask blur: 4px, "
                    "Inpaint area: Somewhere, Masked content: noise, Mask mode: sideways, "
                    "Resize mode: Just resize (latent upscale), Img2img steps: some"),
      base);
  EXPECT_EQ(r.skipped.size(), 7u);
  EXPECT_EQ(r.params.edit.maskBlur, 7);
  EXPECT_DOUBLE_EQ(r.params.edit.strength, EditParams{}.strength);
}

// Flux dev: the distilled guidance (Forge's "Distilled CFG Scale"), the resolution shift and the
// T5 length are written from the model's facts and read back.
TEST(ParamsInfotext, FluxGuidanceShiftAndT5LengthRoundTrip) {
  GenerationParams p;
  p.prompt = "a red fox";
  p.cfgScale = 1.0;
  p.sampler = "Euler";
  ModelDescription dev;
  dev.name = "flux1-dev";
  dev.defaultGuidance = 3.5;
  dev.t5Length = 512;
  dev.flowResolutionShift = std::make_pair(0.5, 1.15);
  // Unset guidance: the model's default is what ran, so it is what the text says.
  std::string text = formatInfotext(toInfotext(p, &dev));
  EXPECT_NE(text.find("Distilled CFG Scale: 3.5, Base shift: 0.5, Max shift: 1.15, "
                      "T5 length: 512"),
            std::string::npos)
      << text;
  p.guidance = 2.25;
  text = formatInfotext(toInfotext(p, &dev));
  EXPECT_NE(text.find("Distilled CFG Scale: 2.25"), std::string::npos) << text;
  GenerationParams base;
  base.guidance = 9.0;  // replaced by the text's
  const auto r = applyInfotext(parseInfotext(text), base);
  ASSERT_TRUE(r.params.guidance.has_value());
  EXPECT_DOUBLE_EQ(*r.params.guidance, 2.25);
  EXPECT_EQ(r.t5Length, 512);
  ASSERT_TRUE(r.flowResolutionShift.has_value());
  EXPECT_DOUBLE_EQ(r.flowResolutionShift->first, 0.5);
  EXPECT_DOUBLE_EQ(r.flowResolutionShift->second, 1.15);
  EXPECT_FALSE(r.flowShift.has_value());
  EXPECT_TRUE(r.skipped.empty());

  // schnell: no guidance input, so a requested value is not recorded; its T5 length is.
  ModelDescription schnell;
  schnell.t5Length = 256;
  text = formatInfotext(toInfotext(p, &schnell));
  EXPECT_EQ(text.find("Distilled CFG Scale"), std::string::npos) << text;
  EXPECT_EQ(text.find("shift"), std::string::npos) << text;
  EXPECT_NE(text.find("T5 length: 256"), std::string::npos) << text;
  // A text without the key restores the model's default (unset), not the base's value.
  EXPECT_FALSE(applyInfotext(parseInfotext(text), base).params.guidance.has_value());

  // SD3's constant shift under Forge's key; the guidance spellings of other tools.
  ModelDescription sd3;
  sd3.flowShift = 3.0;
  text = formatInfotext(toInfotext(GenerationParams{}, &sd3));
  EXPECT_NE(text.find("Shift: 3"), std::string::npos) << text;
  EXPECT_DOUBLE_EQ(applyInfotext(parseInfotext(text), base).flowShift.value_or(0.0), 3.0);
  const auto other = applyInfotext(
      parseInfotext("x\nSteps: 20, Flux guidance: 4.5, Max shift: 1.2, T5 max length: 256"), base);
  EXPECT_DOUBLE_EQ(other.params.guidance.value_or(0.0), 4.5);
  EXPECT_DOUBLE_EQ(other.flowResolutionShift.value_or(std::make_pair(0.0, 0.0)).second, 1.2);
  EXPECT_DOUBLE_EQ(other.flowResolutionShift.value_or(std::make_pair(0.0, 0.0)).first, 0.5);
  EXPECT_EQ(other.t5Length, 256);
  const auto bad =
      applyInfotext(parseInfotext("x\nSteps: 20, Seed: 1, Distilled CFG Scale: lots"), base);
  EXPECT_FALSE(bad.params.guidance.has_value());
  ASSERT_EQ(bad.skipped.size(), 1u);
  EXPECT_EQ(bad.skipped[0], "Distilled CFG Scale: lots");
  // Without a model the request's own guidance is written.
  EXPECT_NE(formatInfotext(toInfotext(p)).find("Distilled CFG Scale: 2.25"), std::string::npos);
}

}  // namespace
}  // namespace lienzo
