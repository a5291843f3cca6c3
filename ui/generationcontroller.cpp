#include "ui/generationcontroller.h"

namespace lienzo::ui {

GenerationController::GenerationController(std::shared_ptr<GenerationBackend> backend,
                                           QObject* parent)
    : QObject(parent), m_backend(std::move(backend)) {
  m_thread.setObjectName(QStringLiteral("lienzo-generation"));
  m_worker = new GenerationWorker(m_backend);
  m_worker->moveToThread(&m_thread);
  // Queued: the worker emits from its thread, these slots run on ours.
  connect(m_worker, &GenerationWorker::stageChanged, this, &GenerationController::stageChanged,
          Qt::QueuedConnection);
  connect(m_worker, &GenerationWorker::stepPreview, this, &GenerationController::onStepPreview,
          Qt::QueuedConnection);
  connect(m_worker, &GenerationWorker::imageReady, this, &GenerationController::onImageReady,
          Qt::QueuedConnection);
  connect(m_worker, &GenerationWorker::imageSaveFailed, this,
          &GenerationController::imageSaveFailed, Qt::QueuedConnection);
  connect(m_worker, &GenerationWorker::notices, this, &GenerationController::jobNotices,
          Qt::QueuedConnection);
  connect(m_worker, &GenerationWorker::finished, this, &GenerationController::onWorkerFinished,
          Qt::QueuedConnection);
  m_thread.start();
}

GenerationController::~GenerationController() {
  shutdown();
}

quint64 GenerationController::enqueue(const JobRequest& request) {
  if (m_shutDown) return 0;
  JobRequest job = request;
  if (m_journal && job.journalId.isEmpty()) {
    job.params.seed = resolveSeed(job.params.seed);  // a resumed job must draw the same pictures
    QString error;
    job.journalId = m_journal->add(job, &error);
    if (job.journalId.isEmpty()) emit journalFailed(error);
  }
  const quint64 id = m_queue.add(job);
  startNext();
  return id;
}

bool GenerationController::removeQueued(quint64 jobId) {
  const Job* job = m_queue.job(jobId);
  const QString journalId = job ? job->request.journalId : QString();
  if (!m_queue.remove(jobId)) return false;
  if (m_journal && !journalId.isEmpty()) m_journal->remove(journalId);
  return true;
}

void GenerationController::cancel(CancelMode mode) {
  cancelNow(mode, true);
}

void GenerationController::cancelNow(CancelMode mode, bool forgetQueued) {
  if (mode == CancelMode::None) return;
  if (m_cancel) m_cancel->request(mode);
  if (forgetQueued) {
    for (int row = 0; row < m_queue.rowCount(); ++row) {
      const quint64 id = m_queue.data(m_queue.index(row), JobQueue::IdRole).toULongLong();
      const Job* job = m_queue.job(id);
      if (job && job->status == JobStatus::Queued) forget(id);
    }
  }
  m_queue.cancelQueued(tr("Cancelled before it started."));
}

void GenerationController::forget(quint64 jobId) {
  const Job* job = m_queue.job(jobId);
  if (m_journal && job && !job->request.journalId.isEmpty())
    m_journal->remove(job->request.journalId);
}

void GenerationController::shutdown() {
  if (m_shutDown) return;
  m_shutDown = true;
  // The jobs still to do stay journaled: the next start offers to resume them.
  cancelNow(CancelMode::StopNow, false);
  m_thread.quit();
  m_thread.wait();
  delete m_worker;  // its thread has stopped: safe to delete from here
  m_worker = nullptr;
  if (m_runningJob != 0) {
    m_queue.setStatus(m_runningJob, JobStatus::Cancelled, tr("Cancelled on exit."));
    m_runningJob = 0;
  }
}

void GenerationController::startNext() {
  if (m_shutDown || m_runningJob != 0) return;
  const auto next = m_queue.nextQueued();
  if (!next) return;
  const Job* job = m_queue.job(*next);
  m_runningJob = job->id;
  m_cancel = std::make_shared<CancelToken>();
  m_queue.setStatus(job->id, JobStatus::Running);
  GenerationWorker* worker = m_worker;
  std::shared_ptr<const CancelToken> token = m_cancel;
  QMetaObject::invokeMethod(
      worker,
      [worker, id = job->id, request = job->request, token] { worker->run(id, request, token); },
      Qt::QueuedConnection);
  emit jobStarted(job->id);
  emit busyChanged(true);
}

void GenerationController::onStepPreview(quint64 jobId, int imageIndex, int step, int totalSteps,
                                         double sigma, const QImage& preview) {
  m_queue.setProgress(jobId, imageIndex, step, totalSteps);
  emit stepPreview(jobId, imageIndex, step, totalSteps, sigma, preview);
}

void GenerationController::onImageReady(quint64 jobId, const FinishedImage& image) {
  m_queue.addImageDone(jobId);
  emit imageReady(jobId, image);
}

void GenerationController::onWorkerFinished(quint64 jobId, JobStatus status,
                                            const QString& message) {
  if (m_shutDown) return;  // stopped by shutdown(): it stays journaled, nothing is emitted
  m_queue.setStatus(jobId, status, message);
  forget(jobId);  // ended: completed, failed or cancelled, it is not to be resumed
  if (jobId == m_runningJob) {
    m_runningJob = 0;
    m_cancel.reset();
  }
  emit jobFinished(jobId, status, message);
  startNext();
  if (m_runningJob == 0) emit busyChanged(false);
}

}  // namespace lienzo::ui
