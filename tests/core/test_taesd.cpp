// TAESD against taesd/golden_taesd.safetensors: every decode{k} (the input clamp, the raw output
// and its 8-bit picture) and every encode{k} (the latent and its 8-bit packing), with the weights
// of taesd/taesd-random.safetensors in each of the three key layouts (README §1), and the errors
// for files that are not TAESD. Cases, shapes and the latent packing constants are read from the
// files; tolerances are the README's (§4).
#include "core/model/taesd.h"

#include "core/io/safetensors.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using lienzo::SafetensorsFile;
using lienzo::TaesdDecoder;
using lienzo::TaesdEncoder;
using lienzo::TaesdLayout;
namespace lt = lienzo::testing;

constexpr double kOutTol = 1e-4;      // README §4: decode*.out, encode*.out
constexpr double kClampedTol = 1e-6;  // README §4: z_clamped
constexpr int kU8Tol = 1;             // README §4: out_u8, latent_u8 within ±1

const char* kWeights = "taesd/taesd-random.safetensors";
const char* kGolden = "taesd/golden_taesd.safetensors";

std::string key(const char* kind, int k, const char* field) {
  return std::string(kind) + std::to_string(k) + "." + field;
}

void checkNear(const at::Tensor& actual, const at::Tensor& expected, double tol,
               const std::string& what) {
  if (actual.sizes() == expected.sizes())
    std::cout << "  " << what << ": rel err " << lt::relativeMaxError(actual, expected) << "\n";
  lt::expectTensorNear(actual, expected, tol, what);
}

void checkU8(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  ASSERT_EQ(actual.scalar_type(), at::kByte) << what;
  const int worst = (actual.to(at::kInt) - expected.to(at::kInt)).abs().max().item<int>();
  std::cout << "  " << what << ": max |diff| " << worst << "\n";
  EXPECT_LE(worst, kU8Tol) << what;
}

/// The fixture's weights re-keyed by `rename` (empty result = drop the key) into a temporary file.
std::filesystem::path rekeyed(const std::string& tag,
                              const std::function<std::string(const std::string&)>& rename) {
  const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& name : file.names()) {
    const std::string to = rename(name);
    if (!to.empty()) tensors.emplace_back(to, file.view(name));
  }
  const auto path = lt::makeTempDir("taesd") / (tag + ".safetensors");
  lienzo::writeSafetensors(path, tensors, {{"format", "pt"}});
  return path;
}

/// "decoder.7.weight" → {"decoder", 7, "weight"}.
struct SplitKey {
  std::string part;
  int index = -1;
  std::string rest;
};
SplitKey split(const std::string& name) {
  SplitKey s;
  const auto dot = name.find('.');
  const auto dot2 = name.find('.', dot + 1);
  s.part = name.substr(0, dot);
  s.index = std::stoi(name.substr(dot + 1, dot2 - dot - 1));
  s.rest = name.substr(dot2 + 1);
  return s;
}

/// The README §1 layouts: the distributed one-part files and diffusers' AutoencoderTiny.
std::filesystem::path originalPart(const std::string& part) {
  return rekeyed("original-" + part, [part](const std::string& name) {
    const SplitKey s = split(name);
    return s.part == part ? std::to_string(s.index) + "." + s.rest : std::string();
  });
}
std::filesystem::path diffusersFile() {
  return rekeyed("diffusers", [](const std::string& name) {
    const SplitKey s = split(name);
    const int n = s.part == "decoder" ? s.index - 1 : s.index;
    return s.part + ".layers." + std::to_string(n) + "." + s.rest;
  });
}

int checkDecodeGolden(const TaesdDecoder& decoder, const std::string& tag) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(lt::fixturePath(kGolden));
  int k = 0;
  for (; golden.contains(key("decode", k, "z")); ++k) {
    const at::Tensor z = golden.load(key("decode", k, "z"), at::kFloat);
    checkNear(lienzo::taesdClamp(z), golden.load(key("decode", k, "z_clamped"), at::kFloat),
              kClampedTol, tag + " " + key("decode", k, "z_clamped"));
    const at::Tensor out = decoder.decode(z);
    checkNear(out, golden.load(key("decode", k, "out"), at::kFloat), kOutTol,
              tag + " " + key("decode", k, "out"));
    checkU8(lienzo::taesdImageU8(out), golden.load(key("decode", k, "out_u8")),
            tag + " " + key("decode", k, "out_u8"));
  }
  return k;
}

