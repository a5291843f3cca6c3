// Safetensors reader/writer: round trips, zero-copy views, dtype conversion, and one hand-made
// corrupt file per validation rule (each must raise its specific error kind).
#include "core/io/safetensors.h"
#include "core/io/safetensors_header.h"

#include "support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

namespace lienzo {
namespace {

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

/// A file image from a header JSON and a data section.
std::string makeFile(const std::string& json, const std::string& data) {
  return le64(json.size()) + json + data;
}

SafetensorsErrorKind kindOf(const std::string& bytes, const SafetensorsLimits& limits = {}) {
  try {
    SafetensorsFile::fromBytes(bytes, "corrupt.safetensors", limits);
  } catch (const SafetensorsError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt.safetensors"), std::string::npos) << e.what();
    return e.kind();
  }
  ADD_FAILURE() << "file was accepted";
  return SafetensorsErrorKind::Io;
}

TEST(Safetensors, RoundTripAllDTypes) {
  std::vector<std::pair<std::string, at::Tensor>> tensors = {
      {"f64", at::arange(6, at::kDouble).reshape({2, 3})},
      {"f32", at::randn({3, 4})},
      {"f16", at::randn({5}).to(at::kHalf)},
      {"bf16", at::randn({2, 2}).to(at::kBFloat16)},
      {"i64", at::arange(4, at::kLong)},
      {"i32", at::arange(3, at::kInt)},
      {"i16", at::arange(3, at::kShort)},
      {"i8", at::arange(-2, 2, at::kChar)},
      {"u8", at::arange(7, at::kByte)},
      {"bool", at::arange(3, at::kLong).remainder(2).eq(0)},
      {"scalar", at::scalar_tensor(3.5, at::kFloat)},
      {"empty", at::empty({0, 4}, at::kFloat)},
  };
  const auto bytes = serializeSafetensors(tensors, {{"format", "pt"}});
  const auto file = SafetensorsFile::fromBytes(bytes);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.names().size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const auto v = file.view(name);
    EXPECT_EQ(v.scalar_type(), t.scalar_type()) << name;
    EXPECT_EQ(v.sizes(), t.sizes()) << name;
    EXPECT_TRUE(at::equal(v, t)) << name;
  }
  // Header length is a multiple of 8 and keys are sorted.
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ(headerLen % 8, 0u);
  EXPECT_TRUE(std::is_sorted(file.names().begin(), file.names().end()));
}

TEST(Safetensors, LoadConvertsDType) {
  const auto t = at::randn({4, 4}).to(at::kHalf);
  const auto file = SafetensorsFile::fromBytes(serializeSafetensors({{"w", t}}));
  const auto f32 = file.load("w", at::kFloat);
  EXPECT_EQ(f32.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(f32, t.to(at::kFloat)));
  const auto bf = file.load("w", at::kBFloat16);
  EXPECT_EQ(bf.scalar_type(), at::kBFloat16);
}

TEST(Safetensors, ViewIsZeroCopyAndOutlivesFile) {
  const auto dir = testing::makeTempDir("st");
  const auto path = dir / "a.safetensors";
  const auto t = at::arange(64, at::kFloat);
  writeSafetensors(path, {{"x", t}});
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  at::Tensor v1, v2;
  {
    const auto file = SafetensorsFile::open(path);
    v1 = file.view("x");
    v2 = file.view("x");
    EXPECT_EQ(v1.data_ptr(), v2.data_ptr());  // both point into the one mapping
  }
  EXPECT_TRUE(at::equal(v1, t));  // the mapping outlives the SafetensorsFile
  v1.add_(1);                     // private copy-on-write: the file is untouched
  const auto again = SafetensorsFile::open(path);
  EXPECT_TRUE(at::equal(again.view("x"), t));
  std::filesystem::remove_all(dir);
}

TEST(Safetensors, MissingTensorIsTypedError) {
  const auto file = SafetensorsFile::fromBytes(serializeSafetensors({{"a", at::ones({1})}}));
  try {
    file.view("b");
    FAIL();
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(e.kind(), SafetensorsErrorKind::MissingTensor);
  }
}

TEST(SafetensorsCorrupt, EmptyFile) {
  EXPECT_EQ(kindOf(""), SafetensorsErrorKind::Truncated);
}

TEST(SafetensorsCorrupt, ShorterThanLengthPrefix) {
  EXPECT_EQ(kindOf(std::string("\x10\x00\x00", 3)), SafetensorsErrorKind::Truncated);
}

TEST(SafetensorsCorrupt, HeaderLongerThanFile) {
  EXPECT_EQ(kindOf(le64(1000) + "{}"), SafetensorsErrorKind::HeaderTooLarge);
  EXPECT_EQ(kindOf(le64(~0ull) + "{}"), SafetensorsErrorKind::HeaderTooLarge);
}

TEST(SafetensorsCorrupt, HeaderAboveLimit) {
  SafetensorsLimits limits;
  limits.maxHeaderBytes = 16;
  const std::string json = R"({"__metadata__":{"a":"bbbbbbbbbbbbbbbbbb"}})";
  EXPECT_EQ(kindOf(makeFile(json, ""), limits), SafetensorsErrorKind::HeaderTooLarge);
}

TEST(SafetensorsCorrupt, BadJson) {
  EXPECT_EQ(kindOf(makeFile("{\"a\": [1, 2", "")), SafetensorsErrorKind::BadJson);
  EXPECT_EQ(kindOf(makeFile("[1,2,3]", "")), SafetensorsErrorKind::BadJson);
  EXPECT_EQ(kindOf(makeFile("\xff\xfe{}", "")), SafetensorsErrorKind::BadJson);
}

TEST(SafetensorsCorrupt, MissingFields) {
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[1]}})", "abcd")),
            SafetensorsErrorKind::BadEntry);
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,-4]}})", "abcd")),
            SafetensorsErrorKind::BadEntry);
  EXPECT_EQ(kindOf(makeFile(R"({"__metadata__":{"a":1}})", "")), SafetensorsErrorKind::BadEntry);
}

