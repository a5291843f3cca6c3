// Flux and MMDiT from GGUF files with packed linear weights (core/model/dit_gguf.h,
// packed_linear.h, gguf_module_loading.h). The fixture transformers (flux/tiny-flux-*,
// sd3/tiny-sd3) are written to GGUF here: in their stored types (F16, pos_embed F32) they must
// reproduce golden_model / golden_mmdit to the READMEs' tolerance (1e-4, flux §8 and sd3 §7); in
// Q8_0 / Q4_0 the packed-at-runtime model must equal the dequantize-once dense model to float
// rounding. Every case, variant and file name comes from the fixtures.
#include "core/model/dit_gguf.h"

#include "core/io/gguf.h"
#include "core/io/gguf_quants.h"
#include "core/io/gguf_weights.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors.h"
#include "core/model/packed_linear.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using lienzo::GgmlType;
using lienzo::GgufWeightMode;
using lienzo::GgufWeights;
using lienzo::SafetensorsFile;
namespace lt = lienzo::testing;
namespace fs = std::filesystem;

constexpr double kGoldenTol = 1e-4;  // flux README §8, sd3 README §7: model outputs
// Packed vs dequantize-once: the same weight bits through the same at::linear; only a different
// operation order (none here) could move the result, so float32 rounding is the bound.
constexpr double kSamePathTol = 1e-6;

/// How a fixture tensor is stored in the GGUF being written.
using TypeFor = std::function<GgmlType(const std::string& name, const SafetensorsFile& file)>;

/// The stored type: F16 tensors as F16, everything else F32 (exact for these fixtures).
GgmlType storedType(const std::string& name, const SafetensorsFile& file) {
  return file.info(name).dtype == lienzo::StDType::F16 ? GgmlType::F16 : GgmlType::F32;
}

/// `quant` for 2-D weights whose rows are whole blocks (as ComfyUI-GGUF's converter), else the
/// stored type.
TypeFor quantized(GgmlType quant) {
  return [quant](const std::string& name, const SafetensorsFile& file) {
    const auto& shape = file.info(name).shape;
    const uint32_t block = lienzo::ggmlTypeInfo(quant).blockLength;
    if (shape.size() == 2 && shape[1] % block == 0 && name.size() > 7 &&
        name.compare(name.size() - 7, 7, ".weight") == 0)
      return quant;
    return storedType(name, file);
  };
}

struct WriteOptions {
  std::string sourcePrefix;  ///< the transformer's prefix in the safetensors file
  std::string targetPrefix;  ///< "" (ComfyUI-GGUF) or "model.diffusion_model." (sd.cpp)
  std::string architecture;  ///< general.architecture, "" for none (family from the names)
  TypeFor type = storedType;
  std::string flattenTensor;    ///< stored as rows of 256 with comfy.gguf.orig_shape (if set)
  std::string dropTensor;       ///< left out (a damaged file)
  std::string transposeTensor;  ///< stored transposed (a damaged file)
  std::string forceTypeTensor;  ///< stored with `forcedType` and random bytes
  GgmlType forcedType = GgmlType::F32;
};

fs::path writeGgufOf(const SafetensorsFile& file, const fs::path& path, const WriteOptions& o) {
  std::vector<lienzo::GgufTensorToWrite> tensors;
  lienzo::GgufMetadataList metadata;
  if (!o.architecture.empty())
    metadata.emplace_back("general.architecture", lienzo::ggufString(o.architecture));
  for (const auto& name : file.names()) {
    if (name.compare(0, o.sourcePrefix.size(), o.sourcePrefix) != 0) continue;
    const std::string bare = name.substr(o.sourcePrefix.size());
    if (bare == o.dropTensor) continue;
    at::Tensor value = file.load(name, at::kFloat).contiguous();
    lienzo::GgufTensorToWrite t;
    t.name = o.targetPrefix + bare;
    t.type = o.type(name, file);
    t.shape = value.sizes().vec();
    if (bare == o.transposeTensor) {
      value = value.t().contiguous();
      t.shape = value.sizes().vec();
    }
    if (bare == o.forceTypeTensor) {
      t.type = o.forcedType;
      t.bytes.assign(*lienzo::ggmlByteSize(t.type, value.numel()), '\x11');
    } else {
      t.bytes.resize(*lienzo::ggmlByteSize(t.type, value.numel()));
      lienzo::quantizeGgml(t.type, value.data_ptr<float>(), value.numel(),
                           reinterpret_cast<uint8_t*>(t.bytes.data()));
    }
    if (bare == o.flattenTensor && value.numel() % 256 == 0) {
      metadata.emplace_back("comfy.gguf.orig_shape." + t.name, lienzo::ggufI32Array(t.shape));
      t.shape = {value.numel() / 256, 256};
    }
    tensors.push_back(std::move(t));
  }
  lienzo::writeGguf(path, tensors, metadata);
  return path;
}

