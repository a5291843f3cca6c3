// Generation parameters from A1111, ComfyUI and InvokeAI metadata, mapped to A1111 keys. The JSON
// inputs are hand-written in the shape those tools write.
#include "core/io/metadata_import.h"

#include <gtest/gtest.h>

namespace lienzo {
namespace {

// ComfyUI's default txt2img graph as its "prompt" chunk holds it (API format).
const char* kComfyDefault = R"json({
  "3": {"inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8, "sampler_name": "euler",
                   "scheduler": "normal", "denoise": 1, "model": ["4", 0],
                   "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]},
        "class_type": "KSampler", "_meta": {"title": "KSampler"}},
  "4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"},
        "class_type": "CheckpointLoaderSimple"},
  "5": {"inputs": {"width": 512, "height": 768, "batch_size": 1}, "class_type": "EmptyLatentImage"},
  "6": {"inputs": {"text": "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,",
                   "clip": ["4", 1]}, "class_type": "CLIPTextEncode"},
  "7": {"inputs": {"text": "text, watermark", "clip": ["4", 1]}, "class_type": "CLIPTextEncode"},
  "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]}, "class_type": "VAEDecode"},
  "9": {"inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}, "class_type": "SaveImage"}
})json";

// Two-pass ("hires fix") graph: LoRA + CLIPSetLastLayer, a ControlNet on the conditioning, a
// seed from a primitive node, the first pass is a KSamplerAdvanced, the second a KSampler on an
// upscaled latent. Node ids are deliberately out of order.
const char* kComfyHires = R"json({
  "12": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 10, "cfg": 4.5,
         "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 0.45, "model": ["20", 0],
         "positive": ["31", 0], "negative": ["31", 1], "latent_image": ["13", 0]}},
  "13": {"class_type": "LatentUpscale", "inputs": {"samples": ["40", 0], "upscale_method": "nearest-exact",
         "width": 1024, "height": 1536, "crop": "disabled"}},
  "40": {"class_type": "KSamplerAdvanced", "inputs": {"add_noise": "enable", "noise_seed": ["50", 0],
         "steps": 28, "cfg": 6.5, "sampler_name": "dpmpp_2m_sde_gpu", "scheduler": "karras",
         "start_at_step": 0, "end_at_step": 10000, "return_with_leftover_noise": "disable",
         "model": ["20", 0], "positive": ["31", 0], "negative": ["31", 1], "latent_image": ["41", 0]}},
  "41": {"class_type": "EmptyLatentImage", "inputs": {"width": 640, "height": 960, "batch_size": 2}},
  "50": {"class_type": "Seed (rgthree)", "inputs": {"seed": 987654321}},
  "19": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "SD1.5/dreamshaper_8.safetensors"}},
  "20": {"class_type": "LoraLoader", "inputs": {"lora_name": "style.safetensors", "strength_model": 0.8,
         "strength_clip": 0.8, "model": ["19", 0], "clip": ["19", 1]}},
  "21": {"class_type": "CLIPSetLastLayer", "inputs": {"stop_at_clip_layer": -2, "clip": ["20", 1]}},
  "22": {"class_type": "CLIPTextEncode", "inputs": {"text": "un castillo en las nubes, atardecer 🌅", "clip": ["21", 0]}},
  "23": {"class_type": "CLIPTextEncode", "inputs": {"text": "borroso,\nbaja calidad", "clip": ["21", 0]}},
  "30": {"class_type": "ControlNetLoader", "inputs": {"control_net_name": "canny.safetensors"}},
  "31": {"class_type": "ControlNetApplyAdvanced", "inputs": {"positive": ["22", 0], "negative": ["23", 0],
         "control_net": ["30", 0], "image": ["60", 0], "strength": 1, "start_percent": 0, "end_percent": 1}}
})json";

// InvokeAI 4.x core metadata.
const char* kInvoke = R"json({
  "generation_mode": "txt2img", "positive_prompt": "a lighthouse at dawn, oil painting",
  "negative_prompt": "", "width": 832, "height": 1216, "seed": 3210987, "rand_device": "cpu",
  "cfg_scale": 7.5, "cfg_rescale_multiplier": 0, "steps": 30, "scheduler": "dpmpp_2m_k",
  "clip_skip": 1, "model": {"key": "5a1b", "hash": "blake3:abcd", "name": "juggernautXL_v9",
  "base": "sdxl", "type": "main"}, "loras": [], "app_version": "4.2.4"})json";

