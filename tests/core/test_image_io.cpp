// Image files: pixels through OpenImageIO/libwebp, metadata chunks (tEXt/iTXt, EXIF UserComment)
// checked with our readers and ImageMagick's identify, and the atomic write's failure behaviour.
#include "core/io/image_io.h"

#include "core/io/png_text.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <tuple>

#include "support/fixtures.h"

#if LIENZO_TEST_HAVE_LIBPNG
#include <png.h>
#endif

namespace lienzo {
namespace {

namespace fs = std::filesystem;

Image8 gradient(int w, int h, int channels) {
  Image8 img;
  img.width = w;
  img.height = h;
  img.channels = channels;
  img.pixels.resize(static_cast<std::size_t>(w * h * channels));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int v = c == 3 ? 1 + (x * 7 + y * 3) % 255 : (x * 13 + y * 5 + c * 60) % 256;
        img.pixels[static_cast<std::size_t>((y * w + x) * channels + c)] = static_cast<uint8_t>(v);
      }
    }
  }
  return img;
}

/// Smooth ramps (no wrap-around), what lossy codecs reproduce well.
Image8 smooth(int w, int h, int channels) {
  Image8 img = gradient(w, h, channels);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < std::min(channels, 3); ++c) {
        img.pixels[static_cast<std::size_t>((y * w + x) * channels + c)] =
            static_cast<uint8_t>(40 + x * 2 + y + c * 20);
      }
    }
  }
  return img;
}

Image8 noise(int w, int h) {
  Image8 img;
  img.width = w;
  img.height = h;
  img.channels = 3;
  img.pixels.resize(static_cast<std::size_t>(w * h * 3));
  std::mt19937 rng(5);
  for (auto& p : img.pixels) p = static_cast<uint8_t>(rng());
  return img;
}

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

double meanAbsDiff(const Image8& a, const Image8& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(a.pixels[i] - b.pixels[i]);
  return sum / static_cast<double>(a.pixels.size());
}

const std::string kLatin1Prompt =
    "a cozy café in París, señorita with a hat, (detailed:1.2)\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 64x48, RNG: CPU";
const std::string kUnicodePrompt =
    "un dragón 🐉 sobre la montaña, 日本の城, \"épico\"\n"
    "Negative prompt: borroso\n"
    "Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 7, Size: 64x48";

bool haveIdentify() {
  return std::system("command -v identify >/dev/null 2>&1") == 0;
}

std::string identifyVerbose(const fs::path& file) {
  const std::string cmd = "identify -verbose '" + file.string() + "' 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    ::pclose(pipe);
  }
  return out;
}

TEST(ImageIo, PngRoundTripsRgbAndStraightAlphaExactly) {
  const fs::path dir = testing::makeTempDir("imageio");
  for (int channels : {3, 4}) {
    const Image8 img = gradient(37, 23, channels);
    const fs::path file = dir / ("g" + std::to_string(channels) + ".png");
    writeImage(file, img);
    const Image8 back = readImage(file);
    EXPECT_EQ(back.width, 37);
    EXPECT_EQ(back.height, 23);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, img.pixels) << channels << " channels";
  }
}

TEST(ImageIo, PngTextChunkKindFollowsLatin1) {
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 img = gradient(64, 48, 3);
  writeImage(dir / "latin1.png", img, {{"parameters", kLatin1Prompt}});
  writeImage(dir / "unicode.png", img, {{"parameters", kUnicodePrompt}, {"prompt", "{\"3\": {}}"}});

  const auto latin = readPngTextChunks(readBytes(dir / "latin1.png"));
  ASSERT_EQ(latin.size(), 1u);
  EXPECT_EQ(latin[0].kind, PngTextChunk::Kind::Text);
  EXPECT_EQ(latin[0].text, kLatin1Prompt);

  const auto uni = readPngTextChunks(readBytes(dir / "unicode.png"));
  ASSERT_EQ(uni.size(), 2u);
  for (const auto& c : uni) {
    if (c.keyword == "parameters") {
      EXPECT_EQ(c.kind, PngTextChunk::Kind::IText);
      EXPECT_EQ(c.text, kUnicodePrompt);
    } else {
      EXPECT_EQ(c.kind, PngTextChunk::Kind::Text);  // ASCII JSON
    }
  }
  EXPECT_EQ(readImageText(dir / "unicode.png").at("parameters"), kUnicodePrompt);
  EXPECT_EQ(readImage(dir / "unicode.png").pixels, img.pixels);
}

