#include "core/io/image_io.h"

#include "core/io/exif_text.h"
#include "core/io/png_text.h"

#include <OpenImageIO/filesystem.h>
#include <OpenImageIO/imageio.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string_view>
#include <utility>

// WebP goes to libwebp directly: OpenImageIO 2.4's WebP writer converts RGB to YUV even for
// "lossless" and un-premultiplies RGBA in 8 bits, and its reader premultiplies alpha, which
// visibly changes pixels. libwebp's simple API is a stable C ABI; its headers are used when
// present (libwebp-dev), else the functions are declared here (Debian ships only the runtime,
// libwebp7, as a dependency of OpenImageIO).
#if LIENZO_HAVE_LIBWEBP
#if __has_include(<webp/encode.h>)
#include <webp/encode.h>
#else
extern "C" {
size_t WebPEncodeRGB(const uint8_t* rgb, int width, int height, int stride, float quality,
                     uint8_t** output);
size_t WebPEncodeRGBA(const uint8_t* rgba, int width, int height, int stride, float quality,
                      uint8_t** output);
size_t WebPEncodeLosslessRGB(const uint8_t* rgb, int width, int height, int stride,
                             uint8_t** output);
size_t WebPEncodeLosslessRGBA(const uint8_t* rgba, int width, int height, int stride,
                              uint8_t** output);
uint8_t* WebPDecodeRGB(const uint8_t* data, size_t size, int* width, int* height);
uint8_t* WebPDecodeRGBA(const uint8_t* data, size_t size, int* width, int* height);
void WebPFree(void* ptr);
}
#endif
#if __has_include(<webp/decode.h>)
#include <webp/decode.h>
#endif
#endif

namespace lienzo {
namespace fs = std::filesystem;

namespace {

enum class Format { Png, Jpeg, Webp };

Format formatFor(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".png") return Format::Png;
  if (ext == ".jpg" || ext == ".jpeg") return Format::Jpeg;
  if (ext == ".webp") return Format::Webp;
  throw ImageIoError("Cannot save '" + path.string() + "': unsupported file type '" + ext +
                     "' (use .png, .jpg or .webp)");
}

void checkImage(const Image8& image) {
  if (image.width <= 0 || image.height <= 0) {
    throw std::invalid_argument("Image8: empty image " + std::to_string(image.width) + "x" +
                                std::to_string(image.height));
  }
  if (image.channels < 1 || image.channels > 4) {
    throw std::invalid_argument("Image8: unsupported channel count " +
                                std::to_string(image.channels) + " (1..4)");
  }
  const auto expected = static_cast<std::uint64_t>(image.width) *
                        static_cast<std::uint64_t>(image.height) *
                        static_cast<std::uint64_t>(image.channels);
  if (image.pixels.size() != expected) {
    throw std::invalid_argument("Image8: " + std::to_string(image.pixels.size()) +
                                " bytes of pixels for " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + "x" +
                                std::to_string(image.channels));
  }
}

/// The image with `channels` channels: grey is replicated, alpha dropped or set opaque.
Image8 withChannels(const Image8& in, int channels) {
  if (in.channels == channels) return in;
  Image8 out;
  out.width = in.width;
  out.height = in.height;
  out.channels = channels;
  const std::size_t n = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height);
  out.pixels.resize(n * static_cast<std::size_t>(channels));
  const bool inGrey = in.channels <= 2;
  const bool inAlpha = in.channels == 2 || in.channels == 4;
  for (std::size_t i = 0; i < n; ++i) {
    const uint8_t* s = &in.pixels[i * static_cast<std::size_t>(in.channels)];
    uint8_t* d = &out.pixels[i * static_cast<std::size_t>(channels)];
    const uint8_t r = s[0], g = inGrey ? s[0] : s[1], b = inGrey ? s[0] : s[2];
    const uint8_t a = inAlpha ? s[in.channels - 1] : 255;
    switch (channels) {
      case 1:
        d[0] = static_cast<uint8_t>((r * 299 + g * 587 + b * 114 + 500) / 1000);
        break;
      case 2:
        d[0] = static_cast<uint8_t>((r * 299 + g * 587 + b * 114 + 500) / 1000);
        d[1] = a;
        break;
      case 3:
        d[0] = r, d[1] = g, d[2] = b;
        break;
      default:
        d[0] = r, d[1] = g, d[2] = b, d[3] = a;
        break;
    }
  }
  return out;
}

