#include "soak_runner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <stdexcept>

#include "ui/generationbackend.h"
#include "ui/generationcontroller.h"

namespace lienzo::ui::testing {
namespace {

enum class Kind { Txt2Img, Img2Img, Inpaint, CancelMidway, RemoveQueued };

/// What job `i` is: mostly txt2img, every seventh an img2img or an inpainting, every thirteenth
/// cancelled at its first step, every eleventh removed from the queue before it starts.
Kind kindOf(int i) {
  if (i % 11 == 9) return Kind::RemoveQueued;
  if (i % 13 == 4) return Kind::CancelMidway;  // never just before a removal
  if (i % 7 == 3) return Kind::Img2Img;
  if (i % 7 == 5) return Kind::Inpaint;
  return Kind::Txt2Img;
}

RgbImage picture(int side) {
  RgbImage image;
  image.width = image.height = side;
  image.pixels.resize(static_cast<size_t>(side) * side * 3);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      uint8_t* p = &image.pixels[(static_cast<size_t>(y) * side + x) * 3];
      p[0] = static_cast<uint8_t>(255 * x / side);
      p[1] = static_cast<uint8_t>(255 * y / side);
      p[2] = static_cast<uint8_t>((x / 8 + y / 8) % 2 ? 200 : 40);
    }
  return image;
}

GrayImage centreMask(int side) {
  GrayImage mask;
  mask.width = mask.height = side;
  mask.pixels.assign(static_cast<size_t>(side) * side, 0);
  for (int y = side / 4; y < side * 3 / 4; ++y)
    for (int x = side / 4; x < side * 3 / 4; ++x)
      mask.pixels[static_cast<size_t>(y) * side + x] = 255;
  return mask;
}

int64_t statusField(const QByteArray& status, const char* key) {
  for (const QByteArray& line : status.split('\n'))
    if (line.startsWith(key))
      return line.mid(static_cast<int>(qstrlen(key))).trimmed().split(' ').front().toLongLong();
  return -1;
}

}  // namespace

double SoakReport::jobsPerMinute() const {
  const double seconds = last().seconds - baseline().seconds;
  const int jobs = last().jobsEnded - baseline().jobsEnded;
  return seconds > 0 ? 60.0 * jobs / seconds : 0.0;
}

SoakSample sampleProcess() {
  SoakSample s;
  QFile status(QStringLiteral("/proc/self/status"));
  if (status.open(QIODevice::ReadOnly)) {
    const QByteArray text = status.readAll();
    s.rssKiB = statusField(text, "VmRSS:");
    s.threads = static_cast<int>(statusField(text, "Threads:"));
  }
  // The listing's own descriptor is closed before entryList returns.
  s.fds = static_cast<int>(QDir(QStringLiteral("/proc/self/fd"))
                               .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                               .size());
  return s;
}

SoakReport runSoak(const SoakOptions& options,
                   const std::function<void(const SoakSample&)>& onSample) {
  auto backend = makeDefaultBackend();
  const ModelDescription description = backend->describeModel(options.model.toStdString());
  const int side = options.side > 0 ? options.side : description.defaultWidth;
  const RgbImage init = picture(side);
  const GrayImage mask = centreMask(side);

  GenerationController controller(backend);
  SoakReport report;
  QElapsedTimer clock;
  int ended = 0;
  int fed = 0;
  bool waitingForCancelJob = false;  ///< a cancel job runs alone: cancel() also empties the queue
  quint64 cancelJob = 0;

  const auto sample = [&] {
    SoakSample s = sampleProcess();
    s.jobsEnded = ended;
    s.seconds = clock.isValid() ? clock.elapsed() / 1000.0 : 0.0;
    report.samples.push_back(s);
    if (onSample) onSample(s);
  };
  sample();  // before any job (the backend and the controller's thread exist)

  QEventLoop loop;
  const auto request = [&](int i) {
    JobRequest r;
    r.modelPath = options.model;
    r.modelName = QStringLiteral("soak");
    r.galleryDir = options.gallery;
    GenerationParams& p = r.params;
    p.prompt = i % 2 ? "a red circle above a blue square" : "un triángulo verde, fondo amarillo";
    p.negativePrompt = i % 3 ? "" : "blurry";
    p.seed = 1000 + i;
    p.steps = options.steps;
    p.cfgScale = description.defaultCfg;
    p.sampler = i % 2 ? "Euler a" : "DPM++ 2M";
    p.width = p.height = side;
    const Kind kind = kindOf(i);
    if (kind == Kind::CancelMidway) p.steps = 20;
    if (kind == Kind::Img2Img || kind == Kind::Inpaint) {
      p.edit.initImage = init;
      p.edit.strength = 0.6;
      if (kind == Kind::Inpaint) p.edit.mask = mask;
    }
    return r;
  };
  const auto queued = [&] {
    const JobQueue* q = controller.queue();
    int n = 0;
    for (int row = 0; row < q->rowCount(); ++row)
      n += q->data(q->index(row), JobQueue::StatusRole).toInt() == int(JobStatus::Queued);
    return n;
  };
  // Keeps up to 16 jobs queued; a cancel job is queued alone once everything before it ended.
  const auto feed = [&] {
    while (fed < options.jobs && !waitingForCancelJob) {
      const Kind kind = kindOf(fed);
      if (kind == Kind::CancelMidway) {
        if (controller.isBusy() || controller.queue()->nextQueued()) return;
        cancelJob = controller.enqueue(request(fed++));
        waitingForCancelJob = true;
        return;
      }
      if (queued() >= 16) return;
      const quint64 id = controller.enqueue(request(fed++));
      if (kind == Kind::RemoveQueued && controller.runningJob() != id &&
          controller.removeQueued(id))
        ++report.removed;
    }
  };

  // Cancelled at its first step preview; it has 20 steps, so it cannot have ended by then.
  QObject::connect(&controller, &GenerationController::stepPreview, &loop,
                   [&](quint64 id, int, int, int, double, const QImage&) {
                     if (id == cancelJob) controller.cancel(CancelMode::StopNow);
                   });
  QObject::connect(&controller, &GenerationController::imageReady, &loop,
                   [&](quint64, const FinishedImage& image) {
                     if (!image.path.isEmpty()) ++report.imagesSaved;
                   });
  QObject::connect(
      &controller, &GenerationController::jobFinished, &loop,
      [&](quint64 id, JobStatus status, const QString& message) {
        ++ended;  // removed jobs never start, so they are not counted here
        if (status == JobStatus::Completed) ++report.completed;
        if (status == JobStatus::Cancelled) ++report.cancelled;
        if (status == JobStatus::Failed) {
          ++report.failed;
          if (report.firstFailure.isEmpty()) report.firstFailure = message;
        }
        if (id == cancelJob) waitingForCancelJob = false;
        const bool last = ended + report.removed >= options.jobs;
        if (ended == options.warmup ||
            (ended > options.warmup && (ended - options.warmup) % options.sampleEvery == 0) || last)
          sample();
        // Finished rows are kept up to JobQueue::kMaxFinished; clear them as the
        // studio's "Clear finished" would, so the listing stays short.
        if (controller.queue()->rowCount() > 64) controller.queue()->clearFinished();
        if (last)
          loop.quit();
        else
          feed();
      });
  QTimer::singleShot(options.timeoutMs, &loop, [&] {
    report.timedOut = true;
    loop.quit();
  });
  clock.start();
  feed();
  if (ended + report.removed < options.jobs) loop.exec();
  controller.shutdown();
  if (report.samples.size() < 2) sample();
  return report;
}

}  // namespace lienzo::ui::testing
