// GGUF container (core/io/gguf.h) and torch weights (core/io/gguf_weights.h): files built here
// byte by byte (there is no GGUF fixture), metadata of every type, shapes reversed for torch,
// ComfyUI-GGUF orig_shape, architecture detection, packed tensors, and one corrupt file per
// validation rule (its error kind and a message naming the problem).
#include "core/io/gguf.h"
#include "core/io/gguf_weights.h"
#include "core/io/gguf_writer.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace lienzo {
namespace {

template <typename T>
void put(std::string& out, T value) {
  for (std::size_t k = 0; k < sizeof(T); ++k)
    out.push_back(static_cast<char>((static_cast<uint64_t>(value) >> (8 * k)) & 0xff));
}
void putString(std::string& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out += s;
}
std::string floats(std::initializer_list<float> values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

/// Writes GGUF images: metadata pairs as raw encoded values, tensors placed at aligned offsets
/// (or at an explicit offset), the data section padded to the alignment.
struct GgufBuilder {
  uint32_t version = 3;
  uint32_t alignment = 32;  ///< used for the layout only (add general.alignment to change it)
  std::string kv;
  uint64_t keys = 0;
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;
    uint32_t type;
    std::string data;
    int64_t offset;
  };
  std::vector<Tensor> tensors;

  GgufBuilder& raw(const std::string& key, uint32_t type, const std::string& value) {
    putString(kv, key);
    put<uint32_t>(kv, type);
    kv += value;
    ++keys;
    return *this;
  }
  GgufBuilder& str(const std::string& key, const std::string& value) {
    std::string v;
    putString(v, value);
    return raw(key, 8, v);
  }
  GgufBuilder& u32(const std::string& key, uint32_t value) {
    std::string v;
    put(v, value);
    return raw(key, 4, v);
  }
  GgufBuilder& i32Array(const std::string& key, std::vector<int32_t> values) {
    std::string v;
    put<uint32_t>(v, 5);
    put<uint64_t>(v, values.size());
    for (auto x : values) put<uint32_t>(v, static_cast<uint32_t>(x));
    return raw(key, 9, v);
  }
  GgufBuilder& tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type,
                      std::string data, int64_t offset = -1) {
    tensors.push_back({name, std::move(ne), type, std::move(data), offset});
    return *this;
  }

  std::string build() const {
    std::string out = "GGUF";
    put(out, version);
    put<uint64_t>(out, tensors.size());
    put<uint64_t>(out, keys);
    out += kv;
    std::vector<uint64_t> offsets;
    uint64_t next = 0;
    for (const auto& t : tensors) {
      const uint64_t at = t.offset >= 0 ? static_cast<uint64_t>(t.offset) : next;
      offsets.push_back(at);
      next = std::max(next, (at + t.data.size() + alignment - 1) / alignment * alignment);
      putString(out, t.name);
      put<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
      for (auto n : t.ne) put<uint64_t>(out, n);
      put<uint32_t>(out, t.type);
      put<uint64_t>(out, at);
    }
    out.append((alignment - out.size() % alignment) % alignment, '\0');
    std::string data(next, '\0');
    for (std::size_t k = 0; k < tensors.size(); ++k) {
      const auto& t = tensors[k];
      if (data.size() < offsets[k] + t.data.size()) data.resize(offsets[k] + t.data.size());
      std::memcpy(data.data() + offsets[k], t.data.data(), t.data.size());
    }
    return out + data;
  }
};

/// The error `bytes` raise; fails the test when the file is accepted.
GgufError errorOf(const std::string& bytes, const GgufLimits& limits = {}) {
  try {
    GgufFile::fromBytes(bytes, "bad.gguf", limits);
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.gguf"), std::string::npos) << e.what();
    return e;
  }
  ADD_FAILURE() << "file was accepted";
  return GgufError(GgufErrorKind::Io, "", "");
}

