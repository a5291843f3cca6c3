// Golden tests of the training schedule (samplers/model.safetensors) and of the sigma / DDIM
// schedules (samplers/schedules.safetensors, kd/ and cv/ddim/ keys).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "analytic_model.h"
#include "core/io/safetensors.h"
#include "core/sampling/schedule.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

namespace lienzo {
namespace {

constexpr double kScheduleRtol = 2e-6;  // fixtures/samplers/README.md, Tolerances

class ScheduleGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    m_model = std::make_unique<testing::AnalyticModel>();
    m_schedule = std::make_unique<DiscreteSchedule>(
        DiscreteSchedule::fromAlphasCumprod(m_model->tensor("alphas_cumprod")));
    m_manifest = testing::readJsonFixture("samplers/schedules.json");
    m_file = std::make_unique<SafetensorsFile>(
        SafetensorsFile::open(testing::fixturePath("samplers/schedules.safetensors")));
  }
  at::Tensor golden(const std::string& name) const {
    const auto dtype = toScalarType(m_file->info(name).dtype);
    return m_file->load(name, dtype);
  }

  std::unique_ptr<testing::AnalyticModel> m_model;
  std::unique_ptr<DiscreteSchedule> m_schedule;
  nlohmann::json m_manifest;
  std::unique_ptr<SafetensorsFile> m_file;
};

TEST_F(ScheduleGolden, ScaledLinearTableMatchesCompVis) {
  at::Tensor betas = DiscreteSchedule::scaledLinearBetas();
  testing::expectAllClose(betas, m_model->tensor("compvis_betas"), 0.0, 1e-15, "betas");
  DiscreteSchedule computed = DiscreteSchedule::scaledLinear();
  testing::expectTensorEqual(computed.alphasCumprod(), m_model->tensor("alphas_cumprod"),
                             "alphas_cumprod");
}

TEST_F(ScheduleGolden, SigmasAndLogSigmasMatchTheModelTable) {
  testing::expectAllClose(m_schedule->sigmas(), m_model->tensor("sigmas"), 0.0, kScheduleRtol,
                          "sigmas");
  testing::expectAllClose(m_schedule->logSigmas(), m_model->tensor("log_sigmas"), 1e-7,
                          kScheduleRtol, "log_sigmas");
  EXPECT_EQ(m_schedule->sigmaMin(), m_manifest.at("sigma_min").get<double>());
  EXPECT_EQ(m_schedule->sigmaMax(), m_manifest.at("sigma_max").get<double>());
  EXPECT_EQ(m_schedule->numTimesteps(), m_model->tensor("alphas_cumprod").numel());
}

TEST_F(ScheduleGolden, SigmaToTMatchesSelftest) {
  at::Tensor sigma = m_model->tensor("selftest/kd_sigma");
  testing::expectAllClose(m_schedule->sigmaToT(sigma), m_model->tensor("selftest/kd_t"), 1e-4, 1e-6,
                          "sigma_to_t");
  // Integer timesteps map to the table exactly and back.
  at::Tensor t = at::arange(0, m_schedule->numTimesteps(), 37, at::kFloat);
  testing::expectTensorEqual(m_schedule->tToSigma(t),
                             m_schedule->sigmas().index_select(0, t.to(at::kLong)), "t_to_sigma");
  EXPECT_THROW(m_schedule->tToSigma(at::full({1}, -1.0f)), std::invalid_argument);
}

TEST_F(ScheduleGolden, KDiffusionSigmaSchedules) {
  const double sigmaMin = m_manifest.at("sigma_min").get<double>();
  const double sigmaMax = m_manifest.at("sigma_max").get<double>();
  int checked = 0;
  for (const auto& nJson : m_manifest.at("ns")) {
    const int64_t n = nJson.get<int64_t>();
    const std::string suffix = "/n" + std::to_string(n);
    struct Item {
      std::string key;
      at::Tensor actual;
    };
    std::vector<Item> items = {
        {"kd/normal", sigmasNormal(*m_schedule, n)},
        {"kd/karras", sigmasKarras(n, sigmaMin, sigmaMax, 7.0)},
        {"kd/exponential", sigmasExponential(n, sigmaMin, sigmaMax)},
        {"kd/polyexponential", sigmasPolyExponential(n, sigmaMin, sigmaMax, 1.0)},
        {"kd/normal_discard_penultimate",
         makeSigmas(*m_schedule, SigmaScheduleKind::Uniform, n, true)},
        {"kd/karras_discard_penultimate",
         makeSigmas(*m_schedule, SigmaScheduleKind::Karras, n, true)},
    };
    for (const auto& item : items) {
      const std::string name = item.key + suffix;
      if (!m_file->contains(name)) continue;
      SCOPED_TRACE(name);
      at::Tensor expected = golden(name);
      ASSERT_EQ(item.actual.sizes(), expected.sizes());
      EXPECT_EQ(item.actual.scalar_type(), at::kFloat);
      testing::expectAllClose(item.actual, expected, 0.0, kScheduleRtol, name);
      ++checked;
    }
    // makeSigmas by kind agrees with the direct functions.
    testing::expectTensorEqual(makeSigmas(*m_schedule, SigmaScheduleKind::Karras, n),
                               sigmasKarras(n, sigmaMin, sigmaMax), "makeSigmas karras");
  }
  EXPECT_GT(checked, 0);
}