// ---- Flux -------------------------------------------------------------------------------------

nlohmann::json fluxConfig() {
  return lt::readJsonFixture("flux/tiny-flux.config.json");
}

std::vector<std::string> fluxVariants() {
  std::vector<std::string> out;
  const nlohmann::json config = fluxConfig();  // alive while its items are iterated
  for (const auto& [key, value] : config.at("files").items())
    if (key.rfind("flux_", 0) == 0) out.push_back(key.substr(5));
  if (out.empty()) throw std::runtime_error("tiny-flux.config.json lists no flux_* file");
  return out;
}

SafetensorsFile fluxFile(const std::string& variant) {
  return SafetensorsFile::open(
      lt::fixturePath("flux/" + fluxConfig().at("files").at("flux_" + variant).get<std::string>()));
}

std::vector<int64_t> fluxAxes(const std::string& variant) {
  return fluxConfig().at("flux_" + variant).at("axes_dim").get<std::vector<int64_t>>();
}

/// Runs every golden_model case of `variant`; calls check(out, golden out, name).
int forEachFluxCase(
    lienzo::Flux& model, const std::string& variant,
    const std::function<void(const at::Tensor&, const at::Tensor&, const std::string&)>& check) {
  const auto golden = SafetensorsFile::open(lt::fixturePath("flux/golden_model.safetensors"));
  auto get = [&](const std::string& key) { return golden.load(key, at::kFloat); };
  c10::InferenceMode inference;
  int cases = 0;
  for (int k = 0;; ++k) {
    const std::string base = variant + ".case" + std::to_string(k) + ".";
    if (!golden.contains(base + "out")) break;
    ++cases;
    const at::Tensor guidance =
        golden.contains(base + "guidance") ? get(base + "guidance") : at::Tensor();
    const at::Tensor out =
        model->forward(get(base + "img"), get(base + "img_ids"), get(base + "txt"),
                       get(base + "txt_ids"), get(base + "timesteps"), get(base + "y"), guidance);
    check(out, get(base + "out"), base + "out");
  }
  return cases;
}

class DitGguf : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = lt::makeTempDir("dit_gguf"); }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(DitGguf, FluxStoredTypesReproduceGoldenModel) {
  // Each variant twice: ComfyUI-GGUF layout (bare names, general.architecture) and sd.cpp layout
  // (model.diffusion_model. names, no architecture key: the family comes from the names).
  for (const auto& variant : fluxVariants()) {
    for (const bool sdcpp : {false, true}) {
      SCOPED_TRACE(variant + (sdcpp ? " sd.cpp layout" : " ComfyUI layout"));
      WriteOptions o;
      o.targetPrefix = sdcpp ? "model.diffusion_model." : "";
      o.architecture = sdcpp ? "" : "flux";
      const auto path = writeGgufOf(fluxFile(variant), m_dir / (variant + ".gguf"), o);
      const auto weights = GgufWeights::open(path);
      EXPECT_EQ(lienzo::ggufDitFamily(weights), lienzo::ModelFamily::Flux);
      lienzo::GgufLoadReport report;
      lienzo::Flux flux = lienzo::loadFluxGguf(
          weights, at::kFloat, c10::kCPU, GgufWeightMode::KeepPacked, fluxAxes(variant), &report);
      EXPECT_EQ(report.packedLayers, 0u);  // F16 / F32 tensors load dense
      const int cases = forEachFluxCase(
          flux, variant, [](const at::Tensor& out, const at::Tensor& golden, const std::string& n) {
            lt::expectTensorNear(out, golden, kGoldenTol, n);
            std::cout << "[ measured ] gguf " << n << " " << lt::relativeMaxError(out, golden)
                      << "\n";
          });
      EXPECT_GT(cases, 0);
    }
  }
}