/// Encodes through OpenImageIO into memory (no file is touched).
std::string encodeWithOiio(const char* formatName, const Image8& image,
                           const std::vector<std::pair<std::string, std::string>>& attributes) {
  auto out = OIIO::ImageOutput::create(formatName);
  if (!out) {
    throw ImageIoError(std::string("OpenImageIO cannot write ") + formatName + ": " +
                       OIIO::geterror());
  }
  OIIO::ImageSpec spec(image.width, image.height, image.channels, OIIO::TypeDesc::UINT8);
  if (image.channels == 2 || image.channels == 4) {
    spec.alpha_channel = image.channels - 1;
    // Our pixels are straight (unassociated) alpha; without this OIIO would un-premultiply them.
    spec.attribute("oiio:UnassociatedAlpha", 1);
  }
  for (const auto& [name, value] : attributes) spec.attribute(name, value);
  OIIO::Filesystem::IOVecOutput memory;
  OIIO::Filesystem::IOProxy* proxy = &memory;
  spec.attribute("oiio:ioproxy", OIIO::TypeDesc::PTR, &proxy);
  if (!out->supports("ioproxy")) {
    throw ImageIoError(std::string("OpenImageIO's ") + formatName +
                       " writer cannot write to memory");
  }
  if (!out->open(std::string("memory.") + formatName, spec) ||
      !out->write_image(OIIO::TypeDesc::UINT8, image.pixels.data()) || !out->close()) {
    throw ImageIoError(std::string("encoding ") + formatName + " failed: " + out->geterror());
  }
  const auto& buffer = memory.buffer();
  return std::string(reinterpret_cast<const char*>(buffer.data()), buffer.size());
}

std::string encodeWebp(const Image8& input, const ImageWriteOptions& options) {
#if LIENZO_HAVE_LIBWEBP
  const bool alpha = input.channels == 2 || input.channels == 4;
  const Image8 image = withChannels(input, alpha ? 4 : 3);
  if (image.width > 16383 || image.height > 16383) {
    throw ImageIoError("WebP images are limited to 16383x16383 pixels");
  }
  const int stride = image.width * image.channels;
  const float quality = static_cast<float>(std::clamp(options.webpQuality, 1, 100));
  uint8_t* data = nullptr;
  std::size_t size = 0;
  if (options.webpLossless) {
    size =
        alpha
            ? WebPEncodeLosslessRGBA(image.pixels.data(), image.width, image.height, stride, &data)
            : WebPEncodeLosslessRGB(image.pixels.data(), image.width, image.height, stride, &data);
  } else {
    size =
        alpha
            ? WebPEncodeRGBA(image.pixels.data(), image.width, image.height, stride, quality, &data)
            : WebPEncodeRGB(image.pixels.data(), image.width, image.height, stride, quality, &data);
  }
  if (size == 0 || data == nullptr) {
    if (data) WebPFree(data);
    throw ImageIoError("libwebp could not encode the image");
  }
  std::string bytes(reinterpret_cast<const char*>(data), size);
  WebPFree(data);
  return bytes;
#else
  (void)input;
  (void)options;
  throw ImageIoError("WebP writing is not available in this build (libwebp not found)");
#endif
}

/// Whether a WebP file declares alpha (VP8X flag, or the VP8L header bit); std::nullopt when the
/// layout is not one libwebp's still-image decoder handles.
// Ref: Google WebP Container Specification; WebP Lossless Bitstream Specification 3.2 (header)
std::optional<bool> webpHasAlpha(const std::string& webp) {
  if (webp.size() < 30 || webp.compare(0, 4, "RIFF") != 0 || webp.compare(8, 4, "WEBP") != 0) {
    return std::nullopt;
  }
  const std::string fourcc = webp.substr(12, 4);
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(webp[i]); };
  if (fourcc == "VP8 ") return false;
  if (fourcc == "VP8L") return ((byte(24) >> 4) & 1) != 0;  // bit 28 after the 0x2f signature
  if (fourcc == "VP8X") {
    if (byte(20) & 0x02) return std::nullopt;  // animation
    return (byte(20) & 0x10) != 0;
  }
  return std::nullopt;
}