TEST(MetadataImport, A1111ParametersWinAndAreParsed) {
  const std::map<std::string, std::string> chunks = {
      {"parameters", "a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, Seed: 7"},
      {"prompt", kComfyDefault}};
  const auto info = importGenerationMetadata(chunks);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a cat");
  EXPECT_EQ(info->negativePrompt, "dog");
  EXPECT_EQ(info->get("Sampler"), "Euler a");
  EXPECT_FALSE(info->get("Schedule type").has_value());
}

TEST(MetadataImport, LegacyCombinedSamplerNameIsSplit) {
  const auto info = importGenerationMetadata(
      {{"parameters", "p\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1"}});
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Sampler"), "DPM++ 2M");
  EXPECT_EQ(info->get("Schedule type"), "Karras");
  EXPECT_EQ(info->fields[2].first, "Schedule type");  // right after Sampler
  const auto sgm = importGenerationMetadata(
      {{"parameters", "p\nSteps: 4, Sampler: Euler SGM Uniform, Seed: 1"}});
  EXPECT_EQ(sgm->get("Sampler"), "Euler");
  EXPECT_EQ(sgm->get("Schedule type"), "SGM Uniform");
  // An explicit Schedule type is left alone.
  const auto explicitType = importGenerationMetadata(
      {{"parameters", "p\nSteps: 4, Sampler: DPM++ 2M Karras, Schedule type: Uniform, Seed: 1"}});
  EXPECT_EQ(explicitType->get("Sampler"), "DPM++ 2M Karras");
}

TEST(MetadataImport, ComfyUiDefaultGraph) {
  const auto info = importGenerationMetadata({{"prompt", kComfyDefault}, {"workflow", "{}"}});
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt,
            "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,");
  EXPECT_EQ(info->negativePrompt, "text, watermark");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Steps", "20"},
      {"Sampler", "Euler"},
      {"Schedule type", "Normal"},
      {"CFG scale", "8"},
      {"Seed", "156680208700286"},
      {"Size", "512x768"},
      {"Model", "v1-5-pruned-emaonly"}};
  EXPECT_EQ(info->fields, expected);
  // And it formats as A1111 text other tools can read.
  const std::string text = formatInfotext(*info);
  EXPECT_NE(text.find("Steps: 20, Sampler: Euler, Schedule type: Normal, CFG scale: 8"),
            std::string::npos);
}

TEST(MetadataImport, ComfyUiHiresGraphFollowsLinksThroughPassThroughNodes) {
  const auto info = importComfyUiPrompt(kComfyHires);
  ASSERT_TRUE(info.has_value());
  // The first pass (fed by the empty latent) is the one reported.
  EXPECT_EQ(info->prompt, "un castillo en las nubes, atardecer 🌅");
  EXPECT_EQ(info->negativePrompt, "borroso,\nbaja calidad");
  EXPECT_EQ(info->get("Steps"), "28");
  EXPECT_EQ(info->get("Sampler"), "DPM++ 2M SDE");
  EXPECT_EQ(info->get("Schedule type"), "Karras");
  EXPECT_EQ(info->get("CFG scale"), "6.5");
  EXPECT_EQ(info->get("Seed"), "987654321");
  EXPECT_EQ(info->get("Size"), "640x960");
  EXPECT_EQ(info->get("Model"), "dreamshaper_8");
  EXPECT_EQ(info->get("Clip skip"), "2");
  // The second KSampler on the upscaled latent is the hires pass.
  EXPECT_EQ(info->get("Denoising strength"), "0.45");
  EXPECT_EQ(info->get("Hires resize"), "1024x1536");
  EXPECT_EQ(info->get("Hires steps"), "10");
  EXPECT_EQ(info->get("Hires upscaler"), "Latent (nearest-exact)");
  EXPECT_EQ(info->get("Hires sampler"), "DPM++ 2M");
  EXPECT_FALSE(info->get("Hires prompt").has_value());  // the same conditioning
  EXPECT_FALSE(info->get("Img2img steps").has_value());
  // The quoted-value rules survive the formatting round trip.
  const Infotext back = parseInfotext(formatInfotext(*info));
  EXPECT_EQ(back.prompt, info->prompt);
  EXPECT_EQ(back.negativePrompt, info->negativePrompt);
  EXPECT_EQ(back.fields, info->fields);
}