void expectError(const std::string& bytes, GgufErrorKind kind, const std::string& words,
                 const GgufLimits& limits = {}) {
  const GgufError e = errorOf(bytes, limits);
  EXPECT_EQ(e.kind(), kind) << e.what();
  EXPECT_NE(std::string(e.what()).find(words), std::string::npos)
      << "message lacks '" << words << "': " << e.what();
}

TEST(Gguf, ReadsEveryMetadataType) {
  GgufBuilder b;
  std::string v;
  auto value = [&](auto x) {
    v.clear();
    put(v, x);
    return v;
  };
  b.raw("u8", 0, value(uint8_t{200}))
      .raw("i8", 1, value(int8_t{-5}))
      .raw("u16", 2, value(uint16_t{60000}))
      .raw("i16", 3, value(int16_t{-300}))
      .u32("u32", 4000000000u)
      .raw("i32", 5, value(int32_t{-70000}))
      .raw("f32", 6, value(uint32_t{0x3fc00000}))  // 1.5
      .raw("bool", 7, value(uint8_t{1}))
      .str("general.architecture", "flux")
      .raw("u64", 10, value(uint64_t{1} << 40))
      .raw("i64", 11, value(int64_t{-(int64_t{1} << 40)}))
      .raw("f64", 12, value(uint64_t{0xc004000000000000ull}));  // -2.5
  std::string arr;
  put<uint32_t>(arr, 8);  // array of strings
  put<uint64_t>(arr, 2);
  putString(arr, "a");
  putString(arr, "bc");
  b.raw("strings", 9, arr);
  std::string nested;
  put<uint32_t>(nested, 9);  // array of arrays of int8
  put<uint64_t>(nested, 1);
  put<uint32_t>(nested, 1);
  put<uint64_t>(nested, 2);
  nested += std::string("\x7f\x80", 2);
  b.raw("nested", 9, nested);

  const auto file = GgufFile::fromBytes(b.build(), "meta.gguf");
  EXPECT_EQ(file.version(), 3u);
  EXPECT_EQ(file.keys().size(), 14u);
  EXPECT_EQ(file.keys().front(), "u8");
  EXPECT_EQ(file.find("u8")->u, 200u);
  EXPECT_EQ(file.find("i8")->i, -5);
  EXPECT_EQ(file.find("u16")->u, 60000u);
  EXPECT_EQ(file.find("i16")->i, -300);
  EXPECT_EQ(file.find("u32")->u, 4000000000u);
  EXPECT_EQ(file.find("i32")->i, -70000);
  EXPECT_EQ(file.find("f32")->f, 1.5);
  EXPECT_EQ(file.find("bool")->u, 1u);
  EXPECT_EQ(file.find("u64")->u, uint64_t{1} << 40);
  EXPECT_EQ(*file.find("i64")->asInt(), -(int64_t{1} << 40));
  EXPECT_EQ(file.find("f64")->f, -2.5);
  const GgufValue* strings = file.find("strings");
  ASSERT_EQ(strings->array.size(), 2u);
  EXPECT_EQ(strings->array[1].s, "bc");
  EXPECT_EQ(strings->describe(), "[\"a\", \"bc\"]");
  const GgufValue* n = file.find("nested");
  ASSERT_EQ(n->array.size(), 1u);
  EXPECT_EQ(n->array[0].array[0].i, 127);
  EXPECT_EQ(n->array[0].array[1].i, -128);
  EXPECT_EQ(file.architecture(), "flux");
  EXPECT_EQ(file.family(), ModelFamily::Flux);
  EXPECT_FALSE(file.familyFromNames());
  EXPECT_EQ(file.names().size(), 0u);
}

