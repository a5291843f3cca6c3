// Owns the generation thread and the job queue (DESIGN.md §2–3).
//
// Contract
// - Lives on the UI thread. Owns a QThread and a GenerationWorker moved onto it (no QThread
//   subclass, no nested event loops). Jobs run one at a time in queue order.
// - cancel() is immediate and thread-safe towards the core (an atomic CancelToken per job):
//   StopNow ends the running job at the next step or stage; FinishImage lets its current image
//   finish and skips the rest of its batch. Both also cancel the jobs still queued.
// - shutdown() (also run by the destructor): cancel StopNow -> quit -> wait. After it, nothing
//   more runs and no signal is emitted. It blocks for at most one step of the core.
// - Every signal is emitted on the UI thread.
// - With a QueueJournal (setJournal), every job is journaled when queued (its seed resolved
//   first) and forgotten when it ends, is removed or is cancelled; jobs still queued or running at
//   shutdown() stay journaled, so the next start can resume them (QueueJournal::remainder). A job
//   that arrives with a journalId (a resumed one) is not journaled again.
#pragma once

#include <QObject>
#include <QThread>

#include <memory>

#include "ui/generationbackend.h"
#include "ui/generationworker.h"
#include "ui/jobqueue.h"
#include "ui/queuejournal.h"

namespace lienzo::ui {

class GenerationController : public QObject {
  Q_OBJECT

 public:
  explicit GenerationController(std::shared_ptr<GenerationBackend> backend,
                                QObject* parent = nullptr);
  ~GenerationController() override;

  JobQueue* queue() { return &m_queue; }
  /// Journals the jobs queued from now on (not owned; must outlive the controller or be reset
  /// with nullptr). nullptr: no journal.
  void setJournal(QueueJournal* journal) { m_journal = journal; }
  GenerationBackend& backend() { return *m_backend; }
  std::shared_ptr<GenerationBackend> sharedBackend() const { return m_backend; }

  /// Queues a job and starts it when the worker is free. Returns its id (0 after shutdown()).
  quint64 enqueue(const JobRequest& request);
  /// Removes a job that has not started; false otherwise.
  bool removeQueued(quint64 jobId);
  void cancel(CancelMode mode);
  /// True while a job runs.
  bool isBusy() const { return m_runningJob != 0; }
  quint64 runningJob() const { return m_runningJob; }
  void shutdown();

 signals:
  void jobStarted(quint64 jobId);
  void stageChanged(quint64 jobId, int imageIndex, int stage);
  void stepPreview(quint64 jobId, int imageIndex, int step, int totalSteps, double sigma,
                   const QImage& preview);
  void imageReady(quint64 jobId, const lienzo::ui::FinishedImage& image);
  void imageSaveFailed(quint64 jobId, int imageIndex, const QString& message);
  /// The core's notices for a job (GenerationWorker::notices), before its jobFinished().
  void jobNotices(quint64 jobId, const QStringList& notices);
  void jobFinished(quint64 jobId, lienzo::ui::JobStatus status, const QString& message);
  void busyChanged(bool busy);
  /// A job could not be journaled (it runs, but would not survive a crash).
  void journalFailed(const QString& message);

 private:
  void startNext();
  void onStepPreview(quint64 jobId, int imageIndex, int step, int totalSteps, double sigma,
                     const QImage& preview);
  void onImageReady(quint64 jobId, const lienzo::ui::FinishedImage& image);
  void onWorkerFinished(quint64 jobId, lienzo::ui::JobStatus status, const QString& message);
  void cancelNow(CancelMode mode, bool forgetQueued);
  void forget(quint64 jobId);

  std::shared_ptr<GenerationBackend> m_backend;
  JobQueue m_queue;
  QThread m_thread;
  GenerationWorker* m_worker = nullptr;   ///< owned; lives in m_thread, deleted after it stops
  std::shared_ptr<CancelToken> m_cancel;  ///< the running job's token
  quint64 m_runningJob = 0;
  bool m_shutDown = false;
  QueueJournal* m_journal = nullptr;
};

}  // namespace lienzo::ui
