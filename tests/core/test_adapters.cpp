// Unit tests of core/adapters: key dialects, the diffusers → LDM U-Net names, prompt tags, the
// merge math on hand-made files (LoRA, DoRA, unknown types, shape mismatches) and refusals.
#include "core/adapters/adapter_merge.h"
#include "core/adapters/prompt_networks.h"
#include "core/adapters/weight_patcher.h"
#include "core/io/safetensors.h"
#include "support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

namespace lienzo {
namespace {

TEST(AdapterKeys, SplitsEveryDialect) {
  auto k = splitAdapterKey("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", false);
  EXPECT_EQ(k.module, "lora_unet_down_blocks_0_attentions_0_proj_in");
  EXPECT_EQ(k.role, "lora_down");
  k = splitAdapterKey("unet.down_blocks.0.attentions.0.proj_in.lora_B.weight", false);
  EXPECT_EQ(k.module, "lora_unet_down_blocks_0_attentions_0_proj_in");
  EXPECT_EQ(k.role, "lora_up");
  k = splitAdapterKey("text_encoder.text_model.encoder.layers.3.mlp.fc1.lora_A.weight", true);
  EXPECT_EQ(k.module, "lora_te1_text_model_encoder_layers_3_mlp_fc1");
  k = splitAdapterKey("text_encoder_2.text_model.encoder.layers.3.mlp.fc1.lora_A.weight", true);
  EXPECT_EQ(k.module, "lora_te2_text_model_encoder_layers_3_mlp_fc1");
  // The old attention-processor form (diffusers < 0.19).
  k = splitAdapterKey(
      "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.up.weight",
      false);
  EXPECT_EQ(k.module, "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_out_0");
  EXPECT_EQ(k.role, "lora_up");
  k = splitAdapterKey("lycoris_down_blocks_0_resnets_0_conv1.lokr_w2_b", false);
  EXPECT_EQ(k.module, "lora_unet_down_blocks_0_resnets_0_conv1");
  EXPECT_EQ(k.role, "lokr_w2_b");
  k = splitAdapterKey("lora_unet_mid_block_attentions_0_proj_in.oft_blocks", false);
  EXPECT_EQ(k.role, "oft_blocks");
  k = splitAdapterKey("diffusion_model.input_blocks.1.1.proj_in.lora_down.weight", false);
  EXPECT_TRUE(k.bare);
  EXPECT_EQ(k.module, "diffusion_model_input_blocks_1_1_proj_in");
}

TEST(AdapterKeys, DiffusersUnetNamesToLdm) {
  // Ref: A1111 convert_diffusers_name_to_compvis, README §8 of the fixtures.
  EXPECT_EQ(diffusersUnetNameToLdm("down_blocks_2_attentions_1_transformer_blocks_0_attn1_to_q"),
            std::vector<std::string>{"input_blocks_8_1_transformer_blocks_0_attn1_to_q"});
  EXPECT_EQ(diffusersUnetNameToLdm("down_blocks_1_resnets_0_conv_shortcut"),
            std::vector<std::string>{"input_blocks_4_0_skip_connection"});
  EXPECT_EQ(diffusersUnetNameToLdm("mid_block_resnets_1_time_emb_proj"),
            std::vector<std::string>{"middle_block_2_emb_layers_1"});
  EXPECT_EQ(diffusersUnetNameToLdm("up_blocks_3_resnets_2_conv2"),
            std::vector<std::string>{"output_blocks_11_0_out_layers_3"});
  EXPECT_EQ(diffusersUnetNameToLdm("down_blocks_2_downsamplers_0_conv"),
            std::vector<std::string>{"input_blocks_9_0_op"});
  EXPECT_EQ(diffusersUnetNameToLdm("up_blocks_1_upsamplers_0_conv"),
            (std::vector<std::string>{"output_blocks_5_1_conv", "output_blocks_5_2_conv"}));
  EXPECT_EQ(diffusersUnetNameToLdm("time_embedding_linear_2"),
            std::vector<std::string>{"time_embed_2"});
  EXPECT_EQ(diffusersUnetNameToLdm("input_blocks_4_1_proj_in"),
            std::vector<std::string>{"input_blocks_4_1_proj_in"});
  // Found by fuzz_adapter_names: a block number too long for an int is no block, not a throw.
  const std::string huge = "down_blocks_1_attentions_777777777770_proj_in";
  EXPECT_EQ(diffusersUnetNameToLdm(huge), std::vector<std::string>{huge});
}

TEST(AdapterKeys, OpenClipRowsAndOtherFamilies) {
  const std::vector<std::string> keys{
      "conditioner.embedders.1.model.transformer.resblocks.2.attn.in_proj_weight",
      "conditioner.embedders.1.model.transformer.resblocks.2.mlp.c_fc.weight",
      "model.diffusion_model.output_blocks.2.1.conv.weight",
  };
  const AdapterKeyIndex sdxl(keys, AdapterFamily::Sdxl);
  std::string why;
  auto t = sdxl.resolve("lora_te2_text_model_encoder_layers_2_self_attn_v_proj", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->rowBlock, 2);
  EXPECT_EQ(t->part, AdapterPart::TextEncoder);
  t = sdxl.resolve("lora_te2_text_model_encoder_layers_2_mlp_fc1", &why);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->checkpointKey, keys[1]);
  // An upsampler's index inside its block is the model's (1 here, where the level has no
  // attention).
  t = sdxl.resolve("lora_unet_up_blocks_0_upsamplers_0_conv", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->checkpointKey, keys[2]);

