// The bad-input table of docs/reliability.md, rows that need no model: each hostile or broken
// file is met with a clear error (a typed exception whose message names the file and the
// reason) or a documented safe result, never a crash, a hang or a read out of bounds. Rows that
// need the tiny fixture model are in test_bad_input_pipeline.cpp; rows already covered elsewhere
// are listed in docs/reliability.md with their test.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/infotext.h"
#include "core/io/metadata_import.h"
#include "core/io/png_text.h"
#include "core/io/safetensors.h"
#include "core/io/text_codec.h"
#include "support/fixtures.h"

namespace lienzo {
namespace {

namespace fs = std::filesystem;

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

void writeBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

/// Opens `path` as a user would (through identifyFile) and returns the error; fails the test
/// when the file is accepted or when the message does not name the file.
template <typename Error>
Error openError(const fs::path& path) {
  try {
    identifyFile(path);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos)
        << "the message names the file: " << e.what();
    return e;
  }
  ADD_FAILURE() << path << " was accepted";
  throw std::runtime_error("accepted");
}

/// A small but real checkpoint image: two U-Net tensors and a VAE tensor.
std::string smallCheckpoint() {
  return serializeSafetensors(
      {{"model.diffusion_model.input_blocks.0.0.weight", at::randn({8, 4, 3, 3})},
       {"model.diffusion_model.out.2.weight", at::randn({4, 8, 3, 3})},
       {"first_stage_model.decoder.conv_out.weight", at::randn({3, 8, 3, 3})}});
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testing::makeTempDir("bad-input"); }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

// ---- checkpoints ---------------------------------------------------------------------------

TEST_F(BadInput, TruncatedCheckpointAtEveryRegionIsAClearError) {
  const std::string good = smallCheckpoint();
  const uint64_t headerLen = static_cast<uint64_t>(static_cast<unsigned char>(good[0])) |
                             static_cast<uint64_t>(static_cast<unsigned char>(good[1])) << 8;
  struct Cut {
    size_t keep;
    SafetensorsErrorKind kind;
  };
  const Cut cuts[] = {
      {0, SafetensorsErrorKind::Truncated},                       // empty file
      {5, SafetensorsErrorKind::Truncated},                       // inside the length prefix
      {8 + headerLen / 2, SafetensorsErrorKind::HeaderTooLarge},  // inside the header
      {8 + headerLen, SafetensorsErrorKind::OutOfBounds},         // header only, no data
      {good.size() - 1, SafetensorsErrorKind::OutOfBounds},       // last byte missing
  };
  for (const Cut& cut : cuts) {
    const fs::path path = m_dir / ("cut-" + std::to_string(cut.keep) + ".safetensors");
    writeBytes(path, good.substr(0, cut.keep));
    const auto e = openError<SafetensorsError>(path);
    EXPECT_EQ(e.kind(), cut.kind) << "cut at " << cut.keep << ": " << e.what();
  }
  // The intact file still opens (the table is about the cut, not the content).
  writeBytes(m_dir / "good.safetensors", good);
  EXPECT_EQ(identifyFile(m_dir / "good.safetensors").tensors, 3);
}

TEST_F(BadInput, HeaderLengthBeyondTheFile) {
  for (const uint64_t claimed : {uint64_t{1} << 20, uint64_t{1} << 40, ~uint64_t{0}}) {
    const fs::path path = m_dir / "long-header.safetensors";
    writeBytes(path, le64(claimed) + "{}");
    const auto e = openError<SafetensorsError>(path);
    EXPECT_EQ(e.kind(), SafetensorsErrorKind::HeaderTooLarge);
    EXPECT_NE(e.reason().find("past the end"), std::string::npos) << e.what();
  }
}

TEST_F(BadInput, OverlappingAndOutOfRangeOffsets) {
  const auto file = [](const std::string& json, size_t data) {
    return le64(json.size()) + json + std::string(data, '\0');
  };
  struct Row {
    std::string json;
    size_t data;
    SafetensorsErrorKind kind;
  };
  const Row rows[] = {
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, SafetensorsErrorKind::Overlap},
      {R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",  // nested inside a
       16, SafetensorsErrorKind::Overlap},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[1000,1008]}})", 8,
       SafetensorsErrorKind::OutOfBounds},
      {R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})", 8,
       SafetensorsErrorKind::OutOfBounds},
      {R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[0,18446744073709551615]}})", 8,
       SafetensorsErrorKind::OutOfBounds},
  };
  int i = 0;
  for (const Row& row : rows) {
    const fs::path path = m_dir / ("offsets-" + std::to_string(i++) + ".safetensors");
    writeBytes(path, file(row.json, row.data));
    const auto e = openError<SafetensorsError>(path);
    EXPECT_EQ(e.kind(), row.kind) << row.json << " -> " << e.what();
  }
}

