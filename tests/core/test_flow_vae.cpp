// The 16-channel VAEs of SD3 / SD3.5 and Flux.1 as AutoencoderKL codecs (core/pipeline/
// vae_codec.h loadAutoencoderKlCodec) against sd3/golden_vae (first_stage_model.* of
// tiny-sd3.safetensors) and flux/golden_ae (tiny-ae.safetensors): encoder moments, the posterior
// mean in model space ((mean − shift)·scale), the decoder on latent/scale + shift. Every case
// encode{k} / decode{k} of the files is read; the latent formats' scale and shift must be the
// ones the fixtures and their config JSONs state. Tolerance: the READMEs' 1e-4 (VAE outputs,
// err = max|ours − golden| / max|golden|).
#include "core/io/safetensors.h"
#include "core/model/latent_preview.h"
#include "core/model/vae.h"
#include "core/pipeline/vae_codec.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

namespace lienzo {
namespace {

constexpr double kTol = 1e-4;  // sd3 README §7, flux README §8: VAE outputs

struct Family {
  const char* golden;      ///< golden file
  const char* checkpoint;  ///< config JSON key of the VAE file's name
  const char* config;      ///< the folder's config JSON
  const char* prefix;      ///< VAE key prefix in the checkpoint
  LatentFormat format;
  const char* latentKey;  ///< encode{k}.<latentKey>: the model-space latent
  const char* decodeIn;   ///< decode{k}.<decodeIn>: the model-space latent decoded
  const char* vaeIn;      ///< decode{k}.<vaeIn>: the decoder's input (VAE space)
};

const Family kSd3{"sd3/golden_vae.safetensors",
                  "checkpoint",
                  "sd3/tiny-sd3.config.json",
                  "first_stage_model.",
                  LatentFormat::SD3,
                  "latent",
                  "latent",
                  "vae_in"};
const Family kFlux{"flux/golden_ae.safetensors",
                   "ae",
                   "flux/tiny-flux.config.json",
                   "",
                   LatentFormat::Flux,
                   "z",
                   "z",
                   "decoder_in"};

std::string folderOf(const std::string& rel) {
  return rel.substr(0, rel.find('/') + 1);
}

void check(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  if (actual.sizes() == expected.sizes())
    std::cout << "  " << what << ": rel err " << testing::relativeMaxError(actual, expected)
              << "\n";
  testing::expectTensorNear(actual, expected, kTol, what);
}

void runFamily(const Family& f) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(testing::fixturePath(f.golden));
  const auto config = testing::readJsonFixture(f.config);
  // The latent format's facts are the ones the fixtures state.
  const LatentFormatFacts& facts = latentFormatFacts(f.format);
  EXPECT_DOUBLE_EQ(facts.scale, std::stod(golden.metadata().at("scale_factor")));
  EXPECT_DOUBLE_EQ(facts.shift, std::stod(golden.metadata().at("shift_factor")));
  const auto& scaled = f.format == LatentFormat::SD3 ? config.at("latent_format") : config.at("ae");
  EXPECT_DOUBLE_EQ(facts.scale, scaled.at("scale_factor").get<double>());
  EXPECT_DOUBLE_EQ(facts.shift, scaled.at("shift_factor").get<double>());

  const std::string file =
      folderOf(f.config) + config.at("files").at(f.checkpoint).get<std::string>();
  const auto weights = SafetensorsFile::open(testing::fixturePath(file));
  const auto codec = loadAutoencoderKlCodec(weights, f.prefix, f.format, at::kFloat, at::kCPU);
  const auto& kl = dynamic_cast<const AutoencoderKlCodec&>(*codec);
  EXPECT_EQ(codec->latentChannels(), facts.channels);
  EXPECT_EQ(kl.autoencoder()->config().zChannels, facts.channels);
  EXPECT_FALSE(kl.autoencoder()->config().hasQuantConv);
  EXPECT_FALSE(kl.autoencoder()->config().hasPostQuantConv);
  ASSERT_TRUE(codec->hasEncoder());

  int cases = 0;
  for (int k = 0; golden.contains("encode" + std::to_string(k) + ".x"); ++k, ++cases) {
    const std::string c = "encode" + std::to_string(k) + ".";
    const at::Tensor x = golden.load(c + "x", at::kFloat);
    AutoencoderKL vae = kl.autoencoder();
    const at::Tensor moments = vae->encodeMoments(x);
    check(moments, golden.load(c + "moments", at::kFloat), c + "moments");
    if (golden.contains(c + "mean"))
      check(VaeLatentDistribution::fromMoments(moments).mean, golden.load(c + "mean", at::kFloat),
            c + "mean");
    check(codec->encode(x), golden.load(c + f.latentKey, at::kFloat), c + f.latentKey);
  }
  for (int k = 0; golden.contains("decode" + std::to_string(k) + "." + f.decodeIn); ++k, ++cases) {
    const std::string c = "decode" + std::to_string(k) + ".";
    const at::Tensor z = golden.load(c + f.decodeIn, at::kFloat);
    check(kl.scaling().toVae(z), golden.load(c + f.vaeIn, at::kFloat), c + f.vaeIn);
    check(codec->decode(z), golden.load(c + "out", at::kFloat), c + "out");
  }
  EXPECT_GE(cases, 2) << f.golden << " has encode and decode cases";
}

TEST(FlowVae, Sd3VaeMatchesGolden) {
  runFamily(kSd3);
}

TEST(FlowVae, FluxAutoEncoderMatchesGolden) {
  runFamily(kFlux);
}

TEST(FlowVae, LatentChannelsMustMatchTheFormat) {
  // A 16-channel VAE is not an SDXL one: the error names both counts.
  const auto config = testing::readJsonFixture(kFlux.config);
  const auto weights = SafetensorsFile::open(testing::fixturePath(
      folderOf(kFlux.config) + config.at("files").at("ae").get<std::string>()));
  try {
    (void)loadAutoencoderKlCodec(weights, "", LatentFormat::SDXL, at::kFloat, at::kCPU);
    ADD_FAILURE() << "a 16-channel VAE loaded as SDXL";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("16 latent channels"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)loadAutoencoderKlCodec(weights, "first_stage_model.", LatentFormat::Flux,
                                            at::kFloat, at::kCPU),
               std::invalid_argument);
}

TEST(FlowVae, LatentSpacesAndPreviews) {
  for (LatentFormat format : {LatentFormat::SD3, LatentFormat::Flux}) {
    const LatentSpace space = LatentSpace::of(format);
    EXPECT_EQ(space.channels, 16);
    EXPECT_EQ(space.scaling.scale, latentFormatFacts(format).scale);
    EXPECT_EQ(space.scaling.shift, latentFormatFacts(format).shift);
    const at::Tensor z = at::randn({1, 16, 3, 5});
    testing::expectAllClose(space.scaling.fromVae(space.scaling.toVae(z)), z, 1e-6, 1e-6,
                            "round trip");
    EXPECT_EQ(latentRgbProjection(format).factors.size(), 16u);
    const at::Tensor rgb = latentPreviewRgb(z, format);
    EXPECT_EQ(rgb.sizes(), (std::vector<int64_t>{1, 3, 5, 3}));
    EXPECT_THROW(latentPreviewRgb(at::zeros({1, 4, 3, 5}), format), std::invalid_argument);
  }
  EXPECT_EQ(LatentSpace::of(LatentFormat::SD15).channels, 4);
}

}  // namespace
}  // namespace lienzo