TEST(Gguf, ShapesAreReversedAndTensorsLoad) {
  std::string q8(34 * 2, '\0');
  q8[1] = 0x38;  // d = 0.5 for block 0 (f16 0x3800)
  for (int j = 0; j < 32; ++j) q8[2 + j] = static_cast<char>(j - 16);
  q8[34 + 1] = 0x3c;  // d = 1 for block 1
  for (int j = 0; j < 32; ++j) q8[36 + j] = static_cast<char>(3);
  GgufBuilder b;
  b.tensor("w.f32", {3, 2}, 0, floats({1, 2, 3, 4, 5, 6}))
      .tensor("w.f16", {2}, 1, std::string("\x00\x3c\x00\xc0", 4))  // 1, -2
      .tensor("w.bf16", {1}, 30, std::string("\x80\x3f", 2))
      .tensor("w.q8", {32, 2}, 8, q8);
  const auto weights = GgufWeights(GgufFile::fromBytes(b.build(), "t.gguf"));
  const GgufFile& file = weights.file();
  EXPECT_EQ(file.names(), (std::vector<std::string>{"w.bf16", "w.f16", "w.f32", "w.q8"}));
  EXPECT_EQ(file.dataOffset() % 32, 0u);
  EXPECT_EQ(file.info("w.f32").ne, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(file.info("w.f32").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(file.info("w.q8").shape, (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(file.info("w.q8").nbytes, 68u);

  const at::Tensor f32 = weights.view("w.f32");
  EXPECT_EQ(f32.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f32[1][0].item<float>(), 4.0f);  // row-major: ne[0] is the fastest dimension
  EXPECT_TRUE(at::equal(weights.load("w.f16", at::kFloat), at::tensor({1.0f, -2.0f})));
  EXPECT_EQ(weights.view("w.bf16").scalar_type(), at::kBFloat16);

  const GgufPackedTensor packed = weights.packed("w.q8");
  EXPECT_TRUE(packed.quantized());
  EXPECT_EQ(packed.type(), GgmlType::Q8_0);
  EXPECT_EQ(packed.packedBytes().numel(), 68);
  const at::Tensor q = packed.dequantize();
  ASSERT_EQ(q.sizes(), (std::vector<int64_t>{2, 32}));
  const at::Tensor want0 = (at::arange(32, at::kFloat) - 16) * 0.5;
  EXPECT_TRUE(at::equal(q[0], want0));
  EXPECT_TRUE(at::equal(q[1], at::full({32}, 3.0f)));
  EXPECT_TRUE(at::equal(packed.dequantize(at::kBFloat16), q.to(at::kBFloat16)));
  EXPECT_TRUE(at::equal(weights.load("w.q8", at::kHalf), q.to(at::kHalf)));
  EXPECT_THROW(packed.dequantize(at::kInt), std::invalid_argument);
  try {
    weights.view("w.q8");
    FAIL() << "view of a quantized tensor";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.kind(), GgufErrorKind::Unsupported);
  }
  try {
    weights.packed("missing");
    FAIL() << "missing tensor";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.kind(), GgufErrorKind::MissingTensor);
    EXPECT_NE(std::string(e.what()).find("'missing'"), std::string::npos);
  }
}

TEST(Gguf, UnsupportedTypeIsListedButNotDequantized) {
  GgufBuilder b;
  b.tensor("iq", {32}, 20, std::string(18, '\0'));  // IQ4_NL
  const auto weights = GgufWeights(GgufFile::fromBytes(b.build(), "iq.gguf"));
  EXPECT_EQ(weights.info("iq").type, GgmlType::IQ4_NL);
  try {
    weights.load("iq", at::kFloat);
    FAIL() << "IQ4_NL dequantized";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.kind(), GgufErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("IQ4_NL"), std::string::npos) << e.what();
  }
}

TEST(Gguf, CustomAlignmentAndVersion2) {
  GgufBuilder b;
  b.version = 2;
  b.alignment = 64;
  b.u32("general.alignment", 64)
      .tensor("a", {4}, 0, floats({1, 2, 3, 4}))
      .tensor("b", {2}, 0, floats({5, 6}));
  const auto file = GgufFile::fromBytes(b.build(), "v2.gguf");
  EXPECT_EQ(file.version(), 2u);
  EXPECT_EQ(file.alignment(), 64u);
  EXPECT_EQ(file.dataOffset() % 64, 0u);
  EXPECT_EQ(file.info("b").offset, 64u);
  float second[2];
  std::memcpy(second, file.tensorData("b"), 8);
  EXPECT_EQ(second[1], 6.0f);
}

TEST(Gguf, ComfyOrigShapeRestoresTheShape) {
  std::string q8(34 * 4, '\0');
  GgufBuilder b;
  b.i32Array("comfy.gguf.orig_shape.conv.weight", {8, 4, 2, 2})
      .tensor("conv.weight", {32, 4}, 8, q8);
  const auto weights = GgufWeights(GgufFile::fromBytes(b.build(), "c.gguf"));
  EXPECT_EQ(weights.info("conv.weight").shape, (std::vector<int64_t>{8, 4, 2, 2}));
  EXPECT_EQ(weights.packed("conv.weight").dequantize().sizes(), (std::vector<int64_t>{8, 4, 2, 2}));

  GgufBuilder bad;
  bad.i32Array("comfy.gguf.orig_shape.conv.weight", {8, 4, 2, 3})
      .tensor("conv.weight", {32, 4}, 8, q8);
  expectError(bad.build(), GgufErrorKind::BadMetadata, "comfy.gguf.orig_shape.conv.weight");
  GgufBuilder negative;
  negative.i32Array("comfy.gguf.orig_shape.conv.weight", {-8, -16})
      .tensor("conv.weight", {32, 4}, 8, q8);
  expectError(negative.build(), GgufErrorKind::BadMetadata, "non-negative integers");
}

TEST(Gguf, ArchitectureFromNamesAndPrefix) {
  const std::string f32 = floats({0});
  {  // ComfyUI-GGUF Flux: bare names, no general.architecture
    GgufBuilder b;
    b.tensor("double_blocks.0.img_attn.qkv.weight", {1}, 0, f32);
    const auto file = GgufFile::fromBytes(b.build());
    EXPECT_EQ(file.family(), ModelFamily::Flux);
    EXPECT_TRUE(file.familyFromNames());
    EXPECT_EQ(file.modelPrefix(), "");
  }
  {  // sd.cpp SD3 with the checkpoint prefix
    GgufBuilder b;
    b.tensor("model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", {1}, 0, f32);
    const auto file = GgufFile::fromBytes(b.build());
    EXPECT_EQ(file.family(), ModelFamily::SD3);
    EXPECT_EQ(file.modelPrefix(), "model.diffusion_model.");
  }
  {  // a bare SD1 U-Net (conv proj_in) and a bare SDXL U-Net (label_emb)
    GgufBuilder sd1, sdxl;
    sd1.tensor("input_blocks.1.1.proj_in.weight", {1, 1, 1, 1}, 0, f32);
    EXPECT_EQ(GgufFile::fromBytes(sd1.build()).family(), ModelFamily::SD1);
    sdxl.tensor("label_emb.0.0.weight", {1}, 0, f32);
    EXPECT_EQ(GgufFile::fromBytes(sdxl.build()).family(), ModelFamily::SDXL);
  }
  {  // general.architecture wins; unknown architectures are reported by name
    GgufBuilder b;
    b.str("general.architecture", "t5encoder").tensor("double_blocks.0.x", {1}, 0, f32);
    const auto file = GgufFile::fromBytes(b.build());
    EXPECT_EQ(file.architecture(), "t5encoder");
    EXPECT_EQ(file.family(), ModelFamily::Unknown);
    EXPECT_FALSE(file.familyFromNames());
  }
}

TEST(Gguf, OpensFromDiskAndTensorsOutliveTheReader) {
  GgufBuilder b;
  b.tensor("x", {2}, 0, floats({7, 8}));
  const auto path = std::filesystem::temp_directory_path() /
                    ("lienzo-gguf-" + std::to_string(::getpid()) + ".gguf");
  {
    std::ofstream out(path, std::ios::binary);
    const std::string bytes = b.build();
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  EXPECT_TRUE(looksLikeGguf(path));
  at::Tensor view;
  {
    const auto weights = GgufWeights::open(path);
    view = weights.view("x");
    weights.file().releasePages("x");
  }
  std::filesystem::remove(path);
  EXPECT_EQ(view[1].item<float>(), 8.0f);
  try {
    GgufFile::open(path);
    FAIL() << "missing file opened";
  } catch (const GgufError& e) {
    EXPECT_EQ(e.kind(), GgufErrorKind::Io);
  }
}

TEST(Gguf, WriterRoundTrip) {
  const at::Tensor w = at::randn({4, 64});
  std::string q8(ggmlTypeInfo(GgmlType::Q8_0).blockBytes * 8, '\0');
  quantizeGgml(GgmlType::Q8_0, w.contiguous().data_ptr<float>(), 256,
               reinterpret_cast<uint8_t*>(q8.data()));
  const at::Tensor b = at::tensor({1.5f, -2.0f, 0.25f});
  std::string f16(6, '\0');
  quantizeGgml(GgmlType::F16, b.data_ptr<float>(), 3, reinterpret_cast<uint8_t*>(f16.data()));
  int produced = 0;
  std::vector<GgufTensorToWrite> tensors = {{"blk.w", GgmlType::Q8_0, {4, 64}, q8, {}},
                                            {"blk.b", GgmlType::F16, {3}, "", {}}};
  tensors[1].produce = [&] {
    ++produced;
    return f16;
  };
  const GgufMetadataList meta = {{"general.architecture", ggufString("flux")},
                                 {"general.quantization_version", ggufU32(2)},
                                 {"comfy.gguf.orig_shape.blk.w", ggufI32Array({4, 4, 4, 4})}};
  const auto path = std::filesystem::temp_directory_path() /
                    ("lienzo-gguf-w-" + std::to_string(::getpid()) + ".gguf");
  writeGguf(path, tensors, meta, 64);
  EXPECT_EQ(produced, 1);
  const auto weights = GgufWeights::open(path);
  std::filesystem::remove(path);
  EXPECT_EQ(weights.file().alignment(), 64u);
  EXPECT_EQ(weights.file().family(), ModelFamily::Flux);
  EXPECT_EQ(weights.info("blk.w").ne, (std::vector<int64_t>{64, 4}));
  EXPECT_EQ(weights.info("blk.w").shape, (std::vector<int64_t>{4, 4, 4, 4}));
  EXPECT_EQ(weights.info("blk.b").offset % 64, 0u);
  const at::Tensor back = weights.load("blk.w", at::kFloat).reshape({4, 64});
  const at::Tensor scale = w.abs().reshape({8, 32}).amax(1, true) / 127;
  // |q·d_half − x| ≤ d/2 + 127·|d_half − d| ≤ d·(1/2 + 127·2^-11).
  const double bound = 0.5 + 127.0 / 2048.0;
  EXPECT_TRUE(((back - w).abs().reshape({8, 32}) <= scale * bound + 1e-6).all().item<bool>());
  EXPECT_TRUE(at::equal(weights.load("blk.b", at::kFloat), b));

  EXPECT_THROW(serializeGguf({{"x", GgmlType::Q4_0, {16}, std::string(9, '\0'), {}}}),
               std::invalid_argument);
  EXPECT_THROW(serializeGguf({{"x", GgmlType::F32, {2}, std::string(4, '\0'), {}}}),
               std::invalid_argument);
  EXPECT_THROW(serializeGguf({}, {}, 48), std::invalid_argument);
  // A producer that makes the wrong size: refused, and no file (nor temporary) is left.
  tensors[1].produce = [] { return std::string(5, '\0'); };
  EXPECT_THROW(writeGguf(path, tensors, meta), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(Gguf, TorchDequantizationMatchesTheKernels) {
  // Random bytes of every dequantizable type: the torch-operation path (what runs on a GPU) must
  // give the CPU kernels' bits, NaN and infinities from random scales included.
  std::mt19937 rng(99);
  std::vector<GgufTensorToWrite> tensors;
  const GgmlType types[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,
                            GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
                            GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                            GgmlType::Q6_K};
  for (GgmlType type : types) {
    const GgmlTypeInfo& info = ggmlTypeInfo(type);
    const std::vector<int64_t> shape = {3, static_cast<int64_t>(info.blockLength) * 2};
    std::string bytes(*ggmlByteSize(type, 6 * info.blockLength), '\0');
    for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
    tensors.push_back({info.name, type, shape, bytes, {}});
  }
  // One more block than the torch path's chunk (4 Mi elements): the chunk seam is covered.
  std::string big(18 * 131073, '\0');
  for (auto& c : big) c = static_cast<char>(rng() & 0xff);
  tensors.push_back({"big", GgmlType::Q4_0, {131073, 32}, big, {}});
  const auto weights = GgufWeights(GgufFile::fromBytes(serializeGguf(tensors), "random.gguf"));
  {
    const GgufPackedTensor packed = weights.packed("big");
    EXPECT_TRUE(at::allclose(
        packed.dequantize(),
        dequantizeGgmlTensor(GgmlType::Q4_0, packed.packedBytes(), packed.shape(), at::kFloat), 0.0,
        0.0, true));
  }
  for (GgmlType type : types) {
    const GgufPackedTensor packed = weights.packed(ggmlTypeName(type));
    EXPECT_EQ(packed.device(), c10::Device(c10::kCPU));
    for (const auto dtype : {at::kFloat, at::kBFloat16}) {
      const at::Tensor kernel = packed.dequantize(dtype);
      const at::Tensor ops =
          dequantizeGgmlTensor(type, packed.packedBytes(), packed.shape(), dtype);
      ASSERT_EQ(kernel.sizes(), ops.sizes()) << ggmlTypeName(type);
      EXPECT_TRUE(at::allclose(kernel.to(at::kFloat), ops.to(at::kFloat), 0.0, 0.0, true))
          << ggmlTypeName(type) << " " << c10::toString(dtype) << " max diff "
          << (kernel.to(at::kFloat) - ops.to(at::kFloat))
                 .abs()
                 .nan_to_num(0, 0, 0)
                 .max()
                 .item<float>();
    }
  }
  EXPECT_THROW(dequantizeGgmlTensor(GgmlType::Q4_0, at::zeros({17}, at::kByte), {32}, at::kFloat),
               std::invalid_argument);
  const GgufPackedTensor moved = weights.packed("Q4_K").to(c10::Device(c10::kCPU));
  EXPECT_TRUE(
      at::allclose(moved.dequantize(), weights.packed("Q4_K").dequantize(), 0.0, 0.0, true));
}

TEST(Gguf, LlamaCppT5NamesMapToHuggingFaceKeys) {
  EXPECT_EQ(t5KeyFromGguf("enc.blk.0.attn_q.weight"),
            "encoder.block.0.layer.0.SelfAttention.q.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.0.attn_rel_b.weight"),
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.23.attn_norm.weight"),
            "encoder.block.23.layer.0.layer_norm.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.5.ffn_gate.weight"),
            "encoder.block.5.layer.1.DenseReluDense.wi_0.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.5.ffn_up.weight"),
            "encoder.block.5.layer.1.DenseReluDense.wi_1.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.5.ffn_down.weight"),
            "encoder.block.5.layer.1.DenseReluDense.wo.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.blk.5.ffn_norm.weight"),
            "encoder.block.5.layer.1.layer_norm.weight");
  EXPECT_EQ(t5KeyFromGguf("enc.output_norm.weight"), "encoder.final_layer_norm.weight");
  EXPECT_EQ(t5KeyFromGguf("token_embd.weight"), "shared.weight");
  EXPECT_EQ(t5KeyFromGguf("double_blocks.0.img_attn.qkv.weight"),
            "double_blocks.0.img_attn.qkv.weight");
}