TEST_F(BadInput, UnknownDTypeNamesTheTensorAndTheDType) {
  const std::string json =
      R"({"model.diffusion_model.out.2.weight":{"dtype":"F8_E8M0","shape":[2],"data_offsets":[0,2]}})";
  const fs::path path = m_dir / "e8m0.safetensors";
  writeBytes(path, le64(json.size()) + json + "ab");
  const auto e = openError<SafetensorsError>(path);
  EXPECT_EQ(e.kind(), SafetensorsErrorKind::UnknownDType);
  EXPECT_NE(e.reason().find("F8_E8M0"), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find("out.2.weight"), std::string::npos) << e.what();
}

TEST_F(BadInput, Sd3AndFluxLikeKeysAreIdentifiedNotGuessed) {
  // Identification names the family; the pipeline refuses it (test_bad_input_pipeline.cpp).
  const fs::path sd3 = m_dir / "sd3.safetensors";
  writeSafetensors(
      sd3, {{"model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", at::zeros({6, 2})},
            {"model.diffusion_model.x_embedder.proj.weight", at::zeros({2, 16, 2, 2})}});
  EXPECT_EQ(identifyFile(sd3).family, ModelFamily::SD3);
  const fs::path flux = m_dir / "flux.safetensors";
  writeSafetensors(flux, {{"double_blocks.0.img_attn.qkv.weight", at::zeros({6, 2})},
                          {"single_blocks.0.linear1.weight", at::zeros({4, 2})}});
  EXPECT_EQ(identifyFile(flux).family, ModelFamily::Flux);
}

TEST_F(BadInput, PickleCheckpointIsRefusedAndNeverUnpickled) {
  // A protocol-2 pickle that would run `touch <marker>` through os.system if it were unpickled.
  const fs::path marker = m_dir / "pwned";
  const std::string command = "touch " + marker.string();
  std::string pickle(
      "\x80\x02"
      "cposix\nsystem\nq\x00X",
      17);
  const uint32_t n = static_cast<uint32_t>(command.size());
  for (int i = 0; i < 4; ++i) pickle.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  pickle += command + std::string("q\x01\x85q\x02Rq\x03.", 9);
  std::string zip("PK\x03\x04", 4);  // torch.save() >= 1.6 writes a zip archive
  zip += std::string(26, '\0') + "archive/data.pkl" + pickle;

  const struct {
    std::string name;
    std::string bytes;
  } files[] = {
      {"model.ckpt", pickle},
      {"model.pt", zip},
      {"model.pth", pickle},
      {"model.CKPT", pickle},
      {"disguised.safetensors", pickle},
      {"disguised.bin", zip},
      {"no-extension", pickle},
  };
  for (const auto& f : files) {
    writeBytes(m_dir / f.name, f.bytes);
    const auto e = openError<CheckpointError>(m_dir / f.name);
    EXPECT_NE(std::string(e.what()).find("never unpickles"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(marker)) << "the payload ran";
}

// ---- image metadata --------------------------------------------------------------------------

void be32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

std::string pngChunk(const std::string& type, const std::string& data) {
  std::string out;
  be32(out, static_cast<uint32_t>(data.size()));
  out += type + data;
  const std::string crcInput = type + data;
  be32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(crcInput.data()),
                                        static_cast<uInt>(crcInput.size()))));
  return out;
}

