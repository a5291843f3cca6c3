// lienzo_soak: the studio's queue, worker and gallery left running for many jobs on one model
// (scripts/soak.sh; docs/reliability.md, "Soak"). Prints a sample line as jobs finish and a
// summary with the RSS and descriptor growth after the warm-up and the jobs per minute.
//   lienzo_soak [--jobs N] [--steps S] [--side PX] [--warmup W] [--every K] [--model FILE]
//               [--gallery DIR]
// Exit status: 0 when no job failed, 1 otherwise, 2 for bad arguments.
#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdio>
#include <exception>

#include "core/pipeline/pipeline.h"
#include "soak_runner.h"

using namespace lienzo::ui::testing;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  SoakOptions options;
  QTemporaryDir scratch;
  options.gallery = scratch.path();
  options.model = QString::fromStdString(lienzo::findBuiltinModel().string());
  const QStringList args = app.arguments();
  for (int i = 1; i < args.size(); ++i) {
    const QString& a = args[i];
    const bool hasValue = i + 1 < args.size();
    bool ok = hasValue;
    if (a == QLatin1String("--jobs") && hasValue)
      options.jobs = args[++i].toInt(&ok);
    else if (a == QLatin1String("--steps") && hasValue)
      options.steps = args[++i].toInt(&ok);
    else if (a == QLatin1String("--side") && hasValue)
      options.side = args[++i].toInt(&ok);
    else if (a == QLatin1String("--warmup") && hasValue)
      options.warmup = args[++i].toInt(&ok);
    else if (a == QLatin1String("--every") && hasValue)
      options.sampleEvery = args[++i].toInt(&ok);
    else if (a == QLatin1String("--model") && hasValue)
      options.model = args[++i];
    else if (a == QLatin1String("--gallery") && hasValue)
      options.gallery = args[++i];
    else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "lienzo_soak: bad argument '%s'\n", qPrintable(a));
      return 2;
    }
  }
  if (options.model.isEmpty() || options.jobs < 1 || options.warmup < 1 ||
      options.warmup >= options.jobs || options.sampleEvery < 1) {
    std::fprintf(stderr, "lienzo_soak: needs a model, 1 <= --warmup < --jobs, --every >= 1\n");
    return 2;
  }
  std::printf("model %s, %d jobs, %d steps, gallery %s\n", qPrintable(options.model), options.jobs,
              options.steps, qPrintable(options.gallery));
  std::printf("%8s %10s %10s %6s %8s\n", "ended", "seconds", "RSS MiB", "fds", "threads");
  try {
    const SoakReport r = runSoak(options, [](const SoakSample& s) {
      std::printf("%8d %10.1f %10.1f %6d %8d\n", s.jobsEnded, s.seconds, s.rssKiB / 1024.0, s.fds,
                  s.threads);
      std::fflush(stdout);
    });
    std::printf(
        "completed %d, cancelled %d, removed before start %d, failed %d, images saved %d%s\n",
        r.completed, r.cancelled, r.removed, r.failed, r.imagesSaved,
        r.timedOut ? " (TIMED OUT)" : "");
    if (r.samples.size() >= 2)
      std::printf("after the warm-up: RSS %+.1f MiB, fds %+d, threads %+d; %.1f jobs/min\n",
                  (r.last().rssKiB - r.baseline().rssKiB) / 1024.0, r.last().fds - r.baseline().fds,
                  r.last().threads - r.baseline().threads, r.jobsPerMinute());
    if (!r.firstFailure.isEmpty()) std::printf("first failure: %s\n", qPrintable(r.firstFailure));
    return r.failed == 0 && !r.timedOut ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lienzo_soak: %s\n", e.what());
    return 1;
  }
}