TEST(MetadataImport, ComfyUiSamplerAndSchedulerNames) {
  EXPECT_EQ(comfyUiSamplerToA1111("euler"), "Euler");
  EXPECT_EQ(comfyUiSamplerToA1111("euler_ancestral"), "Euler a");
  EXPECT_EQ(comfyUiSamplerToA1111("dpmpp_2m"), "DPM++ 2M");
  EXPECT_EQ(comfyUiSamplerToA1111("dpmpp_2m_sde_gpu"), "DPM++ 2M SDE");
  EXPECT_EQ(comfyUiSamplerToA1111("dpmpp_2s_ancestral"), "DPM++ 2S a");
  EXPECT_EQ(comfyUiSamplerToA1111("dpm_2_ancestral"), "DPM2 a");
  EXPECT_EQ(comfyUiSamplerToA1111("lms"), "LMS");
  EXPECT_EQ(comfyUiSamplerToA1111("ddim"), "DDIM");
  EXPECT_EQ(comfyUiSamplerToA1111("uni_pc"), "UniPC");
  EXPECT_EQ(comfyUiSamplerToA1111("some_new_sampler"), "some_new_sampler");
  EXPECT_EQ(comfyUiSchedulerToA1111("karras"), "Karras");
  EXPECT_EQ(comfyUiSchedulerToA1111("exponential"), "Exponential");
  EXPECT_EQ(comfyUiSchedulerToA1111("sgm_uniform"), "SGM Uniform");
  EXPECT_EQ(comfyUiSchedulerToA1111("normal"), "Normal");
  EXPECT_EQ(comfyUiSchedulerToA1111("mystery"), "mystery");

  std::string graph = kComfyDefault;
  graph.replace(graph.find("\"euler\""), 7, "\"dpmpp_2m\"");
  graph.replace(graph.find("\"normal\""), 8, "\"karras\"");
  const auto info = importComfyUiPrompt(graph);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Sampler"), "DPM++ 2M");
  EXPECT_EQ(info->get("Schedule type"), "Karras");
}

TEST(MetadataImport, ComfyUiImg2ImgReportsDenoise) {
  std::string graph = kComfyDefault;
  graph.replace(graph.find("\"denoise\": 1"), 12, "\"denoise\": 0.6");
  const auto info = importComfyUiPrompt(graph);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Denoising strength"), "0.6");
}

TEST(MetadataImport, ComfyUiHostileGraphsDoNotHangOrThrow) {
  EXPECT_FALSE(importComfyUiPrompt("not json").has_value());
  EXPECT_FALSE(importComfyUiPrompt("[1,2,3]").has_value());
  EXPECT_FALSE(importComfyUiPrompt(R"json({"1": {"class_type": "SaveImage"}})json").has_value());
  // Link cycles, links to missing nodes, wrong types.
  const char* cyclic = R"json({
    "1": {"class_type": "KSampler", "inputs": {"seed": ["2", 0], "steps": "x", "cfg": [],
          "sampler_name": 5, "positive": ["2", 0], "negative": ["9", 0], "latent_image": ["2", 0],
          "model": ["2", 0]}},
    "2": {"class_type": "Loop", "inputs": {"conditioning": ["2", 0], "samples": ["2", 0],
          "model": ["2", 0], "seed": ["2", 0], "text": ["2", 0]}}})json";
  const auto info = importComfyUiPrompt(cyclic);
  ASSERT_TRUE(info.has_value());  // the sampler is there; nothing else resolves
  EXPECT_EQ(info->prompt, "");
  EXPECT_FALSE(info->get("Seed").has_value());
  EXPECT_FALSE(info->get("Size").has_value());
  // Links that fan out into a cycle at every node: bounded work, not 6^64 visits.
  const char* fanOut = R"json({
    "1": {"class_type": "KSampler", "inputs": {"seed": ["2", 0], "positive": ["2", 0],
          "latent_image": ["2", 0], "model": ["2", 0]}},
    "2": {"class_type": "Fan", "inputs": {"seed": ["2", 0], "noise_seed": ["3", 0], "value": ["2", 0],
          "int": ["3", 0], "text": ["3", 0], "string": ["2", 0], "conditioning": ["3", 0]}},
    "3": {"class_type": "Fan", "inputs": {"seed": ["2", 0], "noise_seed": ["3", 0], "value": ["2", 0],
          "int": ["3", 0], "text": ["2", 0], "string": ["3", 0], "conditioning": ["2", 0]}}})json";
  EXPECT_TRUE(importComfyUiPrompt(fanOut).has_value());
  // Deep nesting must not overflow the stack of the JSON parser or the importer.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(importComfyUiPrompt(deep).has_value());
}

