// The memory plan of big models (core/pipeline/memory_plan.h): phase peaks, weight sizes from
// safetensors and GGUF headers, the refusal message.
#include "core/io/gguf.h"
#include "core/io/gguf_quants.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors.h"
#include "core/pipeline/memory_plan.h"
#include "core/pipeline/pipeline.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace lienzo {
namespace {

constexpr uint64_t GiB = 1ull << 30;

TEST(MemoryPlan, PeakIsTheResidentPartsPlusTheLargestPhase) {
  MemoryPlan plan;
  plan.model = "flux1-dev.gguf";
  plan.add("transformer", 12 * GiB, MemoryPhase::Always);
  plan.add("T5-XXL", 9 * GiB, MemoryPhase::Encoding);
  plan.add("CLIP-L", 1 * GiB, MemoryPhase::Encoding);
  plan.add("step activations", 2 * GiB, MemoryPhase::Denoising);
  plan.add("VAE decode", 3 * GiB, MemoryPhase::Decoding);
  EXPECT_EQ(plan.hostPeak(), 22 * GiB);  // 12 + (9 + 1): encoding is the largest phase
  EXPECT_EQ(plan.devicePeak(), 0u);
  plan.add("transformer on the GPU", 5 * GiB, MemoryPhase::Always, true);
  plan.add("GPU activations", 1 * GiB, MemoryPhase::Denoising, true);
  EXPECT_EQ(plan.devicePeak(), 6 * GiB);
  EXPECT_EQ(plan.hostPeak(), 22 * GiB);
  const std::string host = plan.describe(false);
  EXPECT_NE(host.find("T5-XXL 9.00 GiB (released before denoising)"), std::string::npos) << host;
  EXPECT_EQ(host.find("on the GPU"), std::string::npos) << host;
}

TEST(MemoryPlan, SafetensorsWeightsCountInTheComputeDType) {
  const auto bytes = serializeSafetensors({
      {"model.diffusion_model.a", at::zeros({4, 8}, at::kHalf)},
      {"model.diffusion_model.b", at::zeros({3}, at::kFloat)},
      {"model.diffusion_model.ids", at::zeros({5}, at::kLong)},
      {"first_stage_model.c", at::zeros({100}, at::kHalf)},
  });
  const SafetensorsFile file = SafetensorsFile::fromBytes(bytes);
  // F16 and F32 both become bf16 (2 bytes) or f32 (4 bytes); the int64 ids keep their 8 bytes.
  EXPECT_EQ(loadedWeightBytes(file, "model.diffusion_model.", 2), 32u * 2 + 3 * 2 + 5 * 8);
  EXPECT_EQ(loadedWeightBytes(file, "model.diffusion_model.", 4), 32u * 4 + 3 * 4 + 5 * 8);
  EXPECT_EQ(loadedWeightBytes(file, "", 4), 32u * 4 + 3 * 4 + 5 * 8 + 100 * 4);
  EXPECT_EQ(loadedWeightBytes(file, "nothing.", 4), 0u);
}

TEST(MemoryPlan, GgufQuantizedWeightsStayPackedPlusOneDequantizedLayer) {
  const int64_t rows = 4, cols = 64;  // Q8_0 blocks of 32
  std::vector<float> values(rows * cols, 0.5f);
  GgufTensorToWrite q;
  q.name = "double_blocks.0.img_attn.qkv.weight";
  q.type = GgmlType::Q8_0;
  q.shape = {rows, cols};
  q.bytes.resize(*ggmlByteSize(GgmlType::Q8_0, values.size()));
  quantizeGgml(GgmlType::Q8_0, values.data(), values.size(),
               reinterpret_cast<uint8_t*>(q.bytes.data()));
  GgufTensorToWrite f;
  f.name = "double_blocks.0.img_attn.qkv.bias";
  f.type = GgmlType::F32;
  f.shape = {rows};
  f.bytes.assign(rows * 4, '\0');
  const GgufFile file = GgufFile::fromBytes(serializeGguf({q, f}));
  const uint64_t packed = *ggmlByteSize(GgmlType::Q8_0, rows * cols);
  EXPECT_EQ(packed, 2u * (2 + 32) * rows);
  // packed Q8_0 + the bias in bf16 + one dequantized copy of the largest packed weight in bf16.
  EXPECT_EQ(loadedWeightBytes(file, "", 2), packed + rows * 2 + rows * cols * 2);
  EXPECT_EQ(loadedWeightBytes(file, "double_blocks.0.img_attn.qkv.bias", 4), rows * 4u);
}

TEST(MemoryPlan, StepActivationsGrowWithTokensBatchAndWidth) {
  const uint64_t base = transformerStepBytes(1, 1024, 3072, 24, 2);
  EXPECT_GT(transformerStepBytes(2, 1024, 3072, 24, 2), base);
  EXPECT_GT(transformerStepBytes(1, 4096, 3072, 24, 2), 4 * base - 4 * (256ull << 20));
  EXPECT_GT(transformerStepBytes(1, 1024, 3072, 24, 4), base);
  // At least the attention scores of every head in float32.
  EXPECT_GE(transformerStepBytes(1, 4608, 3072, 24, 2), 24ull * 4608 * 4608 * 4);
}

TEST(MemoryPlan, RefusesWithTheEstimateBeforeLoading) {
  MemoryPlan plan;
  plan.model = "sd3.5_large.safetensors";
  plan.add("MMDiT", 16 * GiB, MemoryPhase::Always);
  plan.add("T5-XXL", 9 * GiB, MemoryPhase::Encoding);
  EXPECT_NO_THROW(checkMemoryPlan(plan, 30 * GiB));
  EXPECT_NO_THROW(checkMemoryPlan(plan, std::nullopt));  // unknown: not checked
  try {
    checkMemoryPlan(plan, 20 * GiB);
    FAIL() << "a 25 GiB plan passed with 20 GiB available";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory);
    const std::string what = e.what();
    EXPECT_NE(what.find("sd3.5_large.safetensors"), std::string::npos) << what;
    EXPECT_NE(what.find("25.00 GiB"), std::string::npos) << what;
    EXPECT_NE(what.find("20.00 GiB is available"), std::string::npos) << what;
    EXPECT_NE(what.find("MMDiT 16.00 GiB"), std::string::npos) << what;
    EXPECT_NE(what.find("nothing was loaded"), std::string::npos) << what;
  }
  plan.add("MMDiT on the GPU", 16 * GiB, MemoryPhase::Always, true);
  EXPECT_NO_THROW(checkMemoryPlan(plan, 64 * GiB, std::nullopt));
  EXPECT_THROW(checkMemoryPlan(plan, 64 * GiB, 12 * GiB), GenerationError);
}

TEST(MemoryPlan, AvailableHostMemoryIsReadOnLinux) {
  const auto available = availableHostMemory();
  ASSERT_TRUE(available.has_value());
  EXPECT_GT(*available, 0u);
}

TEST(MemoryPlan, FormatBytes) {
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(3 << 20), "3.0 MiB");
  EXPECT_EQ(formatBytes(12 * GiB + GiB / 2), "12.50 GiB");
}

}  // namespace
}  // namespace lienzo