TEST_F(DitGguf, FluxQuantizedPackedEqualsDequantizedDense) {
  for (const GgmlType quant : {GgmlType::Q8_0, GgmlType::Q4_0}) {
    for (const auto& variant : fluxVariants()) {
      SCOPED_TRACE(std::string(lienzo::ggmlTypeName(quant)) + " " + variant);
      WriteOptions o;
      o.architecture = "flux";
      o.type = quantized(quant);
      o.flattenTensor = "single_blocks.0.linear2.weight";  // ComfyUI's rows of 256
      const auto path = writeGgufOf(fluxFile(variant), m_dir / (variant + ".gguf"), o);
      const auto weights = GgufWeights::open(path);
      lienzo::GgufLoadReport packedReport, denseReport;
      lienzo::Flux packed =
          lienzo::loadFluxGguf(weights, at::kFloat, c10::kCPU, GgufWeightMode::KeepPacked,
                               fluxAxes(variant), &packedReport);
      lienzo::Flux dense =
          lienzo::loadFluxGguf(weights, at::kFloat, c10::kCPU, GgufWeightMode::Dequantize,
                               fluxAxes(variant), &denseReport);
      EXPECT_GT(packedReport.packedLayers, 0u);
      EXPECT_EQ(denseReport.packedLayers, 0u);
      // The packed model keeps only the packed bytes of those layers, and the resident estimate
      // made from the file alone agrees with what the loader kept.
      EXPECT_LT(packedReport.packedBytes + packedReport.denseBytes, denseReport.denseBytes);
      EXPECT_EQ(lienzo::ggufDitResidentBytes(weights, at::kFloat),
                packedReport.packedBytes + packedReport.denseBytes +
                    static_cast<uint64_t>(packedReport.largestPackedElements) * 4);
      std::map<std::string, at::Tensor> denseOut;
      forEachFluxCase(dense, variant,
                      [&](const at::Tensor& out, const at::Tensor&, const std::string& n) {
                        denseOut[n] = out;
                      });
      const int cases = forEachFluxCase(
          packed, variant,
          [&](const at::Tensor& out, const at::Tensor& golden, const std::string& n) {
            lt::expectTensorNear(out, denseOut.at(n), kSamePathTol, n + " packed vs dense");
            std::cout << "[ measured ] " << lienzo::ggmlTypeName(quant) << " " << n
                      << " packed vs dense " << lt::relativeMaxError(out, denseOut.at(n))
                      << ", vs the F16 golden " << lt::relativeMaxError(out, golden) << "\n";
          });
      EXPECT_GT(cases, 0);
    }
  }
}

TEST_F(DitGguf, PackedLinearForwardIsTheDenseLinearOfTheDequantizedWeight) {
  // One layer on its own, BF16 and F32 compute: the packed call is at::linear of dequantize().
  const auto w = at::randn({96, 64}), b = at::randn({96}), x = at::randn({3, 5, 64});
  std::string bytes(*lienzo::ggmlByteSize(GgmlType::Q4_0, w.numel()), '\0');
  lienzo::quantizeGgml(GgmlType::Q4_0, w.data_ptr<float>(), w.numel(),
                       reinterpret_cast<uint8_t*>(bytes.data()));
  const auto path = m_dir / "one.gguf";
  lienzo::writeGguf(path, {{"l.weight", GgmlType::Q4_0, {96, 64}, bytes, {}}});
  const auto weights = GgufWeights::open(path);
  for (const auto dtype : {at::kFloat, at::kBFloat16}) {
    lienzo::PackedLinear linear(lienzo::LinearOptions(64, 96));
    linear->bias.set_data(b.to(dtype));
    linear->setPacked(weights.packed("l.weight"), dtype, c10::kCPU);
    EXPECT_TRUE(linear->isPacked());
    EXPECT_EQ(linear->weight.numel(), 0);
    EXPECT_EQ(linear->weight.scalar_type(), dtype);
    const at::Tensor expected =
        at::linear(x.to(dtype), weights.packed("l.weight").dequantize(dtype), b.to(dtype));
    lt::expectTensorEqual(linear->forward(x.to(dtype)), expected, "packed linear");
    EXPECT_THROW(linear->setPacked(weights.packed("l.weight"), at::kLong, c10::kCPU),
                 std::invalid_argument);
  }
  lienzo::PackedLinear wrong(lienzo::LinearOptions(96, 64));
  EXPECT_THROW(wrong->setPacked(weights.packed("l.weight"), at::kFloat, c10::kCPU),
               std::invalid_argument);
}

// ---- MMDiT ------------------------------------------------------------------------------------

SafetensorsFile sd3File() {
  return SafetensorsFile::open(
      lt::fixturePath("sd3/" + lt::readJsonFixture("sd3/tiny-sd3.config.json")
                                   .at("files")
                                   .at("checkpoint")
                                   .get<std::string>()));
}

std::string sd3Prefix(const SafetensorsFile& file) {
  const auto prefix = lienzo::findMmditPrefix(file);
  if (!prefix) throw std::runtime_error("no MMDiT in " + file.path().string());
  return *prefix;
}

int forEachMmditCase(
    lienzo::Mmdit& model,
    const std::function<void(const at::Tensor&, const at::Tensor&, const std::string&)>& check) {
  const auto g = SafetensorsFile::open(lt::fixturePath("sd3/golden_mmdit.safetensors"));
  c10::InferenceMode inference;
  int cases = 0;
  for (int k = 0;; ++k) {
    const std::string base = "case" + std::to_string(k) + ".";
    if (!g.contains(base + "x")) break;
    ++cases;
    auto load = [&](const std::string& what) { return g.load(base + what, at::kFloat); };
    const at::Tensor v =
        model->forward(load("x"), load("sigma") * 1000.0, load("context"), load("y"));
    check(v, load("v"), base + "v");
  }
  return cases;
}