// ---- one corrupt file per rule -----------------------------------------------------------------

TEST(GgufErrors, TruncatedAnywhere) {
  GgufBuilder b;
  b.str("general.architecture", "flux").tensor("x", {4}, 0, floats({1, 2, 3, 4}));
  const std::string good = b.build();
  // Cut inside the header, the metadata, the tensor info and the data (the last 16 bytes of the
  // image are padding after the 16-byte tensor).
  for (std::size_t cut : {std::size_t{3}, std::size_t{10}, std::size_t{30}, std::size_t{60},
                          std::size_t{80}, good.size() - 17}) {
    const GgufError e = errorOf(good.substr(0, cut));
    EXPECT_TRUE(e.kind() == GgufErrorKind::Truncated || e.kind() == GgufErrorKind::OutOfBounds ||
                e.kind() == GgufErrorKind::TooMany)
        << cut << ": " << e.what();
    EXPECT_TRUE(std::string(e.what()).find("truncated") != std::string::npos ||
                std::string(e.what()).find("cannot fit") != std::string::npos)
        << cut << ": " << e.what();
  }
  expectError(good.substr(0, 12), GgufErrorKind::Truncated, "tensor count");
}

TEST(GgufErrors, MagicAndVersion) {
  GgufBuilder b;
  std::string bytes = b.build();
  bytes[0] = 'g';
  expectError(bytes, GgufErrorKind::BadMagic, "magic");
  expectError("PK\x03\x04", GgufErrorKind::BadMagic, "magic");
  b.version = 1;
  expectError(b.build(), GgufErrorKind::BadVersion, "version 1");
  b.version = 4;
  expectError(b.build(), GgufErrorKind::BadVersion, "version 4");
  b.version = 0x03000000;
  expectError(b.build(), GgufErrorKind::BadVersion, "big-endian");
}