/// Decodes a still WebP with libwebp (straight alpha); std::nullopt when libwebp is not linked
/// or the layout is not a still image (the caller falls back to OpenImageIO).
std::optional<Image8> decodeWebp(const std::string& webp) {
#if LIENZO_HAVE_LIBWEBP
  const auto alpha = webpHasAlpha(webp);
  if (!alpha) return std::nullopt;
  int width = 0, height = 0;
  const auto* data = reinterpret_cast<const uint8_t*>(webp.data());
  uint8_t* pixels = *alpha ? WebPDecodeRGBA(data, webp.size(), &width, &height)
                           : WebPDecodeRGB(data, webp.size(), &width, &height);
  if (!pixels) return std::nullopt;
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = *alpha ? 4 : 3;
  const std::size_t size = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) *
                           static_cast<std::size_t>(image.channels);
  image.pixels.assign(pixels, pixels + size);  // [H,W,C]
  WebPFree(pixels);
  return image;
#else
  (void)webp;
  return std::nullopt;
#endif
}

std::string readWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageIoError("Cannot open '" + path.string() + "': " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw ImageIoError("Cannot read '" + path.string() + "'");
  return buffer.str();
}

std::string errnoText(int err) {
  return std::strerror(err);
}

}  // namespace

Image8 readImage(const fs::path& path) {
  {
    // WebP through libwebp (see the top of this file); everything else through OpenImageIO.
    std::ifstream probe(path, std::ios::binary);
    char magic[12] = {};
    if (probe.read(magic, sizeof magic) && std::string_view(magic, 4) == "RIFF" &&
        std::string_view(magic + 8, 4) == "WEBP") {
      probe.close();
      if (auto image = decodeWebp(readWholeFile(path))) {
        if (static_cast<std::int64_t>(image->width) * image->height > kMaxImagePixels) {
          throw ImageIoError("Cannot read image '" + path.string() + "': too large");
        }
        return std::move(*image);
      }
    }
  }
  OIIO::ImageSpec config;
  config.attribute("oiio:UnassociatedAlpha", 1);  // keep straight alpha as stored in PNG/WebP
  auto in = OIIO::ImageInput::open(path.string(), &config);
  if (!in) {
    throw ImageIoError("Cannot read image '" + path.string() + "': " + OIIO::geterror());
  }
  const OIIO::ImageSpec& spec = in->spec();
  if (spec.width <= 0 || spec.height <= 0 || spec.nchannels <= 0) {
    throw ImageIoError("Cannot read image '" + path.string() + "': empty image");
  }
  if (static_cast<std::int64_t>(spec.width) * spec.height > kMaxImagePixels) {
    throw ImageIoError("Cannot read image '" + path.string() + "': " + std::to_string(spec.width) +
                       "x" + std::to_string(spec.height) + " is too large");
  }
  Image8 raw;
  raw.width = spec.width;
  raw.height = spec.height;
  raw.channels = std::min(spec.nchannels, 4);
  raw.pixels.resize(static_cast<std::size_t>(raw.width) * static_cast<std::size_t>(raw.height) *
                    static_cast<std::size_t>(raw.channels));
  if (!in->read_image(0, 0, 0, raw.channels, OIIO::TypeDesc::UINT8, raw.pixels.data())) {
    throw ImageIoError("Cannot read image '" + path.string() + "': " + in->geterror());
  }
  // [H,W,C] C in {1,2,3,4} -> [H,W,3] or [H,W,4]
  if (raw.channels == 1) return withChannels(raw, 3);
  if (raw.channels == 2) return withChannels(raw, 4);
  return raw;
}

std::string encodeImage(const fs::path& nameForFormat, const Image8& image,
                        const std::map<std::string, std::string>& textChunks,
                        const ImageWriteOptions& options) {
  checkImage(image);
  const Format format = formatFor(nameForFormat);
  if (format == Format::Png) {
    std::string png = encodeWithOiio("png", image, {});
    std::vector<std::pair<std::string, std::string>> chunks(textChunks.begin(), textChunks.end());
    return chunks.empty() ? png : addPngTextChunks(png, chunks);
  }
  std::string bytes;
  if (format == Format::Jpeg) {
    const Image8 opaque = withChannels(image, image.channels <= 2 ? 1 : 3);  // JPEG: no alpha
    bytes = encodeWithOiio(
        "jpeg", opaque,
        {{"Compression", "jpeg:" + std::to_string(std::clamp(options.jpegQuality, 1, 100))}});
  } else {
    bytes = encodeWebp(image, options);
  }
  const auto parameters = textChunks.find("parameters");
  if (parameters == textChunks.end()) return bytes;
  const std::string exif = makeExifUserComment(parameters->second);
  try {
    if (format == Format::Jpeg) return setJpegExif(bytes, exif);
    return setWebpExif(bytes, exif, image.width, image.height,
                       image.channels == 2 || image.channels == 4);
  } catch (const ExifError& e) {
    throw ImageIoError(std::string("cannot store the parameters: ") + e.what());
  }
}