TEST(SafetensorsCorrupt, UnknownDType) {
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", "x")),
            SafetensorsErrorKind::UnknownDType);
}

TEST(SafetensorsCorrupt, HugeShape) {
  EXPECT_EQ(kindOf(makeFile(
                R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})",
                "abcd")),
            SafetensorsErrorKind::BadShape);
  EXPECT_EQ(
      kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})",
                      "abcd")),
      SafetensorsErrorKind::BadShape);
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd")),
            SafetensorsErrorKind::BadShape);
  // Zero elements, but the other extents overflow int64 when multiplied in another order.
  EXPECT_EQ(
      kindOf(makeFile(
          R"({"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", "")),
      SafetensorsErrorKind::BadShape);
}

TEST(SafetensorsCorrupt, ShapeDoesNotMatchSpan) {
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "abcd")),
            SafetensorsErrorKind::SizeMismatch);
}

TEST(SafetensorsCorrupt, OffsetsOutsideData) {
  // Truncated data section: the span runs past the end of the file.
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "abcd")),
            SafetensorsErrorKind::OutOfBounds);
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", "abcd")),
            SafetensorsErrorKind::OutOfBounds);
}

TEST(SafetensorsCorrupt, OverlappingSpans) {
  const std::string json = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  EXPECT_EQ(kindOf(makeFile(json, std::string(12, 'x'))), SafetensorsErrorKind::Overlap);
}

TEST(SafetensorsCorrupt, DuplicateTensorNameIsRefused) {
  // JSON parsers keep the last of two equal keys; a tensor defined twice is ambiguous.
  const std::string json = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  const std::string bytes = makeFile(json, std::string(8, 'x'));
  EXPECT_EQ(kindOf(bytes), SafetensorsErrorKind::BadEntry);
  try {
    SafetensorsFile::fromBytes(bytes, "twice.safetensors");
    FAIL();
  } catch (const SafetensorsError& e) {
    EXPECT_NE(std::string(e.what()).find("'a' twice"), std::string::npos) << e.what();
  }
  // Equal keys in different objects are fine; the torch-free reader refuses the same file.
  EXPECT_EQ(duplicateHeaderKey(json.data(), json.data() + json.size()), "a");
  const std::string nested = R"({"__metadata__":{"a":"1"},"a":{"dtype":"F32","shape":[1],)"
                             R"("data_offsets":[0,4]}})";
  EXPECT_EQ(duplicateHeaderKey(nested.data(), nested.data() + nested.size()), "");
  EXPECT_THROW(parseSafetensorsHeader(bytes, bytes.size(), "twice"), SafetensorsHeaderError);
}