/// A 1x1 PNG with `text` chunks (already encoded) before IDAT.
std::string pngWith(const std::string& textChunks) {
  std::string ihdr;
  be32(ihdr, 1);
  be32(ihdr, 1);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  const std::string raw("\x00\xff\x00\x00", 4);
  std::string idat(compressBound(4), '\0');
  uLongf len = static_cast<uLongf>(idat.size());
  compress(reinterpret_cast<Bytef*>(idat.data()), &len, reinterpret_cast<const Bytef*>(raw.data()),
           4);
  idat.resize(len);
  return std::string("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + textChunks +
         pngChunk("IDAT", idat) + pngChunk("IEND", "");
}

std::string bigPrompt(size_t bytes) {
  std::string s;
  s.reserve(bytes + 64);
  while (s.size() < bytes) s += "a very long prompt, (weighted:1.2), ";
  return s;
}

TEST_F(BadInput, TenMegabyteParametersChunkIsReadAndParsed) {
  const std::string prompt = bigPrompt(10u << 20);
  const std::string text = prompt + "\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5";
  const fs::path path = m_dir / "big.png";
  writeBytes(path, pngWith(pngChunk("tEXt", "parameters" + std::string(1, '\0') + text)));
  const auto chunks = readPngTextMap(path);
  ASSERT_EQ(chunks.at("parameters").size(), text.size());
  const auto info = importGenerationMetadata(chunks);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->prompt, prompt.substr(0, prompt.find_last_not_of(' ') + 1));
  EXPECT_EQ(info->get("Seed").value_or(""), "5");
}

TEST_F(BadInput, InvalidUtf8ParametersBecomeReplacementCharacters) {
  const std::string bad = std::string("caf\xc3\x28 \xff\xfe \xed\xa0\x80 \xf4\x90\x80\x80", 17) +
                          "\nSteps: 4, Sampler: Euler, Seed: 1";
  // iTXt is UTF-8 by definition: invalid sequences are replaced, never passed on.
  const std::string itxt = "parameters" + std::string("\0\0\0\0\0", 5) + bad;
  const fs::path path = m_dir / "bad-utf8.png";
  writeBytes(path, pngWith(pngChunk("iTXt", itxt)));
  const auto chunks = readPngTextMap(path);
  const std::string& text = chunks.at("parameters");
  EXPECT_TRUE(textcodec::isValidUtf8(text));
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos) << "U+FFFD present";
  const auto info = importGenerationMetadata(chunks);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->get("Steps").value_or(""), "4");
  EXPECT_TRUE(textcodec::isValidUtf8(info->prompt));
  // tEXt is Latin-1: every byte is a character, so the same bytes become valid UTF-8 too.
  writeBytes(path, pngWith(pngChunk("tEXt", "parameters" + std::string(1, '\0') + bad)));
  EXPECT_TRUE(textcodec::isValidUtf8(readPngTextMap(path).at("parameters")));
  // The infotext reader given raw invalid bytes (e.g. from the clipboard) never throws.
  EXPECT_NO_THROW(parseInfotext(bad));
}

TEST_F(BadInput, TruncatedOrNonPngImageIsAClearError) {
  const std::string png =
      pngWith(pngChunk("tEXt", "parameters" + std::string(1, '\0') + "p\nSteps: 1, Seed: 1, A: b"));
  for (const size_t keep : {size_t{0}, size_t{7}, size_t{20}, png.size() / 2, png.size() - 1}) {
    const fs::path path = m_dir / "cut.png";
    writeBytes(path, png.substr(0, keep));
    try {
      readPngTextMap(path);
      ADD_FAILURE() << "cut at " << keep << " accepted";
    } catch (const PngError& e) {
      EXPECT_FALSE(std::string(e.what()).empty());
    }
  }
  EXPECT_THROW(readPngTextMap(m_dir / "missing.png"), PngError);
}

}  // namespace
}  // namespace lienzo
