#include "core/io/sha256.h"

#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <fstream>

namespace lienzo {
namespace {

// FIPS 180-2 appendix B test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileMatchesBytesAcrossBlockBoundaries) {
  const auto dir = testing::makeTempDir("sha");
  std::string data;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) data.push_back(static_cast<char>(i * 31 + 7));
  std::ofstream(dir / "f.bin", std::ios::binary) << data;
  EXPECT_EQ(sha256FileHex(dir / "f.bin"), sha256Hex(data));
  EXPECT_THROW(sha256FileHex(dir / "missing"), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lienzo
