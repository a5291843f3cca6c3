// libFuzzer target: the EXIF UserComment reader/writer and the JPEG / WebP EXIF containers
// (core/io/exif_text.h).
// Input: arbitrary bytes, read as an EXIF block, a JPEG and a WebP. Properties: readExifUserComment
// never throws and yields valid UTF-8; jpegExif/webpExif throw only ExifError; text written with
// makeExifUserComment reads back unchanged (but for trailing NUL padding), also through a JPEG
// (when the input was one) and through a WebP (when the input was one).
#include "core/io/exif_text.h"
#include "core/io/text_codec.h"
#include "tests/fuzz/fuzz_support.h"

#include <string>

using namespace lienzo;
using lienzo::textcodec::isValidUtf8;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (const auto text = readExifUserComment(bytes)) LIENZO_FUZZ_CHECK(isValidUtf8(*text));

  // Text derived from the input (valid UTF-8 only: the writer's contract).
  const std::string text = bytes.substr(0, std::min<size_t>(bytes.size(), 200));
  if (!isValidUtf8(text)) return 0;
  const std::string exif = makeExifUserComment(text);
  std::string expected = text;  // trailing NULs are padding (exif_text.h)
  while (!expected.empty() && expected.back() == '\0') expected.pop_back();
  const auto back = readExifUserComment(exif);
  LIENZO_FUZZ_CHECK(back && *back == expected);

  try {
    const auto old = jpegExif(bytes);
    if (old) LIENZO_FUZZ_CHECK(old->size() <= kMaxJpegExifBytes);
    const std::string jpeg = setJpegExif(bytes, exif);
    const auto read = jpegExif(jpeg);
    LIENZO_FUZZ_CHECK(read && *read == exif);
  } catch (const ExifError&) {
  }
  try {
    (void)webpExif(bytes);
    const std::string webp = setWebpExif(bytes, exif, 64, 64, false);
    const auto read = webpExif(webp);
    LIENZO_FUZZ_CHECK(read && readExifUserComment(*read) == expected);
  } catch (const ExifError&) {
  }
  return 0;
}