TEST(GgufErrors, HugeCounts) {
  std::string header = "GGUF";
  put<uint32_t>(header, 3);
  put<uint64_t>(header, uint64_t{1} << 60);  // tensors
  put<uint64_t>(header, 0);
  expectError(header + std::string(64, '\0'), GgufErrorKind::TooMany, "tensor count");
  header = "GGUF";
  put<uint32_t>(header, 3);
  put<uint64_t>(header, 0);
  put<uint64_t>(header, ~uint64_t{0});  // keys
  expectError(header + std::string(64, '\0'), GgufErrorKind::TooMany, "metadata key count");
  GgufLimits limits;
  limits.maxTensors = 1;
  GgufBuilder two;
  two.tensor("a", {1}, 0, floats({1})).tensor("b", {1}, 0, floats({1}));
  expectError(two.build(), GgufErrorKind::TooMany, "limit", limits);

  GgufBuilder array;
  std::string v;
  put<uint32_t>(v, 0);
  put<uint64_t>(v, uint64_t{1} << 50);
  array.raw("big", 9, v + "x");
  expectError(array.build(), GgufErrorKind::TooMany, "'big'");
  GgufBuilder str;
  std::string s;
  put<uint64_t>(s, uint64_t{1} << 40);
  str.raw("long", 8, s);
  expectError(str.build(), GgufErrorKind::BadMetadata, "'long'");
}

