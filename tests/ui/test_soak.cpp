// The soak in small (docs/reliability.md, "Soak"): jobs of every kind through the real controller,
// worker and gallery on the built-in model. After a warm-up, finishing more jobs must not open
// more file descriptors or threads, and must not grow the resident set beyond the allocator's
// noise. The full 1 000-job run is scripts/soak.sh (lienzo_soak).
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "soak_runner.h"

using namespace lienzo::ui::testing;

TEST(Soak, JobsOfEveryKindLeakNoDescriptorsThreadsOrMemory) {
  QTemporaryDir gallery;
  SoakOptions options;
  options.model = QStringLiteral(LIENZO_BUILTIN_MODEL_FILE);
  options.gallery = gallery.path();
  options.jobs = 24;  // every job kind at least twice (soak_runner.cpp kindOf)
  options.warmup = 8;
  options.sampleEvery = 1000;
  options.steps = 2;
  options.side = 64;
  options.timeoutMs = 600 * 1000;
  const SoakReport report = runSoak(options);

  ASSERT_FALSE(report.timedOut);
  EXPECT_EQ(report.failed, 0) << report.firstFailure.toStdString();
  EXPECT_GE(report.cancelled, 2);
  EXPECT_GE(report.removed, 2);
  EXPECT_EQ(report.completed + report.cancelled + report.removed, options.jobs);
  EXPECT_EQ(report.imagesSaved, report.completed);
  ASSERT_GE(report.samples.size(), 3u);
  const SoakSample& base = report.baseline();
  const SoakSample& end = report.last();
  EXPECT_EQ(base.jobsEnded, options.warmup);
  EXPECT_LE(end.fds, base.fds);
  EXPECT_LE(end.threads, base.threads);
  // 16 more jobs after the warm-up; a leak of one 64² RGB picture per job would be ~0.3 MiB, a
  // leaked latent or preview list much more. glibc keeps freed arenas, hence the margin.
  EXPECT_LT(end.rssKiB - base.rssKiB, 24 * 1024)
      << "RSS " << base.rssKiB << " KiB after the warm-up, " << end.rssKiB << " KiB at the end";
}
