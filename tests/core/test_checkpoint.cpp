// Checkpoint identification on the fixture checkpoints (family from keys alone) and refusal of
// pickle-based formats.
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"

#include "support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

namespace lienzo {
namespace {

TEST(Checkpoint, IdentifiesSd1Fixture) {
  const auto info = identifyFile(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  EXPECT_EQ(info.family, ModelFamily::SD1);
  EXPECT_TRUE(info.hasPart("unet"));
  EXPECT_TRUE(info.hasPart("vae"));
  EXPECT_TRUE(info.hasPart("text_encoder"));
  EXPECT_EQ(info.unetInChannels, 4);
  // Counts add up to what the header says.
  const auto file = SafetensorsFile::open(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  EXPECT_EQ(info.tensors, static_cast<int64_t>(file.names().size()));
}

TEST(Checkpoint, IdentifiesSd2Fixture) {
  const auto info = identifyFile(testing::fixturePath("sd2/tiny-sd2.safetensors"));
  EXPECT_EQ(info.family, ModelFamily::SD2);
  EXPECT_TRUE(info.hasPart("unet"));
  EXPECT_FALSE(info.hasPart("vae"));
  EXPECT_TRUE(info.hasPart("text_encoder"));
  bool saysPrediction = false;
  for (const auto& n : info.notes) saysPrediction |= n.find("not knowable") != std::string::npos;
  EXPECT_TRUE(saysPrediction);
}

TEST(Checkpoint, IdentifiesSdxlFixture) {
  const auto info = identifyFile(testing::fixturePath("sdxl/tiny-sdxl.safetensors"));
  EXPECT_EQ(info.family, ModelFamily::SDXL);
  EXPECT_TRUE(info.hasPart("text_encoder"));
  EXPECT_TRUE(info.hasPart("text_encoder_2"));
}

TEST(Checkpoint, UnknownLayoutIsUnknown) {
  const auto file = SafetensorsFile::fromBytes(
      serializeSafetensors({{"encoder.layer.0.weight", at::ones({2, 2})}}));
  EXPECT_EQ(identifyCheckpoint(file).family, ModelFamily::Unknown);
}

TEST(Checkpoint, UnetOnlyAndInpaintingAreRecognised) {
  const auto file = SafetensorsFile::fromBytes(serializeSafetensors({
      {"model.diffusion_model.input_blocks.0.0.weight", at::zeros({8, 9, 3, 3})},
      {"model.diffusion_model.input_blocks.1.1.proj_in.weight", at::zeros({8, 8})},
  }));
  const auto info = identifyCheckpoint(file);
  EXPECT_EQ(info.family, ModelFamily::SD2);
  EXPECT_EQ(info.unetInChannels, 9);
}

TEST(Checkpoint, RefusesPickles) {
  const auto dir = testing::makeTempDir("ckpt");
  // By extension, whatever the contents.
  {
    std::ofstream(dir / "model.ckpt") << "anything";
    EXPECT_THROW(identifyFile(dir / "model.ckpt"), CheckpointError);
  }
  // By signature, whatever the extension: a pickle stream and a torch.save zip.
  {
    std::ofstream(dir / "evil.safetensors", std::ios::binary) << std::string("\x80\x02}q\x00.", 6);
    EXPECT_THROW(identifyFile(dir / "evil.safetensors"), CheckpointError);
    std::ofstream(dir / "zip.safetensors", std::ios::binary) << "PK\x03\x04rest";
    EXPECT_THROW(identifyFile(dir / "zip.safetensors"), CheckpointError);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lienzo
