// Where the separately distributed parts of SD3 / Flux models are found (core/pipeline/
// model_parts.h): the given file first, then the usual names in preference order, beside the
// checkpoint before the ComfyUI / A1111 sibling folders; the T5 spiece.model search; the errors
// naming the flag and every folder. File-system only: empty files stand for the weights.
#include "core/pipeline/model_parts.h"
#include "core/pipeline/pipeline.h"

#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(ModelParts, GivenFileWinsAndMustExist) {
  const fs::path root = testing::makeTempDir("parts_given");
  const fs::path ck = root / "checkpoints" / "model.safetensors";
  touch(ck);
  touch(root / "checkpoints" / "t5xxl_fp16.safetensors");
  touch(root / "mine.safetensors");
  ModelParts given;
  given.t5 = root / "mine.safetensors";
  EXPECT_EQ(findModelPart(ck, given, ModelPart::T5, ModelFamily::SD3), given.t5);
  given.t5 = root / "missing.safetensors";
  try {
    (void)findModelPart(ck, given, ModelPart::T5, ModelFamily::SD3);
    ADD_FAILURE() << "a missing given file was accepted";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
    EXPECT_NE(std::string(e.what()).find("--t5"), std::string::npos) << e.what();
  }
}

TEST(ModelParts, PreferredNamesBesideTheModelThenSiblingFolders) {
  const fs::path models = testing::makeTempDir("parts_found") / "models";
  const fs::path ck = models / "checkpoints" / "sd3.5_large.safetensors";
  touch(ck);
  // ComfyUI's text_encoders/: fp8 and fp16 both there, fp16 preferred; any t5xxl* otherwise.
  touch(models / "text_encoders" / "t5xxl_fp8_e4m3fn.safetensors");
  touch(models / "text_encoders" / "t5xxl_fp16.safetensors");
  EXPECT_EQ(findModelPart(ck, {}, ModelPart::T5, ModelFamily::SD3),
            models / "text_encoders" / "t5xxl_fp16.safetensors");
  // Beside the model comes first, even under a less preferred name.
  touch(models / "checkpoints" / "t5xxl_fp8_e4m3fn_scaled.safetensors");
  EXPECT_EQ(findModelPart(ck, {}, ModelPart::T5, ModelFamily::SD3),
            models / "checkpoints" / "t5xxl_fp8_e4m3fn_scaled.safetensors");
  // Forge's text_encoder/ and A1111's VAE/.
  touch(models / "text_encoder" / "clip_g.safetensors");
  EXPECT_EQ(findModelPart(ck, {}, ModelPart::ClipG, ModelFamily::SD3),
            models / "text_encoder" / "clip_g.safetensors");
  touch(models / "VAE" / "sd3_vae.safetensors");
  EXPECT_EQ(findModelPart(ck, {}, ModelPart::Vae, ModelFamily::SD3),
            models / "VAE" / "sd3_vae.safetensors");
  // The VAE names are the family's: Flux wants ae.safetensors.
  EXPECT_FALSE(locateModelPart(ck, {}, ModelPart::Vae, ModelFamily::Flux));
  touch(models / "vae" / "ae.safetensors");
  EXPECT_EQ(locateModelPart(ck, {}, ModelPart::Vae, ModelFamily::Flux),
            models / "vae" / "ae.safetensors");
}

TEST(ModelParts, NotFoundNamesThePartTheFlagAndEveryFolder) {
  const fs::path models = testing::makeTempDir("parts_missing") / "models";
  const fs::path ck = models / "checkpoints" / "model.safetensors";
  touch(ck);
  try {
    (void)findModelPart(ck, {}, ModelPart::ClipL, ModelFamily::SD3);
    ADD_FAILURE() << "found a part that is not there";
  } catch (const GenerationError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
    for (const std::string& s :
         {std::string("CLIP-L"), std::string("--clip-l"), std::string("clip_l.safetensors"),
          (models / "checkpoints").string(), (models / "text_encoders").string(),
          (models / "clip").string(), (models / "text_encoder").string()})
      EXPECT_NE(msg.find(s), std::string::npos) << s << " not in: " << msg;
  }
}

TEST(ModelParts, SpieceModelBesideT5FirstThenTheVariable) {
  const fs::path root = testing::makeTempDir("parts_spiece");
  const fs::path ck = root / "models" / "checkpoints" / "model.safetensors";
  touch(ck);
  const fs::path t5 = root / "elsewhere" / "t5xxl_fp16.safetensors";
  touch(t5);
  const char* saved = std::getenv("LIENZO_T5_SPIECE");
  const std::string savedValue = saved ? saved : "";
  ::unsetenv("LIENZO_T5_SPIECE");
  EXPECT_THROW((void)findT5Spiece(ck, t5), GenerationError);
  touch(root / "models" / "text_encoders" / "spiece.model");
  EXPECT_EQ(findT5Spiece(ck, t5), root / "models" / "text_encoders" / "spiece.model");
  touch(root / "elsewhere" / "t5-v1_1-xxl-spiece.model");
  EXPECT_EQ(findT5Spiece(ck, t5), root / "elsewhere" / "t5-v1_1-xxl-spiece.model");
  touch(root / "chosen.model");
  ::setenv("LIENZO_T5_SPIECE", (root / "chosen.model").c_str(), 1);
  EXPECT_EQ(findT5Spiece(ck, t5), root / "chosen.model");
  if (saved)
    ::setenv("LIENZO_T5_SPIECE", savedValue.c_str(), 1);
  else
    ::unsetenv("LIENZO_T5_SPIECE");
}

}  // namespace
}  // namespace lienzo