  const AdapterKeyIndex sd1(
      {"cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight"},
      AdapterFamily::Sd1);
  EXPECT_FALSE(sd1.resolve("lora_te2_text_model_encoder_layers_0_mlp_fc1", &why));
  EXPECT_NE(why.find("another family"), std::string::npos) << why;
  EXPECT_FALSE(sd1.resolve("lora_unet_down_blocks_0_attentions_0_proj_in", &why));
  EXPECT_NE(why.find("no module"), std::string::npos) << why;
}

TEST(PromptNetworks, A1111Tags) {
  auto p =
      extractPromptNetworks("a cat <lora:style:0.8>, <lora:detail:0.5:1.2> <lyco:x:te=0.3:unet=2>");
  EXPECT_EQ(p.prompt, "a cat ,  ");
  ASSERT_EQ(p.loras.size(), 3u);
  EXPECT_EQ(p.loras[0].name, "style");
  EXPECT_DOUBLE_EQ(p.loras[0].textStrength, 0.8);
  EXPECT_DOUBLE_EQ(p.loras[0].unetStrength, 0.8);
  EXPECT_DOUBLE_EQ(p.loras[1].textStrength, 0.5);
  EXPECT_DOUBLE_EQ(p.loras[1].unetStrength, 1.2);
  EXPECT_DOUBLE_EQ(p.loras[2].textStrength, 0.3);
  EXPECT_DOUBLE_EQ(p.loras[2].unetStrength, 2.0);
  EXPECT_TRUE(p.notices.empty());

  p = extractPromptNetworks("<lora:plain> <hypernet:old:1> <lora:d:1:1:8> <not a tag>");
  ASSERT_EQ(p.loras.size(), 2u);
  EXPECT_DOUBLE_EQ(p.loras[0].textStrength, 1.0);
  EXPECT_EQ(p.loras[1].dyn, 8);
  EXPECT_EQ(p.prompt, "   <not a tag>");
  ASSERT_EQ(p.notices.size(), 2u);  // hypernet, dyn
  EXPECT_NE(p.notices[0].find("hypernet"), std::string::npos);
  EXPECT_NE(p.notices[1].find("dyn"), std::string::npos);

  // Found by fuzz_adapter_names: a dyn beyond int's range, and strengths that are not finite.
  p = extractPromptNetworks("<lora:d:1:1:1.4e19> <lora:e:inf:nan>");
  ASSERT_EQ(p.loras.size(), 2u);
  EXPECT_FALSE(p.loras[0].dyn.has_value());
  EXPECT_DOUBLE_EQ(p.loras[1].textStrength, 1.0);
  EXPECT_DOUBLE_EQ(p.loras[1].unetStrength, 1.0);
  EXPECT_EQ(p.notices.size(), 3u);  // dyn ignored, two numbers that are not numbers
}

TEST(PromptNetworks, EditsTagsInPlace) {
  EXPECT_EQ(setLoraTag("a cat, <lora:style:1>, hat", "style", 0.6, 0.6),
            "a cat, <lora:style:0.6>, hat");
  EXPECT_EQ(setLoraTag("a cat", "style", 0.5, 1), "a cat, <lora:style:0.5:1>");
  EXPECT_EQ(setLoraTag("", "style", 1, 1), "<lora:style:1>");
  EXPECT_EQ(renameLoraTags("x <lora:old:0.5> y <lora:older:1> <lora:old>", "old", "new"),
            "x <lora:new:0.5> y <lora:older:1> <lora:new>");
}

/// A hand-made adapter file in a temp dir.
std::filesystem::path writeAdapter(const std::string& name,
                                   const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                                   const std::map<std::string, std::string>& meta = {}) {
  const auto path = testing::makeTempDir("adapters") / name;
  writeSafetensors(path, tensors, meta);
  return path;
}

/// A patcher over two plain tensors standing in for a model's weights.
struct FakeModel {
  at::Tensor linear = at::randn({6, 4});
  at::Tensor conv = at::randn({6, 4, 3, 3});
  WeightPatcher weights{AdapterFamily::Sd1};
  FakeModel() {
    weights.add("model.diffusion_model.input_blocks.1.1.proj_in.weight", linear,
                AdapterPart::DiffusionModel);
    weights.add("model.diffusion_model.input_blocks.1.0.in_layers.2.weight", conv,
                AdapterPart::DiffusionModel);
  }
};

TEST(AdapterMerge, LoraMathStrengthsAndRestore) {
  at::manual_seed(1);
  FakeModel model;
  const at::Tensor original = model.linear.clone();
  const at::Tensor down = at::randn({2, 4}), up = at::randn({6, 2});
  const at::Tensor cdown = at::randn({2, 4, 3, 3}), cup = at::randn({6, 2, 1, 1});
  const auto path =
      writeAdapter("handmade.safetensors",
                   {{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", down},
                    {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", up},
                    {"lora_unet_down_blocks_0_attentions_0_proj_in.alpha", at::scalar_tensor(1.0)},
                    {"lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight", cdown},
                    {"lora_unet_down_blocks_0_resnets_0_conv1.lora_up.weight", cup}});
  auto file = std::make_shared<const AdapterFile>(AdapterFile::open(path));
  EXPECT_EQ(file->mainType(), AdapterType::LoRA);
  EXPECT_EQ(file->maxRank(), 2);
  auto lock = model.weights.lock();
  const AdapterReport r = applyAdapters(model.weights, {{file, 1.0, 0.7}});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].applied, 2u);
  // W + (up @ down · alpha / r) · m, alpha = 1, r = 2; no alpha → scale 1.
  EXPECT_TRUE(at::allclose(model.linear, original + at::matmul(up, down) * 0.5 * 0.7, 1e-6, 1e-6));
  // The same list again: nothing is recomputed.
  EXPECT_TRUE(applyAdapters(model.weights, {{file, 1.0, 0.7}}).cached);
  // Strength 0 leaves the weights alone.
  applyAdapters(model.weights, {{file, 1.0, 0.0}});
  EXPECT_TRUE(at::equal(model.linear, original));
  applyAdapters(model.weights, {{file, 1.0, 1.0}});
  applyAdapters(model.weights, {});
  EXPECT_TRUE(at::equal(model.linear, original));
  EXPECT_EQ(model.weights.patchedCount(), 0u);
}

TEST(AdapterMerge, Bfloat16WeightsMergeInFloat32AndSwitchInPlace) {
  // A bfloat16 model: W' = bf16(f32(W) + ΔW·scale·m); a new strength is converted into the same
  // patched buffer (no allocation), and removing the LoRA gives the loaded tensor back.
  at::manual_seed(2);
  at::Tensor linear = at::randn({6, 4}).to(at::kBFloat16);
  const at::Tensor original = linear.clone();
  WeightPatcher weights(AdapterFamily::Sd1);
  weights.add("model.diffusion_model.input_blocks.1.1.proj_in.weight", linear,
              AdapterPart::DiffusionModel);
  const at::Tensor down = at::randn({2, 4}), up = at::randn({6, 2});
  const auto path = writeAdapter(
      "bf16.safetensors", {{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", down},
                           {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", up}});
  auto file = std::make_shared<const AdapterFile>(AdapterFile::open(path));
  auto lock = weights.lock();
  const auto expected = [&](double m) {
    return (original.to(at::kFloat) + at::matmul(up, down) * m).to(at::kBFloat16);
  };
  applyAdapters(weights, {{file, 1.0, 0.7}});
  ASSERT_EQ(linear.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::allclose(linear.to(at::kFloat), expected(0.7).to(at::kFloat), 1e-2, 1e-2));
  const void* buffer = linear.data_ptr();
  applyAdapters(weights, {{file, 1.0, -0.3}});
  EXPECT_EQ(linear.data_ptr(), buffer) << "a new strength is written into the patched buffer";
  EXPECT_TRUE(at::allclose(linear.to(at::kFloat), expected(-0.3).to(at::kFloat), 1e-2, 1e-2));
  applyAdapters(weights, {});
  EXPECT_TRUE(at::equal(linear, original));
}

TEST(AdapterMerge, UnknownTypesAndShapeMismatchesAreReported) {
  FakeModel model;
  const auto path = writeAdapter(
      "odd.safetensors",
      {{"lora_unet_down_blocks_0_attentions_0_proj_in.oft_blocks", at::randn({2, 2, 2})},
       {"lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight", at::randn({2, 5})},
       {"lora_unet_down_blocks_0_resnets_0_conv1.lora_up.weight", at::randn({6, 2})},
       {"lora_unet_down_blocks_3_attentions_0_proj_in.lora_down.weight", at::randn({2, 4})},
       {"lora_unet_down_blocks_3_attentions_0_proj_in.lora_up.weight", at::randn({6, 2})}});
  auto file = std::make_shared<const AdapterFile>(AdapterFile::open(path));
  auto lock = model.weights.lock();
  const AdapterReport r = applyAdapters(model.weights, {{file, 1.0, 1.0}});
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].applied, 0u);
  ASSERT_EQ(r.files[0].unapplied.size(), 3u);
  std::string all;
  for (const auto& u : r.files[0].unapplied) all += u.module + ": " + u.reason + "\n";
  EXPECT_NE(all.find("unknown adapter type: oft_blocks"), std::string::npos) << all;
  EXPECT_NE(all.find("shape mismatch"), std::string::npos) << all;
  EXPECT_NE(all.find("no module 'model_diffusion_model_input_blocks_10_1_proj_in'"),
            std::string::npos)
      << all;
  EXPECT_EQ(model.weights.patchedCount(), 0u);
}

TEST(AdapterMerge, DoraRenormalisesColumns) {
  FakeModel model;
  const at::Tensor down = at::randn({2, 4}), up = at::randn({6, 2});
  const at::Tensor magnitude = at::rand({1, 4}) + 0.5;  // kohya layout: one norm per input column
  const auto path = writeAdapter(
      "dora.safetensors", {{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", down},
                           {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", up},
                           {"lora_unet_down_blocks_0_attentions_0_proj_in.dora_scale", magnitude}});
  auto file = std::make_shared<const AdapterFile>(AdapterFile::open(path));
  ASSERT_TRUE(file->modules()[0].dora);
  auto lock = model.weights.lock();
  applyAdapters(model.weights, {{file, 1.0, 1.0}});
  // At strength 1 the merged weight's column norms are the magnitudes, its directions W + ΔW's.
  const at::Tensor merged = model.linear;
  EXPECT_TRUE(at::allclose(merged.norm(2, {0}, true), magnitude, 1e-5, 1e-5));
  const at::Tensor direction =
      model.weights.base("model.diffusion_model.input_blocks.1.1.proj_in.weight") +
      at::matmul(up, down);
  EXPECT_TRUE(at::allclose(merged / merged.norm(2, {0}, true),
                           direction / direction.norm(2, {0}, true), 1e-5, 1e-5));
}

TEST(AdapterFile, RefusesPicklesUnread) {
  // A ".pt" whose bytes are not even a pickle: the refusal comes from the name, nothing is read.
  const auto dir = testing::makeTempDir("adapters-pickle");
  for (const char* name : {"evil.pt", "evil.ckpt", "evil.bin"}) {
    const auto path = dir / name;
    std::ofstream(path) << "cos\nsystem\n(S'echo pwned'\ntR.";
    try {
      AdapterFile::open(path);
      ADD_FAILURE() << name << " was opened";
    } catch (const AdapterError& e) {
      EXPECT_NE(std::string(e.what()).find("never unpickles"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(AdapterFile::open(dir / "missing.safetensors"), AdapterError);
}

TEST(AdapterFile, ScalarFactorIsAClearError) {
  // Found by reading for fuzz_network_files: a rank-0 lora_down used to escape as out_of_range.
  const auto path =
      writeAdapter("scalar.safetensors", {{"lora_unet_conv_in.lora_down.weight", at::ones({})},
                                          {"lora_unet_conv_in.lora_up.weight", at::ones({4, 1})}});
  try {
    AdapterFile::open(path);
    ADD_FAILURE() << "a scalar factor was accepted";
  } catch (const AdapterError& e) {
    EXPECT_NE(std::string(e.what()).find("scalar"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lienzo