TEST(MetadataImport, InvokeAiMetadata) {
  const auto info =
      importGenerationMetadata({{"invokeai_metadata", kInvoke}, {"invokeai_graph", "{}"}});
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a lighthouse at dawn, oil painting");
  EXPECT_EQ(info->negativePrompt, "");
  const std::vector<std::pair<std::string, std::string>> expected = {{"Steps", "30"},
                                                                     {"Sampler", "DPM++ 2M"},
                                                                     {"Schedule type", "Karras"},
                                                                     {"CFG scale", "7.5"},
                                                                     {"Seed", "3210987"},
                                                                     {"Size", "832x1216"},
                                                                     {"Model", "juggernautXL_v9"},
                                                                     {"Clip skip", "2"}};
  EXPECT_EQ(info->fields, expected);
}

TEST(MetadataImport, InvokeAiVersion3ModelAndSchedulers) {
  const auto info = importInvokeAiMetadata(
      R"json({"positive_prompt": "p", "negative_prompt": "n", "steps": 25, "scheduler": "euler_a",
          "cfg_scale": 7, "seed": 5, "width": 512, "height": 512, "clip_skip": 0,
          "model": {"model_name": "stable-diffusion-v1-5", "base_model": "sd-1", "model_type": "main"}})json");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Sampler"), "Euler a");
  EXPECT_FALSE(info->get("Schedule type").has_value());
  EXPECT_EQ(info->get("Model"), "stable-diffusion-v1-5");
  EXPECT_FALSE(info->get("Clip skip").has_value());
  EXPECT_EQ(info->negativePrompt, "n");
  EXPECT_FALSE(importInvokeAiMetadata("{}").has_value());
  EXPECT_FALSE(importInvokeAiMetadata("nope").has_value());
  EXPECT_FALSE(importInvokeAiMetadata(R"json({"positive_prompt": 5, "steps": {"a": 1}})json")
                   ->get("Steps")
                   .has_value());
}

TEST(MetadataImport, NothingUsable) {
  EXPECT_FALSE(importGenerationMetadata({}).has_value());
  EXPECT_FALSE(importGenerationMetadata({{"parameters", "  \n "}}).has_value());
  EXPECT_FALSE(importGenerationMetadata({{"prompt", "{bad"}, {"Software", "x"}}).has_value());
  // A ComfyUI chunk that is not a graph falls through to InvokeAI.
  const auto info = importGenerationMetadata({{"prompt", "{bad"}, {"invokeai_metadata", kInvoke}});
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Seed"), "3210987");
}

// ComfyUI's img2img example: LoadImage -> ImageScale -> VAEEncode -> KSampler (denoise 0.6).
const char* kComfyImg2Img = R"json({
  "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
  "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a watercolour harbour", "clip": ["1", 1]}},
  "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "photo", "clip": ["1", 1]}},
  "4": {"class_type": "LoadImage", "inputs": {"image": "harbour.png", "upload": "image"}},
  "5": {"class_type": "ImageScale", "inputs": {"image": ["4", 0], "upscale_method": "lanczos",
        "width": 640, "height": 448, "crop": "center"}},
  "6": {"class_type": "VAEEncode", "inputs": {"pixels": ["5", 0], "vae": ["1", 2]}},
  "7": {"class_type": "KSampler", "inputs": {"seed": 11, "steps": 20, "cfg": 7, "sampler_name": "euler",
        "scheduler": "normal", "denoise": 0.6, "model": ["1", 0], "positive": ["2", 0],
        "negative": ["3", 0], "latent_image": ["6", 0]}},
  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["7", 0], "vae": ["1", 2]}}
})json";