TEST(SafetensorsCorrupt, TruncatedRealWrite) {
  const auto good = serializeSafetensors({{"w", at::randn({16, 16})}});
  EXPECT_EQ(kindOf(good.substr(0, good.size() - 10)), SafetensorsErrorKind::OutOfBounds);
  EXPECT_EQ(kindOf(good.substr(0, 20)), SafetensorsErrorKind::HeaderTooLarge);
}

TEST(SafetensorsCorrupt, NotAFile) {
  try {
    SafetensorsFile::open("/nonexistent/nothing.safetensors");
    FAIL();
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(e.kind(), SafetensorsErrorKind::Io);
  }
  const auto dir = testing::makeTempDir("stdir");
  try {
    SafetensorsFile::open(dir);
    FAIL();
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(e.kind(), SafetensorsErrorKind::Io);
  }
  std::filesystem::remove_all(dir);
}

TEST(SafetensorsWrite, UnwritableFolderFailsCleanly) {
  EXPECT_THROW(writeSafetensors("/nonexistent-dir/x.safetensors", {{"a", at::ones({1})}}),
               SafetensorsError);
}

// ---- float8 (F8_E4M3 = float8_e4m3fn, F8_E5M2), decoded by table on load ----------------------

/// Equal values with equal signs (so -0 != +0), or both NaN.
bool sameFloat(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

TEST(SafetensorsFloat8, E4M3FnEncodings) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::pair<int, float> known[] = {
      {0x00, 0.0f},
      {0x80, -0.0f},
      {0x01, std::ldexp(1.0f, -9)},  // smallest subnormal
      {0x07, std::ldexp(7.0f, -9)},  // largest subnormal
      {0x08, std::ldexp(1.0f, -6)},  // smallest normal
      {0x38, 1.0f},
      {0xB8, -1.0f},
      {0x40, 2.0f},
      {0x3C, 1.5f},
      {0x78, 256.0f},  // exponent field 15 is finite in E4M3FN
      {0x7E, 448.0f},  // the largest finite value
      {0xFE, -448.0f},
      {0x7F, nan},
      {0xFF, nan},
  };
  for (const auto& [bits, value] : known)
    EXPECT_TRUE(sameFloat(float8ToFloat(static_cast<uint8_t>(bits), StDType::F8_E4M3), value))
        << std::hex << bits << " -> "
        << float8ToFloat(static_cast<uint8_t>(bits), StDType::F8_E4M3);
  int nans = 0;
  for (int b = 0; b < 256; ++b) {
    const float v = float8ToFloat(static_cast<uint8_t>(b), StDType::F8_E4M3);
    EXPECT_FALSE(std::isinf(v)) << "E4M3FN has no infinity, byte " << b;
    nans += std::isnan(v) ? 1 : 0;
  }
  EXPECT_EQ(nans, 2);  // only S.1111.111
}

TEST(SafetensorsFloat8, E5M2Encodings) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::pair<int, float> known[] = {
      {0x00, 0.0f},
      {0x80, -0.0f},
      {0x01, std::ldexp(1.0f, -16)},
      {0x03, std::ldexp(3.0f, -16)},
      {0x04, std::ldexp(1.0f, -14)},
      {0x3C, 1.0f},
      {0xBC, -1.0f},
      {0x7B, 57344.0f},
      {0x7C, inf},
      {0xFC, -inf},
      {0x7D, nan},
      {0x7E, nan},
      {0x7F, nan},
      {0xFF, nan},
  };
  for (const auto& [bits, value] : known)
    EXPECT_TRUE(sameFloat(float8ToFloat(static_cast<uint8_t>(bits), StDType::F8_E5M2), value))
        << std::hex << bits;
  // E5M2 is the high byte of an IEEE float16: cross-check all 256 codes against torch's half.
  const at::Tensor halves =
      (at::arange(256, at::kInt) * 256).to(at::kShort).view(at::kHalf).to(at::kFloat);
  for (int b = 0; b < 256; ++b)
    EXPECT_TRUE(sameFloat(float8ToFloat(static_cast<uint8_t>(b), StDType::F8_E5M2),
                          halves[b].item<float>()))
        << "byte " << b;
  EXPECT_THROW(float8ToFloat(0, StDType::F16), std::invalid_argument);
}

