// The studio's glue in a process of its own, for the tests that need a second process
// (test_queue_kill, test_two_windows):
//   studio_child run JOURNAL GALLERY N    the real controller, worker, gallery and journal over
//                                         FakeBackend (a few ms per step): journals N jobs of
//                                         batch 2 (seeds 1000, 1010, …), prints "queued" once all
//                                         are, runs them
//   studio_child resume JOURNAL GALLERY   resumes what the journal holds (remainder()), runs it
//   studio_child save GALLERY N TAG       prints "ready", then saves N pictures of seed 7 whose
//                                         parameters say "TAG i" (as another window would)
//   studio_child favourite GALLERY NAME…  prints "ready", then marks each NAME a favourite
// Exits 0 when everything it did succeeded (run/resume: every job completed), 1 otherwise.
#include <QColor>
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QTimer>

#include <cstdio>

#include "fakebackend.h"
#include "ui/gallerystore.h"
#include "ui/generationcontroller.h"
#include "ui/queuejournal.h"

using namespace lienzo::ui;
using namespace lienzo::ui::testing;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() < 3) return 2;
  if (args[1] == QLatin1String("save") || args[1] == QLatin1String("favourite")) {
    std::printf("ready\n");
    std::fflush(stdout);
    if (args[1] == QLatin1String("save")) {
      QImage image(32, 32, QImage::Format_RGB888);
      for (int i = 0; i < args.value(3).toInt(); ++i) {
        image.fill(QColor::fromHsv(i * 7 % 360, 200, 200));
        QString error;
        const QString text = args.value(4) + QLatin1Char(' ') + QString::number(i);
        if (GalleryStore::save(args[2], image, text, 7, {}, &error).isEmpty()) return 1;
      }
    } else {
      GalleryStore store(args[2]);
      for (int i = 3; i < args.size(); ++i)
        if (!store.setFavourite(QDir(args[2]).filePath(args[i]), true)) return 1;
    }
    return 0;
  }
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