TEST(MetadataImport, ComfyUiImg2ImgGraph) {
  const auto info = importComfyUiPrompt(kComfyImg2Img);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a watercolour harbour");
  EXPECT_EQ(info->get("Denoising strength"), "0.6");
  EXPECT_EQ(info->get("Img2img steps"), "fixed");  // ComfyUI's step semantics
  EXPECT_EQ(info->get("Size"), "640x448");         // from the ImageScale
  EXPECT_FALSE(info->get("Mask blur").has_value());
  EXPECT_FALSE(info->get("Hires upscaler").has_value());
  // denoise 1 on an encoded picture is still an img2img.
  std::string full = kComfyImg2Img;
  full.replace(full.find("\"denoise\": 0.6"), 14, "\"denoise\": 1.0");
  EXPECT_EQ(importComfyUiPrompt(full)->get("Denoising strength"), "1");
}

TEST(MetadataImport, ComfyUiInpaintGraphs) {
  // VAEEncode + SetLatentNoiseMask (keeps the original content).
  const char* noiseMask = R"json({
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red door", "clip": ["1", 1]}},
    "4": {"class_type": "LoadImage", "inputs": {"image": "house.png"}},
    "5": {"class_type": "VAEEncode", "inputs": {"pixels": ["4", 0], "vae": ["1", 2]}},
    "6": {"class_type": "SetLatentNoiseMask", "inputs": {"samples": ["5", 0], "mask": ["4", 1]}},
    "7": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 25, "cfg": 6, "sampler_name": "dpmpp_2m",
          "scheduler": "karras", "denoise": 0.8, "model": ["1", 0], "positive": ["2", 0],
          "negative": ["2", 0], "latent_image": ["6", 0]}}})json";
  const auto info = importComfyUiPrompt(noiseMask);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Denoising strength"), "0.8");
  EXPECT_EQ(info->get("Img2img steps"), "fixed");
  EXPECT_EQ(info->get("Mask blur"), "0");
  EXPECT_FALSE(info->get("Masked content").has_value());  // original
  EXPECT_FALSE(info->get("Size").has_value());            // the picture's own size

  // InpaintModelConditioning: the conditioning passes through it, the latent is output 2.
  const char* modelCond = R"json({
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "inpaint.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["1", 1]}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "dog", "clip": ["1", 1]}},
    "4": {"class_type": "LoadImage", "inputs": {"image": "sofa.png"}},
    "5": {"class_type": "InpaintModelConditioning", "inputs": {"positive": ["2", 0], "negative": ["3", 0],
          "vae": ["1", 2], "pixels": ["4", 0], "mask": ["4", 1], "noise_mask": true}},
    "7": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 25, "cfg": 6, "sampler_name": "euler",
          "scheduler": "normal", "denoise": 1, "model": ["1", 0], "positive": ["5", 0],
          "negative": ["5", 1], "latent_image": ["5", 2]}}})json";
  const auto cond = importComfyUiPrompt(modelCond);
  ASSERT_TRUE(cond.has_value());
  EXPECT_EQ(cond->prompt, "a cat");
  EXPECT_EQ(cond->negativePrompt, "dog");
  EXPECT_EQ(cond->get("Denoising strength"), "1");
  EXPECT_EQ(cond->get("Mask blur"), "0");
}

TEST(MetadataImport, ComfyUiOutpaintGraph) {
  const char* outpaint = R"json({
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "inpaint.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "wide beach", "clip": ["1", 1]}},
    "4": {"class_type": "LoadImage", "inputs": {"image": "beach.png"}},
    "5": {"class_type": "ImagePadForOutpaint", "inputs": {"image": ["4", 0], "left": 128, "top": 0,
          "right": 256, "bottom": 8, "feathering": 24}},
    "6": {"class_type": "VAEEncodeForInpaint", "inputs": {"pixels": ["5", 0], "vae": ["1", 2],
          "mask": ["5", 1], "grow_mask_by": 8}},
    "7": {"class_type": "KSampler", "inputs": {"seed": 9, "steps": 30, "cfg": 8, "sampler_name": "euler",
          "scheduler": "normal", "denoise": 1.0, "model": ["1", 0], "positive": ["2", 0],
          "negative": ["2", 0], "latent_image": ["6", 0]}}})json";
  const auto info = importComfyUiPrompt(outpaint);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Denoising strength"), "1");
  EXPECT_EQ(info->get("Outpaint"), "128,0,256,8");
  EXPECT_EQ(info->get("Outpaint fill"), "neutral");
  EXPECT_EQ(info->get("Outpaint feather"), "24");
  EXPECT_EQ(info->get("Mask blur"), "0");
  // Formats and parses back (the margins are quoted).
  const Infotext back = parseInfotext(formatInfotext(*info));
  EXPECT_EQ(back.get("Outpaint"), "128,0,256,8");
}

