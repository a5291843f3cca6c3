// Safetensors reader/writer: round trips, zero-copy views, dtype conversion, and one hand-made
// corrupt file per validation rule (each must raise its specific error kind).
#include "core/io/safetensors.h"
#include "core/io/safetensors_header.h"

#include "support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace lienzo