TEST(GgufErrors, MetadataRules) {
  GgufBuilder type;
  type.raw("k", 13, "");
  expectError(type.build(), GgufErrorKind::BadMetadata, "unknown value type 13");
  GgufBuilder twice;
  twice.u32("k", 1).u32("k", 2);
  expectError(twice.build(), GgufErrorKind::BadMetadata, "'k' is defined twice");
  GgufBuilder boolean;
  boolean.raw("flag", 7, "\x02");
  expectError(boolean.build(), GgufErrorKind::BadMetadata, "bool");
  GgufBuilder deep;
  std::string v;
  for (int k = 0; k < 6; ++k) {  // arrays of arrays, six levels
    put<uint32_t>(v, 9);
    put<uint64_t>(v, 1);
  }
  put<uint32_t>(v, 0);
  put<uint64_t>(v, 0);
  deep.raw("deep", 9, v);
  expectError(deep.build(), GgufErrorKind::BadMetadata, "nests arrays");
}

TEST(GgufErrors, Alignment) {
  GgufBuilder notPow2;
  notPow2.u32("general.alignment", 48);
  expectError(notPow2.build(), GgufErrorKind::BadAlignment, "not a power of two");
  GgufBuilder zero;
  zero.u32("general.alignment", 0);
  expectError(zero.build(), GgufErrorKind::BadAlignment, "general.alignment 0");
  GgufBuilder wrongType;
  wrongType.str("general.alignment", "32");
  expectError(wrongType.build(), GgufErrorKind::BadAlignment, "must be a uint32");
}