TEST(MetadataImport, ComfyUiPixelHiresWithUpscaleModel) {
  // KSampler -> VAEDecode -> ImageUpscaleWithModel -> ImageScaleBy 0.5 -> VAEEncode -> KSampler.
  const char* graph = R"json({
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a forest", "clip": ["1", 1]}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "a forest, detailed moss", "clip": ["1", 1]}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
    "6": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "cfg": 7, "sampler_name": "euler",
          "scheduler": "normal", "denoise": 1, "model": ["1", 0], "positive": ["2", 0],
          "negative": ["2", 0], "latent_image": ["5", 0]}},
    "7": {"class_type": "VAEDecode", "inputs": {"samples": ["6", 0], "vae": ["1", 2]}},
    "8": {"class_type": "UpscaleModelLoader", "inputs": {"model_name": "4x-UltraSharp.pth"}},
    "9": {"class_type": "ImageUpscaleWithModel", "inputs": {"upscale_model": ["8", 0], "image": ["7", 0]}},
    "10": {"class_type": "ImageScaleBy", "inputs": {"image": ["9", 0], "upscale_method": "lanczos", "scale_by": 0.5}},
    "11": {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0], "vae": ["1", 2]}},
    "12": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 15, "cfg": 7, "sampler_name": "euler",
           "scheduler": "normal", "denoise": 0.35, "model": ["1", 0], "positive": ["3", 0],
           "negative": ["2", 0], "latent_image": ["11", 0]}}})json";
  const auto info = importComfyUiPrompt(graph);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a forest");
  EXPECT_EQ(info->get("Steps"), "20");
  EXPECT_EQ(info->get("Denoising strength"), "0.35");
  EXPECT_FALSE(info->get("Img2img steps").has_value());
  EXPECT_EQ(info->get("Hires upscaler"), "4x-UltraSharp");
  EXPECT_FALSE(info->get("Hires upscale").has_value());  // 4x model then 0.5: factor unknown
  EXPECT_EQ(info->get("Hires steps"), "15");
  EXPECT_EQ(info->get("Hires prompt"), "a forest, detailed moss");
  EXPECT_FALSE(info->get("Hires negative prompt").has_value());
  EXPECT_FALSE(info->get("Hires sampler").has_value());
}

TEST(MetadataImport, ComfyUiLatentUpscaleByAfterImg2Img) {
  // An img2img first pass followed by LatentUpscaleBy + a second KSampler: both strengths.
  std::string graph = kComfyImg2Img;
  graph.replace(graph.rfind('}'), 1, R"json(,
  "20": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["7", 0], "upscale_method": "bicubic",
         "scale_by": 1.5}},
  "21": {"class_type": "KSampler", "inputs": {"seed": 11, "steps": 12, "cfg": 7,
         "sampler_name": "euler_ancestral", "scheduler": "normal", "denoise": 0.5, "model": ["1", 0],
         "positive": ["2", 0], "negative": ["3", 0], "latent_image": ["20", 0]}}})json");
  const auto info = importComfyUiPrompt(graph);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Denoising strength"), "0.6");
  EXPECT_EQ(info->get("Hires denoising strength"), "0.5");
  EXPECT_EQ(info->get("Hires upscale"), "1.5");
  EXPECT_EQ(info->get("Hires upscaler"), "Latent (bicubic)");
  EXPECT_EQ(info->get("Hires sampler"), "Euler a");
  EXPECT_EQ(info->get("Hires steps"), "12");
}

