// The forward (noising) process API (pipeline.h alphasCumprod / forwardProcess) on the tiny SD1
// fixture: the schedule is SD's scaled-linear one, noise grows with t and is seeded, bad
// requests are clear errors.
#include "core/pipeline/pipeline.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

namespace lienzo {
namespace {

std::shared_ptr<const ModelBundle> tinySd1() {
  return testing::tinySd1Bundle();
}

/// A 64×48 picture: horizontal red ramp, vertical green ramp, blue checker.
RgbImage testPicture(int variant = 0) {
  RgbImage img;
  img.width = 64;
  img.height = 48;
  img.pixels.resize(size_t(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      uint8_t* p = &img.pixels[(size_t(y) * img.width + x) * 3];
      p[0] = uint8_t(variant ? 255 - x * 4 : x * 4);
      p[1] = uint8_t(y * 5);
      p[2] = uint8_t(((x / 8 + y / 8) % 2) ? 220 : 30);
    }
  return img;
}

double meanAbsDiff(const RgbImage& a, const RgbImage& b) {
  EXPECT_EQ(a.pixels.size(), b.pixels.size());
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
  return sum / double(a.pixels.size());
}

TEST(ForwardProcess, ScheduleIsScaledLinear) {
  const auto ac = alphasCumprod(*tinySd1());
  // The fixture model's schedule as its config states it (sd1/tiny-sd1.config.json).
  const auto schedule = testing::readJsonFixture("sd1/tiny-sd1.config.json").at("schedule");
  const double start = schedule.at("linear_start").get<double>();
  const double end = schedule.at("linear_end").get<double>();
  const int T = schedule.at("timesteps").get<int>();
  ASSERT_EQ(ac.size(), static_cast<size_t>(T));
  // SD's scaled-linear betas: sqrt(beta) linear from sqrt(start) to sqrt(end).
  EXPECT_NEAR(ac.front(), 1.0 - start, 1e-6);
  double expected = 1.0;
  for (int t = 0; t < T; ++t) {
    const double s = std::sqrt(start) + (std::sqrt(end) - std::sqrt(start)) * t / (T - 1.0);
    expected *= 1.0 - s * s;
  }
  EXPECT_NEAR(ac.back(), expected, 1e-5);
  for (size_t t = 1; t < ac.size(); ++t) ASSERT_LT(ac[t], ac[t - 1]) << "t = " << t;
}

TEST(ForwardProcess, NoiseGrowsWithTAndDrownsTheImage) {
  const auto& bundle = *tinySd1();
  const auto a = testPicture(0), b = testPicture(1);
  const auto roundTripA = forwardProcess(bundle, a, -1, 7);
  EXPECT_EQ(roundTripA.width, 64);
  EXPECT_EQ(roundTripA.height, 48);
  // At t = 0 the noise weight is √(1-ᾱ_0) ≈ 0.03: close to the plain VAE round trip.
  const double atZero = meanAbsDiff(forwardProcess(bundle, a, 0, 7), roundTripA);
  const double atMid = meanAbsDiff(forwardProcess(bundle, a, 500, 7), roundTripA);
  const double atEnd = meanAbsDiff(forwardProcess(bundle, a, 999, 7), roundTripA);
  EXPECT_LT(atZero, atMid);
  EXPECT_LT(atMid, atEnd);
  // Two different pictures: far apart at t = 0, nearly the same noise at t = T-1 (√ᾱ ≈ 0.07).
  const double apartAtZero =
      meanAbsDiff(forwardProcess(bundle, a, 0, 7), forwardProcess(bundle, b, 0, 7));
  const double apartAtEnd =
      meanAbsDiff(forwardProcess(bundle, a, 999, 7), forwardProcess(bundle, b, 999, 7));
  EXPECT_LT(apartAtEnd, 0.5 * apartAtZero);
}

TEST(ForwardProcess, SeededAndDeterministic) {
  const auto& bundle = *tinySd1();
  const auto img = testPicture();
  const auto x1 = forwardProcess(bundle, img, 400, 123);
  EXPECT_EQ(x1.pixels, forwardProcess(bundle, img, 400, 123).pixels);
  EXPECT_GT(meanAbsDiff(x1, forwardProcess(bundle, img, 400, 124)), 0.5);
}

TEST(ForwardProcess, CropsToTheVaeFactorAndRejectsBadRequests) {
  const auto& bundle = *tinySd1();
  auto img = testPicture();
  img.width = 61;  // not a multiple of 8: cropped to 56
  img.pixels.resize(size_t(61) * 48 * 3);
  EXPECT_EQ(forwardProcess(bundle, img, 10, 1).width, 56);
  EXPECT_THROW(forwardProcess(bundle, RgbImage{}, 10, 1), GenerationError);
  EXPECT_THROW(forwardProcess(bundle, testPicture(), 1000, 1), GenerationError);
  RgbImage tiny;
  tiny.width = 4;
  tiny.height = 4;
  tiny.pixels.assign(4 * 4 * 3, 0);
  EXPECT_THROW(forwardProcess(bundle, tiny, 10, 1), GenerationError);
}

TEST(Devices, CpuFirstThenCudaDevices) {
  const auto devices = availableDevices();
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices.front(), "cpu");
  for (size_t i = 1; i < devices.size(); ++i)
    EXPECT_EQ(devices[i], i == 1 ? "cuda" : "cuda:" + std::to_string(i - 1));
}

}  // namespace
}  // namespace lienzo