TEST_F(ScheduleGolden, CompVisDdimTables) {
  int checked = 0;
  for (const auto& nJson : m_manifest.at("ns")) {
    const int64_t n = nJson.get<int64_t>();
    const std::string prefix = "cv/ddim/n" + std::to_string(n) + "/";
    SCOPED_TRACE(prefix);
    if (!m_file->contains(prefix + "timesteps")) {
      // The reference fails for this n (make_ddim_timesteps indexes past T): refused here too.
      EXPECT_THROW(ddimParameters(*m_schedule, n, 1.0), std::invalid_argument);
      continue;
    }
    DdimParameters p = ddimParameters(*m_schedule, n, 1.0);
    testing::expectTensorEqual(p.timesteps, golden(prefix + "timesteps"), prefix + "timesteps");
    testing::expectAllClose(p.alphas, golden(prefix + "alphas"), 0.0, kScheduleRtol, "alphas");
    testing::expectAllClose(p.alphasPrev, golden(prefix + "alphas_prev"), 0.0, kScheduleRtol,
                            "alphas_prev");
    testing::expectAllClose(p.sigmas, golden(prefix + "sigmas_eta1"), 0.0, kScheduleRtol,
                            "sigmas_eta1");
    // The eta-sigmas scale linearly with eta.
    DdimParameters half = ddimParameters(*m_schedule, n, 0.5);
    testing::expectAllClose(half.sigmas * 2, p.sigmas, 0.0, 1e-6, "sigmas eta 0.5");
    EXPECT_TRUE(ddimParameters(*m_schedule, n, 0.0).sigmas.eq(0).all().item<bool>());
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(Schedules, DdimTimestepsRejectWhatTheReferenceCannotIndex) {
  const int64_t T = 1000;
  for (int64_t n = 1; n <= T; ++n) {
    const int64_t stride = T / n;
    const int64_t count = (T + stride - 1) / stride;
    const bool referenceFails = (count - 1) * stride + 1 >= T;
    if (referenceFails) {
      EXPECT_THROW(ddimTimesteps(n, T), std::invalid_argument) << n;
    } else {
      at::Tensor ts = ddimTimesteps(n, T);
      EXPECT_EQ(ts.numel(), count) << n;
      EXPECT_EQ(ts[0].item<int64_t>(), 1);
      EXPECT_LT(ts[-1].item<int64_t>(), T);
    }
  }
  EXPECT_THROW(ddimTimesteps(0, T), std::invalid_argument);
}

TEST(Schedules, A1111ExtrasAreWellFormed) {
  DiscreteSchedule s = DiscreteSchedule::scaledLinear();
  for (int64_t n : {1, 2, 7, 30}) {
    for (SigmaScheduleKind kind : {SigmaScheduleKind::SgmUniform, SigmaScheduleKind::Simple,
                                   SigmaScheduleKind::Exponential}) {
      SCOPED_TRACE(std::string(sigmaScheduleKindName(kind)) + " n=" + std::to_string(n));
      at::Tensor sig = makeSigmas(s, kind, n);
      ASSERT_EQ(sig.numel(), n + 1);
      EXPECT_EQ(sig[-1].item<float>(), 0.0f);
      EXPECT_TRUE((sig.slice(0, 0, n) > 0).all().item<bool>());
      EXPECT_TRUE((sig.slice(0, 1) < sig.slice(0, 0, n)).all().item<bool>()) << sig;
      EXPECT_NEAR(sig[0].item<double>(), s.sigmaMax(), 1e-5 * s.sigmaMax());
    }
  }
  // Simple takes every (T/n)-th training sigma from the top.
  at::Tensor simple = sigmasSimple(s, 4);
  EXPECT_EQ(simple[1].item<float>(), s.sigmas()[s.numTimesteps() - 1 - 250].item<float>());
}

TEST(Schedules, NamesAndErrors) {
  EXPECT_EQ(sigmaScheduleKindFromName("Karras"), SigmaScheduleKind::Karras);
  EXPECT_EQ(sigmaScheduleKindFromName("uniform"), SigmaScheduleKind::Uniform);
  EXPECT_EQ(sigmaScheduleKindFromName("normal"), SigmaScheduleKind::Uniform);
  EXPECT_EQ(sigmaScheduleKindFromName("sgm_uniform"), SigmaScheduleKind::SgmUniform);
  EXPECT_EQ(sigmaScheduleKindFromName("Polyexponential"), SigmaScheduleKind::PolyExponential);
  for (auto kind : {SigmaScheduleKind::Uniform, SigmaScheduleKind::Karras,
                    SigmaScheduleKind::Exponential, SigmaScheduleKind::PolyExponential,
                    SigmaScheduleKind::SgmUniform, SigmaScheduleKind::Simple}) {
    EXPECT_EQ(sigmaScheduleKindFromName(sigmaScheduleKindName(kind)), kind);
  }
  try {
    sigmaScheduleKindFromName("Bogus");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Karras"), std::string::npos);
  }
  DiscreteSchedule s = DiscreteSchedule::scaledLinear();
  EXPECT_THROW(makeSigmas(s, SigmaScheduleKind::Karras, 0), std::invalid_argument);
  EXPECT_THROW(sigmasKarras(4, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(DiscreteSchedule::fromAlphasCumprod(at::ones({10})), std::invalid_argument);
  EXPECT_THROW(discardPenultimate(at::ones({2})), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