TEST(MetadataImport, InvokeAiImg2ImgAndHires) {
  const auto img2img = importInvokeAiMetadata(
      R"json({"generation_mode": "img2img", "positive_prompt": "p", "steps": 30, "seed": 1,
          "width": 512, "height": 512, "strength": 0.7, "init_image": "abc.png"})json");
  ASSERT_TRUE(img2img.has_value());
  EXPECT_EQ(img2img->get("Denoising strength"), "0.7");
  EXPECT_FALSE(img2img->get("Img2img steps").has_value());  // InvokeAI slices the schedule
  const auto start = importInvokeAiMetadata(
      R"json({"generation_mode": "sdxl_img2img", "positive_prompt": "p", "steps": 30,
          "denoising_start": 0.25})json");
  EXPECT_EQ(start->get("Denoising strength"), "0.75");
  const auto full = importInvokeAiMetadata(
      R"json({"positive_prompt": "p", "steps": 30, "strength": 1, "init_image": "x.png"})json");
  EXPECT_EQ(full->get("Denoising strength"), "1");
  const auto txt = importInvokeAiMetadata(
      R"json({"generation_mode": "txt2img", "positive_prompt": "p", "steps": 30, "strength": 1})json");
  EXPECT_FALSE(txt->get("Denoising strength").has_value());

  const auto hires = importInvokeAiMetadata(
      R"json({"generation_mode": "txt2img", "positive_prompt": "p", "steps": 30, "seed": 2,
          "width": 1024, "height": 1536, "hrf_enabled": true, "hrf_method": "ESRGAN",
          "hrf_strength": 0.45, "hrf_width": 512, "hrf_height": 768})json");
  ASSERT_TRUE(hires.has_value());
  EXPECT_EQ(hires->get("Size"), "512x768");
  EXPECT_EQ(hires->get("Hires resize"), "1024x1536");
  EXPECT_EQ(hires->get("Hires upscaler"), "ESRGAN");
  EXPECT_EQ(hires->get("Denoising strength"), "0.45");
  const auto bilinear = importInvokeAiMetadata(
      R"json({"positive_prompt": "p", "steps": 30, "width": 768, "height": 768,
          "hrf_enabled": true, "hrf_method": "bilinear", "hrf_strength": 0.5})json");
  EXPECT_EQ(bilinear->get("Hires upscaler"), "Latent");
  EXPECT_EQ(bilinear->get("Size"), "768x768");
  const auto off = importInvokeAiMetadata(
      R"json({"positive_prompt": "p", "steps": 30, "hrf_enabled": false, "hrf_strength": 0.5})json");
  EXPECT_FALSE(off->get("Hires upscaler").has_value());
  EXPECT_FALSE(off->get("Denoising strength").has_value());
}

// A ComfyUI Flux dev graph (UNETLoader → ModelSamplingFlux → KSampler; FluxGuidance on the
// positive conditioning) and an SD3 one (ModelSamplingSD3).
TEST(MetadataImport, ComfyUiFluxGuidanceAndModelSamplingShift) {
  const char* flux = R"json({
    "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors",
                                                 "weight_dtype": "default"}},
    "2": {"class_type": "ModelSamplingFlux", "inputs": {"model": ["1", 0], "max_shift": 1.15,
                                                        "base_shift": 0.5, "width": 1024,
                                                        "height": 1024}},
    "3": {"class_type": "DualCLIPLoader", "inputs": {"clip_name1": "t5xxl_fp16.safetensors",
                                                     "clip_name2": "clip_l.safetensors",
                                                     "type": "flux"}},
    "4": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["3", 0]}},
    "5": {"class_type": "FluxGuidance", "inputs": {"conditioning": ["4", 0], "guidance": 2.5}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["3", 0]}},
    "7": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 768,
                                                         "batch_size": 1}},
    "8": {"class_type": "KSampler", "inputs": {"model": ["2", 0], "positive": ["5", 0],
                                               "negative": ["6", 0], "latent_image": ["7", 0],
                                               "seed": 42, "steps": 20, "cfg": 1.0,
                                               "sampler_name": "euler", "scheduler": "simple",
                                               "denoise": 1.0}}
  })json";
  const auto info = importComfyUiPrompt(flux);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "a red fox");
  EXPECT_EQ(info->get("Model"), "flux1-dev");
  EXPECT_EQ(info->get("CFG scale"), "1");
  EXPECT_EQ(info->get("Distilled CFG Scale"), "2.5");
  EXPECT_EQ(info->get("Max shift"), "1.15");
  EXPECT_EQ(info->get("Base shift"), "0.5");
  EXPECT_FALSE(info->get("Shift").has_value());

  std::string sd3 = flux;
  sd3.replace(sd3.find("\"ModelSamplingFlux\""), 19, "\"ModelSamplingSD3\"");
  sd3.replace(sd3.find("\"max_shift\": 1.15"), 17, "\"shift\": 3.0");
  sd3.replace(sd3.find("\"positive\": [\"5\", 0]"), 20, "\"positive\": [\"4\", 0]");
  const auto info3 = importComfyUiPrompt(sd3);
  ASSERT_TRUE(info3.has_value());
  EXPECT_EQ(info3->get("Shift"), "3");
  EXPECT_FALSE(info3->get("Distilled CFG Scale").has_value());
  EXPECT_FALSE(info3->get("Max shift").has_value());
}

