// The studio's queue in a process of its own, for test_queue_kill: the real controller, worker,
// gallery and journal over FakeBackend (a few ms per step).
//   queue_kill_child run JOURNAL GALLERY N    journals N jobs of batch 2 (seeds 1000, 1010, …),
//                                             prints "queued" once all are, runs them
//   queue_kill_child resume JOURNAL GALLERY   resumes what the journal holds (remainder()), runs it
// Exits 0 when the queue is empty with every job completed, 1 otherwise.
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

#include "fakebackend.h"
#include "ui/generationcontroller.h"
#include "ui/queuejournal.h"

using namespace lienzo::ui;
using namespace lienzo::ui::testing;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() < 4) return 2;
  const bool resume = args[1] == QLatin1String("resume");
  QueueJournal journal(args[2]);
  auto backend = std::make_shared<FakeBackend>();
  backend->stepDelayMs = 3;
  GenerationController controller(backend);
  controller.setJournal(&journal);
  int pending = 0;
  bool failed = false;
  QObject::connect(&controller, &GenerationController::jobFinished, &app,
                   [&](quint64, JobStatus status, const QString&) {
                     failed |= status != JobStatus::Completed;
                     if (--pending == 0) app.exit(failed ? 1 : 0);
                   });
  QObject::connect(&controller, &GenerationController::journalFailed, &app,
                   [&](const QString&) { app.exit(1); });
  if (resume) {
    for (const QueueJournal::Entry& entry : journal.pending()) {
      if (!entry.problem.isEmpty()) return 1;
      if (auto left = QueueJournal::remainder(entry)) {
        ++pending;
        controller.enqueue(*left);
      } else {
        journal.remove(entry.id);  // every picture was saved before the kill
      }
    }
  } else {
    const int n = args.value(4).toInt();
    for (int i = 0; i < n; ++i) {
      JobRequest r = fakeJobRequest("job " + std::to_string(i), 4, 2, args[3]);
      r.params.seed = 1000 + 10 * i;
      ++pending;
      controller.enqueue(r);
    }
  }
  std::printf("queued %d\n", pending);
  std::fflush(stdout);
  if (pending == 0) return 0;
  return app.exec();
}