void writeImage(const fs::path& path, const Image8& image,
                const std::map<std::string, std::string>& textChunks) {
  writeImage(path, image, textChunks, ImageWriteOptions{});
}

void writeImage(const fs::path& path, const Image8& image,
                const std::map<std::string, std::string>& textChunks,
                const ImageWriteOptions& options) {
  std::string bytes;
  try {
    bytes = encodeImage(path, image, textChunks, options);
  } catch (const ImageIoError& e) {
    const std::string what = e.what();
    if (what.rfind("Cannot save", 0) == 0) throw;
    throw ImageIoError("Cannot save image '" + path.string() + "': " + what);
  }
  writeFileAtomically(path, bytes, options.beforeCommit);
}

// Ref: the classic POSIX atomic replace (write temp in the same folder, fsync, rename, fsync dir)
void writeFileAtomically(const fs::path& path, const std::string& bytes,
                         const std::function<void(const fs::path& tempFile)>& beforeCommit) {
  const std::string target = path.string();
  if (path.filename().empty()) {
    throw ImageIoError("Cannot save '" + target + "': not a file name");
  }
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();

  std::random_device rng;
  fs::path temp;
  int fd = -1;
  int err = 0;
  for (int attempt = 0; attempt < 32 && fd < 0; ++attempt) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
    temp = folder / ("." + path.filename().string() + ".tmp-" + suffix);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    err = errno;
    if (fd < 0 && err != EEXIST) break;
  }
  if (fd < 0) {
    throw ImageIoError("Cannot save '" + target + "': cannot create a file in folder '" +
                       folder.string() + "': " + errnoText(err));
  }

  // On failure: close, remove the temporary file, report. The target is untouched.
  const auto fail = [&](const std::string& step, int error) {
    if (fd >= 0) ::close(fd);
    fd = -1;
    ::unlink(temp.c_str());
    throw ImageIoError("Cannot save '" + target + "': " + step + ": " + errnoText(error));
  };

  const char* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, std::min<std::size_t>(left, std::size_t{1} << 20));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("writing failed", errno);
    }
    if (n == 0) fail("writing failed", ENOSPC);
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("flushing to disk failed", errno);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("closing the file failed", errno);

  if (beforeCommit) {
    try {
      beforeCommit(temp);
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("renaming the temporary file failed", errno);

  // Make the rename itself durable; a failure here leaves a complete file, so it is not an error.
  const int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

std::map<std::string, std::string> readImageText(const fs::path& path) {
  {
    // Sniff before reading the whole file: only PNG, JPEG and WebP are read in full.
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
      throw ImageIoError("Cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    char magic[12] = {};
    probe.read(magic, sizeof magic);
    const std::string_view head(magic, static_cast<std::size_t>(probe.gcount()));
    const bool known =
        head.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8) ||
        head.substr(0, 2) == std::string_view("\xFF\xD8", 2) ||
        (head.size() == 12 && head.substr(0, 4) == "RIFF" && head.substr(8, 4) == "WEBP");
    if (!known) {
      throw ImageIoError("Cannot read metadata of '" + path.string() +
                         "': not a PNG, JPEG or WebP file");
    }
  }
  const std::string bytes = readWholeFile(path);
  const auto startsWith = [&](std::string_view magic) {
    return bytes.size() >= magic.size() && bytes.compare(0, magic.size(), magic) == 0;
  };
  try {
    if (startsWith("\x89PNG\r\n\x1a\n")) return pngTextMap(bytes);
    std::optional<std::string> exif;
    if (startsWith("\xFF\xD8")) {
      exif = jpegExif(bytes);
    } else if (startsWith("RIFF") && bytes.size() >= 12 && bytes.compare(8, 4, "WEBP") == 0) {
      exif = webpExif(bytes);
    } else {
      throw ImageIoError("Cannot read metadata of '" + path.string() +
                         "': not a PNG, JPEG or WebP file");
    }
    std::map<std::string, std::string> out;
    if (exif) {
      if (auto comment = readExifUserComment(*exif); comment && !comment->empty()) {
        out.emplace("parameters", std::move(*comment));
      }
    }
    return out;
  } catch (const PngError& e) {
    throw ImageIoError("Cannot read metadata of '" + path.string() + "': " + e.what());
  } catch (const ExifError& e) {
    throw ImageIoError("Cannot read metadata of '" + path.string() + "': " + e.what());
  }
}

}  // namespace lienzo