// ComfyUI's Flux example workflow samples with SamplerCustomAdvanced: the settings come from the
// guider, noise, sampler and sigmas nodes around it.
TEST(MetadataImport, ComfyUiSamplerCustomAdvancedFluxGraph) {
  const char* graph = R"json({
    "12": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors",
                                                  "weight_dtype": "default"}},
    "11": {"class_type": "DualCLIPLoader", "inputs": {"clip_name1": "t5xxl_fp16.safetensors",
                                                      "clip_name2": "clip_l.safetensors",
                                                      "type": "flux"}},
    "30": {"class_type": "ModelSamplingFlux", "inputs": {"model": ["12", 0], "max_shift": 1.15,
                                                         "base_shift": 0.5, "width": 1024,
                                                         "height": 768}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "un zorro rojo", "clip": ["11", 0]}},
    "26": {"class_type": "FluxGuidance", "inputs": {"conditioning": ["6", 0], "guidance": 3.5}},
    "22": {"class_type": "BasicGuider", "inputs": {"model": ["30", 0],
                                                   "conditioning": ["26", 0]}},
    "25": {"class_type": "RandomNoise", "inputs": {"noise_seed": 219670278747233}},
    "16": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
    "17": {"class_type": "BasicScheduler", "inputs": {"scheduler": "simple", "steps": 20,
                                                      "denoise": 1.0, "model": ["30", 0]}},
    "27": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 768,
                                                           "batch_size": 1}},
    "13": {"class_type": "SamplerCustomAdvanced", "inputs": {"noise": ["25", 0],
                                                            "guider": ["22", 0],
                                                            "sampler": ["16", 0],
                                                            "sigmas": ["17", 0],
                                                            "latent_image": ["27", 0]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["13", 0], "vae": ["10", 0]}},
    "10": {"class_type": "VAELoader", "inputs": {"vae_name": "ae.safetensors"}}
  })json";
  const auto info = importComfyUiPrompt(graph);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, "un zorro rojo");
  EXPECT_EQ(info->negativePrompt, "");
  EXPECT_EQ(info->get("Steps"), "20");
  EXPECT_EQ(info->get("Sampler"), "Euler");
  EXPECT_EQ(info->get("CFG scale"), "1");  // BasicGuider: no CFG
  EXPECT_EQ(info->get("Seed"), "219670278747233");
  EXPECT_EQ(info->get("Size"), "1024x768");
  EXPECT_EQ(info->get("Model"), "flux1-dev");
  EXPECT_EQ(info->get("Distilled CFG Scale"), "3.5");
  EXPECT_EQ(info->get("Max shift"), "1.15");
  EXPECT_EQ(info->get("Base shift"), "0.5");
  EXPECT_FALSE(info->get("Denoising strength").has_value());

  // CFGGuider: positive, negative and cfg of its own.
  std::string cfg = graph;
  cfg.replace(cfg.find("\"class_type\": \"BasicGuider\""), 27, "\"class_type\": \"CFGGuider\"");
  cfg.replace(cfg.find("\"conditioning\": [\"26\", 0]}"), 26,
              "\"positive\": [\"26\", 0], \"negative\": [\"6\", 0], \"cfg\": 2.5}");
  const auto guided = importComfyUiPrompt(cfg);
  ASSERT_TRUE(guided.has_value());
  EXPECT_EQ(guided->get("CFG scale"), "2.5");
  EXPECT_EQ(guided->negativePrompt, "un zorro rojo");
  EXPECT_EQ(guided->get("Distilled CFG Scale"), "3.5");

  // Hostile: the guider and sigmas are the sampler itself, an input nested very deep.
  const std::string deep = std::string(50000, '[') + std::string(50000, ']');
  const std::string hostile = R"({"1": {"class_type": "SamplerCustomAdvanced", "inputs": {)"
                              R"("guider": ["1", 0], "sigmas": ["1", 0], "sampler": )" +
                              deep + R"(, "noise": )" + deep + "}}}";
  EXPECT_FALSE(importComfyUiPrompt(hostile).has_value());
}

}  // namespace
}  // namespace lienzo