int checkEncodeGolden(const TaesdEncoder& encoder, const std::string& tag) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(lt::fixturePath(kGolden));
  const double magnitude = std::stod(golden.metadata().at("latent_magnitude"));
  const double shift = std::stod(golden.metadata().at("latent_shift"));
  int k = 0;
  for (; golden.contains(key("encode", k, "x")); ++k) {
    const at::Tensor out = encoder.encode(golden.load(key("encode", k, "x"), at::kFloat));
    checkNear(out, golden.load(key("encode", k, "out"), at::kFloat), kOutTol,
              tag + " " + key("encode", k, "out"));
    const at::Tensor packed =
        at::round(lienzo::taesdScaleLatents(out, magnitude, shift) * 255.0).to(at::kByte);
    checkU8(packed, golden.load(key("encode", k, "latent_u8")),
            tag + " " + key("encode", k, "latent_u8"));
    // The packing's inverse returns the latent up to its 8-bit step (where it was not clamped).
    const at::Tensor back =
        lienzo::taesdUnscaleLatents(packed.to(at::kFloat) / 255.0, magnitude, shift);
    const at::Tensor inside = (out.abs() < magnitude * 0.99);
    EXPECT_LE(((back - out).abs() * inside).max().item<double>(), magnitude / 255.0 + 1e-6);
  }
  return k;
}

TEST(Taesd, CombinedLayoutDecoderGolden) {
  const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
  const auto contents = lienzo::inspectTaesd(file);
  EXPECT_EQ(contents.layout, TaesdLayout::Combined);
  EXPECT_TRUE(contents.decoder);
  EXPECT_TRUE(contents.encoder);
  EXPECT_EQ(contents.latentChannels, std::stoll(file.metadata().at("latent_channels")));
  const TaesdDecoder decoder = TaesdDecoder::load(file);
  EXPECT_EQ(decoder.latentChannels(), contents.latentChannels);
  EXPECT_GT(checkDecodeGolden(decoder, "combined"), 0) << "no decode cases in " << kGolden;
}

TEST(Taesd, CombinedLayoutEncoderGolden) {
  const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
  const TaesdEncoder encoder = TaesdEncoder::load(file);
  EXPECT_EQ(encoder.latentChannels(), lienzo::inspectTaesd(file).latentChannels);
  EXPECT_GT(checkEncodeGolden(encoder, "combined"), 0) << "no encode cases in " << kGolden;
}

TEST(Taesd, OriginalOnePartFilesGolden) {
  const auto decoderFile = SafetensorsFile::open(originalPart("decoder"));
  const auto encoderFile = SafetensorsFile::open(originalPart("encoder"));
  const auto d = lienzo::inspectTaesd(decoderFile);
  EXPECT_EQ(d.layout, TaesdLayout::Original);
  EXPECT_TRUE(d.decoder);
  EXPECT_FALSE(d.encoder);
  const auto e = lienzo::inspectTaesd(encoderFile);
  EXPECT_EQ(e.layout, TaesdLayout::Original);
  EXPECT_FALSE(e.decoder);
  EXPECT_TRUE(e.encoder);
  EXPECT_GT(checkDecodeGolden(TaesdDecoder::load(decoderFile), "original"), 0);
  EXPECT_GT(checkEncodeGolden(TaesdEncoder::load(encoderFile), "original"), 0);
  // Each one-part file lacks the other part: a clear error, not a crash.
  EXPECT_THROW(TaesdEncoder::load(decoderFile), std::invalid_argument);
  EXPECT_THROW(TaesdDecoder::load(encoderFile), std::invalid_argument);
}