TEST(GgufErrors, TensorRules) {
  const std::string four = floats({1, 2, 3, 4});
  GgufBuilder misaligned;
  misaligned.tensor("x", {4}, 0, four, 8);
  expectError(misaligned.build(), GgufErrorKind::Misaligned, "not a multiple of the alignment");

  GgufBuilder overlap;
  overlap.tensor("a", {16}, 0, std::string(64, '\0'), 0).tensor("b", {4}, 0, four, 32);
  expectError(overlap.build(), GgufErrorKind::Overlap, "'a' and 'b' overlap");

  GgufBuilder outside;
  outside.tensor("x", {4}, 0, four, 1024);
  std::string bytes = outside.build();
  bytes.resize(bytes.size() - 1024);  // keep the header, drop the data
  expectError(bytes, GgufErrorKind::OutOfBounds, "past the end of the file");

  GgufBuilder badType;
  badType.tensor("x", {4}, 4, four);  // Q4_2: removed from ggml
  expectError(badType.build(), GgufErrorKind::UnknownType, "unknown ggml type id 4");
  GgufBuilder hugeType;
  hugeType.tensor("x", {4}, 0xffffffffu, four);
  expectError(hugeType.build(), GgufErrorKind::UnknownType, "'x'");

  GgufBuilder dup;
  dup.tensor("x", {4}, 0, four).tensor("x", {4}, 0, four);
  expectError(dup.build(), GgufErrorKind::DuplicateName, "'x' is defined twice");

  GgufBuilder dims;
  dims.tensor("x", {1, 1, 1, 1, 4}, 0, four);
  expectError(dims.build(), GgufErrorKind::BadTensorInfo, "5 dimensions");

  GgufBuilder row;
  row.tensor("x", {16, 2}, 2, std::string(18, '\0'));  // Q4_0 rows must hold 32k elements
  expectError(row.build(), GgufErrorKind::BadShape, "row length 16");

  GgufBuilder overflow;
  overflow.tensor("x", {uint64_t{1} << 40, uint64_t{1} << 40}, 0, four);
  expectError(overflow.build(), GgufErrorKind::BadTensorInfo, "overflows");

  // A zero extent first makes the count 0 in file order but not in shape order: still refused.
  GgufBuilder zeroFirst;
  zeroFirst.tensor("x", {0, uint64_t{1} << 40, uint64_t{1} << 40}, 0, "");
  expectError(zeroFirst.build(), GgufErrorKind::BadTensorInfo, "overflows");

  GgufBuilder unnamed;
  unnamed.tensor("", {4}, 0, four);
  expectError(unnamed.build(), GgufErrorKind::BadTensorInfo, "no name");
}

}  // namespace
}  // namespace lienzo