TEST_F(DitGguf, MmditStoredTypesReproduceGoldenMmdit) {
  const auto file = sd3File();
  for (const bool sdcpp : {false, true}) {
    SCOPED_TRACE(sdcpp ? "sd.cpp layout" : "ComfyUI layout");
    WriteOptions o;
    o.sourcePrefix = sd3Prefix(file);
    o.targetPrefix = sdcpp ? "model.diffusion_model." : "";
    o.architecture = sdcpp ? "" : "sd3";
    const auto weights = GgufWeights::open(writeGgufOf(file, m_dir / "sd3.gguf", o));
    EXPECT_EQ(lienzo::ggufDitFamily(weights), lienzo::ModelFamily::SD3);
    lienzo::Mmdit mmdit = lienzo::loadMmditGguf(weights, at::kFloat);
    const int cases = forEachMmditCase(
        mmdit, [](const at::Tensor& v, const at::Tensor& golden, const std::string& n) {
          lt::expectTensorNear(v, golden, kGoldenTol, n);
          std::cout << "[ measured ] gguf " << n << " " << lt::relativeMaxError(v, golden) << "\n";
        });
    EXPECT_GT(cases, 0);
  }
}

TEST_F(DitGguf, MmditQuantizedPackedEqualsDequantizedDense) {
  const auto file = sd3File();
  for (const GgmlType quant : {GgmlType::Q8_0, GgmlType::Q4_0}) {
    SCOPED_TRACE(lienzo::ggmlTypeName(quant));
    WriteOptions o;
    o.sourcePrefix = sd3Prefix(file);
    o.architecture = "sd3";
    o.type = quantized(quant);
    const auto weights = GgufWeights::open(writeGgufOf(file, m_dir / "sd3q.gguf", o));
    lienzo::GgufLoadReport report;
    lienzo::Mmdit packed =
        lienzo::loadMmditGguf(weights, at::kFloat, c10::kCPU, GgufWeightMode::KeepPacked, &report);
    lienzo::Mmdit dense =
        lienzo::loadMmditGguf(weights, at::kFloat, c10::kCPU, GgufWeightMode::Dequantize);
    EXPECT_GT(report.packedLayers, 0u);
    std::map<std::string, at::Tensor> denseOut;
    forEachMmditCase(dense, [&](const at::Tensor& v, const at::Tensor&, const std::string& n) {
      denseOut[n] = v;
    });
    const int cases = forEachMmditCase(
        packed, [&](const at::Tensor& v, const at::Tensor& golden, const std::string& n) {
          lt::expectTensorNear(v, denseOut.at(n), kSamePathTol, n + " packed vs dense");
          std::cout << "[ measured ] " << lienzo::ggmlTypeName(quant) << " " << n
                    << " packed vs dense " << lt::relativeMaxError(v, denseOut.at(n))
                    << ", vs the F16 golden " << lt::relativeMaxError(v, golden) << "\n";
        });
    EXPECT_GT(cases, 0);
  }
}

// ---- bad files --------------------------------------------------------------------------------

TEST_F(DitGguf, DamagedFilesAreClearErrors) {
  const std::string variant = fluxVariants().front();
  const auto flux = fluxFile(variant);
  auto expectMessage = [&](const WriteOptions& o, const std::string& needle, auto loadFn) {
    const auto weights = GgufWeights::open(writeGgufOf(flux, m_dir / "bad.gguf", o));
    try {
      loadFn(weights);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.gguf"), std::string::npos) << e.what();
    }
  };
  auto loadPacked = [&](const GgufWeights& w) {
    lienzo::loadFluxGguf(w, at::kFloat, c10::kCPU, GgufWeightMode::KeepPacked, fluxAxes(variant));
  };
  WriteOptions o;
  o.architecture = "flux";
  o.type = quantized(GgmlType::Q8_0);
  o.dropTensor = "double_blocks.0.img_attn.proj.weight";
  expectMessage(o, "missing tensor 'double_blocks.0.img_attn.proj.weight'", loadPacked);
  o.dropTensor.clear();
  o.transposeTensor = "double_blocks.0.img_mlp.0.weight";  // [4H, H] stored as [H, 4H]
  expectMessage(o, "double_blocks.0.img_mlp.0.weight' has shape", loadPacked);
  o.transposeTensor.clear();
  o.forceTypeTensor = "single_blocks.0.linear1.weight";
  o.forcedType = GgmlType::IQ4_NL;  // a ggml type without a Lienzo kernel
  expectMessage(o, "IQ4_NL", loadPacked);
  o.forceTypeTensor.clear();
  // Another architecture: a Flux file opened as an MMDiT.
  expectMessage(o, "not a SD3", [](const GgufWeights& w) { lienzo::loadMmditGguf(w, at::kFloat); });
}

}  // namespace