TEST(Taesd, DiffusersAutoencoderTinyGolden) {
  const auto file = SafetensorsFile::open(diffusersFile());
  const auto contents = lienzo::inspectTaesd(file);
  EXPECT_EQ(contents.layout, TaesdLayout::Diffusers);
  EXPECT_TRUE(contents.decoder && contents.encoder);
  EXPECT_GT(checkDecodeGolden(TaesdDecoder::load(file), "diffusers"), 0);
  EXPECT_GT(checkEncodeGolden(TaesdEncoder::load(file), "diffusers"), 0);
}

/// The message of the std::invalid_argument `fn` throws ("" when it throws nothing).
std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

TEST(Taesd, WeightShapesAreTheFixturesKeys) {
  // What benchmarks build random TAESDs from: exactly the names and shapes of the fixture.
  const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
  const auto shapes = lienzo::taesdWeightShapes(lienzo::inspectTaesd(file).latentChannels);
  EXPECT_EQ(shapes.size(), file.names().size());
  for (const auto& [name, shape] : shapes) {
    ASSERT_TRUE(file.contains(name)) << name;
    EXPECT_EQ(file.info(name).shape, shape) << name;
  }
}

TEST(Taesd, WrongFilesAreRefusedByName) {
  // Not a TAESD at all: the golden file (tensors, no weights).
  const auto golden = SafetensorsFile::open(lt::fixturePath(kGolden));
  std::string why = errorOf([&] { TaesdDecoder::load(golden); });
  EXPECT_NE(why.find("not a TAESD"), std::string::npos) << why;
  EXPECT_NE(why.find(golden.path().filename().string()), std::string::npos) << why;
  // A missing weight names its key.
  const auto missing = SafetensorsFile::open(rekeyed("missing", [](const std::string& name) {
    return name.rfind("decoder.8.conv.2.", 0) == 0 ? std::string() : name;
  }));
  why = errorOf([&] { TaesdDecoder::load(missing); });
  EXPECT_NE(why.find("decoder.8.conv.2."), std::string::npos) << why;
  // A variant with keys Lienzo does not read (taef2's mid-block GroupNorm) is refused.
  {
    const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& name : file.names()) tensors.emplace_back(name, file.view(name));
    tensors.emplace_back("decoder.4.norm.weight", at::ones({64}));
    const auto path = lt::makeTempDir("taesd") / "extra.safetensors";
    lienzo::writeSafetensors(path, tensors);
    why = errorOf([&] { TaesdDecoder::load(SafetensorsFile::open(path)); });
    EXPECT_NE(why.find("decoder.4.norm.weight"), std::string::npos) << why;
  }
  // A weight of the wrong shape names the key and both shapes.
  {
    const auto file = SafetensorsFile::open(lt::fixturePath(kWeights));
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& name : file.names())
      tensors.emplace_back(
          name, name == "decoder.12.weight" ? file.view(name).narrow(0, 0, 8) : file.view(name));
    const auto path = lt::makeTempDir("taesd") / "shape.safetensors";
    lienzo::writeSafetensors(path, tensors);
    why = errorOf([&] { TaesdDecoder::load(SafetensorsFile::open(path)); });
    EXPECT_NE(why.find("decoder.12.weight"), std::string::npos) << why;
    EXPECT_NE(why.find("expected"), std::string::npos) << why;
  }
  // Inputs of the wrong shape.
  const auto weights = SafetensorsFile::open(lt::fixturePath(kWeights));
  const TaesdDecoder decoder = TaesdDecoder::load(weights);
  const TaesdEncoder encoder = TaesdEncoder::load(weights);
  c10::InferenceMode guard;
  EXPECT_THROW(decoder.decode(at::zeros({1, decoder.latentChannels() + 1, 4, 4})),
               std::invalid_argument);
  EXPECT_THROW(encoder.encode(at::zeros({1, 3, 12, 16})), std::invalid_argument);
  EXPECT_THROW(TaesdDecoder().decode(at::zeros({1, 4, 4, 4})), std::invalid_argument);
}

}  // namespace