TEST(ImageIo, IdentifyShowsTheParameters) {
  if (!haveIdentify()) GTEST_SKIP() << "ImageMagick 'identify' is not installed";
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 img = gradient(64, 48, 3);
  writeImage(dir / "latin1.png", img, {{"parameters", kLatin1Prompt}});
  // ImageMagick prints a tEXt value as its raw (Latin-1) bytes.
  const std::string a = identifyVerbose(dir / "latin1.png");
  EXPECT_NE(a.find("parameters: a cozy caf\xE9 in Par\xEDs, se\xF1orita with a hat"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find("\nNegative prompt: blurry, lowres\n"), std::string::npos) << a;
  EXPECT_NE(a.find("\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 64x48, RNG: CPU"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find("1 tEXt/zTXt/iTXt chunks were found"), std::string::npos) << a;
}

#if LIENZO_TEST_HAVE_LIBPNG
TEST(ImageIo, LibpngReadsTheITextChunk) {
  // ImageMagick 6.9 (Debian 12) does not print iTXt values at all (it copies text_length bytes,
  // which libpng sets to 0 for iTXt), so the non-Latin-1 case is checked with libpng itself, the
  // reader most tools use.
  const fs::path dir = testing::makeTempDir("imageio");
  writeImage(dir / "unicode.png", gradient(64, 48, 3), {{"parameters", kUnicodePrompt}});
  FILE* f = std::fopen((dir / "unicode.png").c_str(), "rb");
  ASSERT_NE(f, nullptr);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  std::vector<std::tuple<std::string, std::string, int>> texts;
  if (setjmp(png_jmpbuf(png)) == 0) {
    png_init_io(png, f);
    png_read_info(png, info);
    png_textp text = nullptr;
    int count = 0;
    png_get_text(png, info, &text, &count);
    for (int i = 0; i < count; ++i) {
      const std::size_t length = text[i].compression >= PNG_ITXT_COMPRESSION_NONE
                                     ? text[i].itxt_length
                                     : text[i].text_length;
      texts.emplace_back(text[i].key, std::string(text[i].text, length), text[i].compression);
    }
  } else {
    ADD_FAILURE() << "libpng rejected the file";
  }
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(std::get<0>(texts[0]), "parameters");
  EXPECT_EQ(std::get<1>(texts[0]), kUnicodePrompt);
  EXPECT_EQ(std::get<2>(texts[0]), PNG_ITXT_COMPRESSION_NONE);
  if (haveIdentify()) {
    // identify accepts the file (no CRC/chunk warnings) even though it does not print iTXt.
    const std::string out = identifyVerbose(dir / "unicode.png");
    EXPECT_NE(out.find("Format: PNG"), std::string::npos) << out;
    EXPECT_EQ(out.find("identify:"), std::string::npos) << out;
  }
}
#endif

TEST(ImageIo, JpegCarriesParametersAsExifUserComment) {
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 img = smooth(64, 48, 4);  // alpha is dropped for JPEG
  writeImage(dir / "a.jpg", img, {{"parameters", kUnicodePrompt}, {"workflow", "{}"}});
  const auto text = readImageText(dir / "a.jpg");
  ASSERT_EQ(text.size(), 1u);
  EXPECT_EQ(text.at("parameters"), kUnicodePrompt);
  const Image8 back = readImage(dir / "a.jpg");
  EXPECT_EQ(back.channels, 3);
  EXPECT_EQ(back.width, 64);
  const Image8 rgb = smooth(64, 48, 3);
  Image8 rgbOfRgba = rgb;
  for (std::size_t i = 0; i < rgb.pixels.size() / 3; ++i) {
    for (int c = 0; c < 3; ++c) rgbOfRgba.pixels[i * 3 + c] = img.pixels[i * 4 + c];
  }
  EXPECT_LT(meanAbsDiff(back, rgbOfRgba), 2.0);
  if (haveIdentify()) {
    // ImageMagick sees a valid EXIF block with a UserComment tag.
    EXPECT_NE(identifyVerbose(dir / "a.jpg").find("exif:UserComment"), std::string::npos);
  }
}

TEST(ImageIo, JpegRefusesParametersBeyondTheExifLimit) {
  const fs::path dir = testing::makeTempDir("imageio");
  const std::string huge(40000, 'x');
  EXPECT_THROW(writeImage(dir / "big.jpg", gradient(8, 8, 3), {{"parameters", huge}}),
               ImageIoError);
  EXPECT_TRUE(entries(dir).empty());
  writeImage(dir / "big.png", gradient(8, 8, 3), {{"parameters", huge}});
  EXPECT_EQ(readImageText(dir / "big.png").at("parameters"), huge);
}

TEST(ImageIo, WebpLosslessKeepsRgbaAndParameters) {
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 img = gradient(40, 30, 4);
  ImageWriteOptions options;
  options.webpLossless = true;
  writeImage(dir / "a.webp", img, {{"parameters", kUnicodePrompt}}, options);
  const Image8 back = readImage(dir / "a.webp");
  ASSERT_EQ(back.channels, 4);
  EXPECT_EQ(back.pixels, img.pixels);
  EXPECT_EQ(readImageText(dir / "a.webp").at("parameters"), kUnicodePrompt);

  const Image8 rgb = gradient(40, 30, 3);
  writeImage(dir / "b.webp", rgb, {}, options);
  EXPECT_EQ(readImage(dir / "b.webp").pixels, rgb.pixels);
  EXPECT_TRUE(readImageText(dir / "b.webp").empty());
}

TEST(ImageIo, WebpLossyIsClose) {
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 img = smooth(64, 48, 3);
  writeImage(dir / "a.webp", img, {{"parameters", kLatin1Prompt}});
  const Image8 back = readImage(dir / "a.webp");
  ASSERT_EQ(back.channels, 3);
  EXPECT_LT(meanAbsDiff(back, img), 2.0);
  EXPECT_EQ(readImageText(dir / "a.webp").at("parameters"), kLatin1Prompt);
}

TEST(ImageIo, GreyIsExpandedToRgb) {
  const fs::path dir = testing::makeTempDir("imageio");
  const Image8 grey = gradient(16, 9, 1);
  writeImage(dir / "g.png", grey);
  const Image8 back = readImage(dir / "g.png");
  ASSERT_EQ(back.channels, 3);
  for (std::size_t i = 0; i < grey.pixels.size(); ++i) {
    EXPECT_EQ(back.pixels[i * 3], grey.pixels[i]);
    EXPECT_EQ(back.pixels[i * 3 + 2], grey.pixels[i]);
  }
}

TEST(ImageIo, ReadErrorsAreImageIoErrors) {
  const fs::path dir = testing::makeTempDir("imageio");
  EXPECT_THROW(readImage(dir / "missing.png"), ImageIoError);
  std::ofstream(dir / "junk.png") << "this is not an image";
  EXPECT_THROW(readImage(dir / "junk.png"), ImageIoError);
  EXPECT_THROW(readImageText(dir / "junk.png"), ImageIoError);
  EXPECT_THROW(readImageText(dir / "missing.png"), ImageIoError);
}

TEST(ImageIo, BadRequestsLeaveNoFile) {
  const fs::path dir = testing::makeTempDir("imageio");
  EXPECT_THROW(writeImage(dir / "a.bmp", gradient(4, 4, 3)), ImageIoError);
  Image8 wrong = gradient(4, 4, 3);
  wrong.pixels.pop_back();
  EXPECT_THROW(writeImage(dir / "a.png", wrong), std::invalid_argument);
  EXPECT_THROW(writeImage(dir / "a.png", gradient(4, 4, 3), {{"bad  keyword", "x"}}),
               std::invalid_argument);
  EXPECT_TRUE(entries(dir).empty());
}

TEST(ImageIo, OverwriteIsCompleteAndLeavesNoTemporaryFiles) {
  const fs::path dir = testing::makeTempDir("imageio");
  writeImage(dir / "a.png", gradient(8, 8, 3), {{"parameters", "first"}});
  writeImage(dir / "a.png", gradient(16, 4, 3), {{"parameters", "second"}});
  EXPECT_EQ(entries(dir), std::vector<std::string>{"a.png"});
  EXPECT_EQ(readImage(dir / "a.png").width, 16);
  EXPECT_EQ(readImageText(dir / "a.png").at("parameters"), "second");
}

TEST(ImageIo, FailureBeforeCommitLeavesTheExistingFileUntouched) {
  const fs::path dir = testing::makeTempDir("imageio");
  const fs::path file = dir / "keep.png";
  writeImage(file, gradient(8, 8, 3), {{"parameters", "original"}});
  const std::string before = readBytes(file);

  ImageWriteOptions options;
  fs::path seenTemp;
  options.beforeCommit = [&](const fs::path& temp) {
    seenTemp = temp;
    // The temporary file is complete and in the target folder when the hook runs.
    EXPECT_EQ(temp.parent_path(), dir);
    EXPECT_EQ(readImage(temp).width, 32);
    throw ImageIoError("simulated failure: No space left on device");
  };
  try {
    writeImage(file, gradient(32, 32, 3), {{"parameters", "replacement"}}, options);
    FAIL() << "no error";
  } catch (const ImageIoError& e) {
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos);
  }
  EXPECT_FALSE(seenTemp.empty());
  EXPECT_FALSE(fs::exists(seenTemp));
  EXPECT_EQ(readBytes(file), before);
  EXPECT_EQ(entries(dir), std::vector<std::string>{"keep.png"});
}

TEST(ImageIo, ShortWriteIsReportedAndCleanedUp) {
  // A real failing write(2) without root or mounts: the file size limit makes write() return a
  // short count and then EFBIG, as a full disk returns ENOSPC.
  const fs::path dir = testing::makeTempDir("imageio");
  const fs::path file = dir / "keep.png";
  writeImage(file, gradient(8, 8, 3));
  const std::string before = readBytes(file);
  ASSERT_LT(before.size(), 16u * 1024u);

  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit small = old;
  small.rlim_cur = 16 * 1024;
  if (setrlimit(RLIMIT_FSIZE, &small) != 0) GTEST_SKIP() << "cannot lower RLIMIT_FSIZE";
  const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  std::string message;
  try {
    writeImage(file, noise(256, 256), {{"parameters", "too big to fit"}});  // ~200 KB
  } catch (const ImageIoError& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, oldHandler);

  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_EQ(readBytes(file), before);
  EXPECT_EQ(entries(dir), std::vector<std::string>{"keep.png"});
}

/// Writes into a read-only folder; returns 0 when ImageIoError said why and nothing was left.
int writeIntoReadOnlyFolder(const fs::path& dir) {
  try {
    writeImage(dir / "new.png", gradient(8, 8, 3), {{"parameters", "x"}});
  } catch (const ImageIoError& e) {
    const std::string what = e.what();
    const bool clear = what.find(dir.string()) != std::string::npos &&
                       (what.find("Permission denied") != std::string::npos ||
                        what.find("Read-only") != std::string::npos);
    if (!clear) std::fprintf(stderr, "unclear message: %s\n", what.c_str());
    return clear ? 0 : 1;
  }
  std::fprintf(stderr, "no error\n");
  return 2;
}

TEST(ImageIo, ReadOnlyFolderGivesAClearErrorAndNoFile) {
  const fs::path dir = testing::makeTempDir("imageio");
  writeImage(dir / "old.png", gradient(8, 8, 3));
  const std::string before = readBytes(dir / "old.png");
  ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);

  if (::geteuid() != 0) {
    EXPECT_EQ(writeIntoReadOnlyFolder(dir), 0);
  } else {
    // root ignores folder permissions: try as "nobody" in a child process.
    const pid_t probe = ::fork();
    if (probe == 0) _exit(::setgid(65534) == 0 && ::setuid(65534) == 0 ? 0 : 1);
    int status = 0;
    ::waitpid(probe, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ::chmod(dir.c_str(), 0755);
      GTEST_SKIP() << "running as root without the right to switch to an unprivileged user";
    }
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
          if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
          _exit(writeIntoReadOnlyFolder(dir));
        },
        ::testing::ExitedWithCode(0), "");
  }
  ::chmod(dir.c_str(), 0755);
  EXPECT_EQ(entries(dir), std::vector<std::string>{"old.png"});
  EXPECT_EQ(readBytes(dir / "old.png"), before);
}

}  // namespace
}  // namespace lienzo