TEST(SafetensorsFloat8, HandBuiltFileIsDecodedOnLoad) {
  // Every special encoding of both formats, plus ordinary values, as raw bytes.
  const std::string e4m3 = std::string("\x00\x80\x01\x07\x08\x38\x7E\xFE\x7F\xFF\x3C\x40", 12);
  const std::string e5m2 = std::string("\x00\x80\x01\x04\x3C\x7B\x7C\xFC\x7D\xFF", 10);
  const std::string json = R"({"a.weight":{"dtype":"F8_E4M3","shape":[3,4],"data_offsets":[0,12]},)"
                           R"("b.weight":{"dtype":"F8_E5M2","shape":[10],"data_offsets":[12,22]}})";
  const auto file = SafetensorsFile::fromBytes(makeFile(json, e4m3 + e5m2), "fp8.safetensors");
  EXPECT_EQ(file.info("a.weight").dtype, StDType::F8_E4M3);
  EXPECT_EQ(file.info("b.weight").dtype, StDType::F8_E5M2);
  EXPECT_STREQ(stDTypeName(StDType::F8_E4M3), "F8_E4M3");
  EXPECT_EQ(stDTypeSize(StDType::F8_E5M2), 1u);
  EXPECT_TRUE(stDTypeIsFloat8(StDType::F8_E4M3));
  EXPECT_FALSE(stDTypeIsFloat8(StDType::BF16));
  EXPECT_EQ(fromScalarType(at::kFloat), StDType::F32);  // float32 is never written as float8

  const std::pair<std::string, const std::string*> tensors[] = {{"a.weight", &e4m3},
                                                                {"b.weight", &e5m2}};
  for (const auto& [name, raw] : tensors) {
    const StDType dtype = file.info(name).dtype;
    const at::Tensor view = file.view(name);
    ASSERT_EQ(view.scalar_type(), at::kFloat) << name;
    EXPECT_EQ(view.sizes(), at::IntArrayRef(file.info(name).shape)) << name;
    for (const auto target : {at::kFloat, at::kBFloat16, at::kHalf, at::kDouble}) {
      const at::Tensor loaded = file.load(name, target);
      ASSERT_EQ(loaded.scalar_type(), target) << name;
      ASSERT_EQ(loaded.sizes(), view.sizes()) << name;
      const at::Tensor flat = loaded.to(at::kFloat).reshape({-1});
      for (std::size_t i = 0; i < raw->size(); ++i) {
        const float expected = float8ToFloat(static_cast<uint8_t>((*raw)[i]), dtype);
        EXPECT_TRUE(sameFloat(flat[static_cast<int64_t>(i)].item<float>(), expected))
            << name << " as " << c10::toString(target) << " element " << i;
        if (target == at::kFloat) {
          EXPECT_TRUE(
              sameFloat(view.reshape({-1})[static_cast<int64_t>(i)].item<float>(), expected));
        }
      }
    }
  }
}

TEST(SafetensorsFloat8, SizesAreCheckedLikeEveryDType) {
  // One byte per element: [3] needs exactly 3 bytes.
  EXPECT_EQ(
      kindOf(makeFile(R"({"a":{"dtype":"F8_E4M3","shape":[3],"data_offsets":[0,4]}})", "abcd")),
      SafetensorsErrorKind::SizeMismatch);
  EXPECT_EQ(
      kindOf(makeFile(R"({"a":{"dtype":"F8_E5M2","shape":[2,2],"data_offsets":[0,5]}})", "abcd")),
      SafetensorsErrorKind::OutOfBounds);
  EXPECT_EQ(kindOf(makeFile(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]},)"
                            R"("b":{"dtype":"F8_E5M2","shape":[2],"data_offsets":[1,3]}})",
                            "abc")),
            SafetensorsErrorKind::Overlap);
}

}  // namespace
}  // namespace lienzo
