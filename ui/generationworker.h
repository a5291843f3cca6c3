// Runs generation jobs on the controller's worker thread (DESIGN.md §2).
//
// Contract
// - Lives in the worker QThread (moved there by GenerationController); run() is invoked there
//   through a queued call, one job at a time. It never spins an event loop of its own.
// - Everything it reports crosses to the UI thread as queued signals carrying values (QImage is
//   implicitly shared and deep-copied from the core's buffers).
// - Finished images are saved to the job's gallery folder here, off the UI thread, before
//   imageReady() is emitted; a save failure is reported by imageSaveFailed() and does not fail
//   the job.
// - run() never throws: core errors end the job with finished(Failed, message).
#pragma once

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

#include "ui/generationbackend.h"
#include "ui/jobqueue.h"

namespace lienzo::ui {

/// One finished image as the UI receives it.
struct FinishedImage {
  int imageIndex = 0;
  QImage image;
  QString infotext;  ///< A1111 "parameters" text written into the PNG
  qint64 seed = 0;
  QString path;  ///< gallery file; empty when not saved
};

class GenerationWorker : public QObject {
  Q_OBJECT

 public:
  explicit GenerationWorker(std::shared_ptr<GenerationBackend> backend);

  /// Runs one job to its end. Worker thread only.
  void run(quint64 jobId, const lienzo::ui::JobRequest& request,
           std::shared_ptr<const CancelToken> cancel);

 signals:
  void stageChanged(quint64 jobId, int imageIndex, int stage);
  /// `step` is 0-based; `preview` may be null when the core made none.
  void stepPreview(quint64 jobId, int imageIndex, int step, int totalSteps, double sigma,
                   const QImage& preview);
  void imageReady(quint64 jobId, const lienzo::ui::FinishedImage& image);
  void imageSaveFailed(quint64 jobId, int imageIndex, const QString& message);
  /// What the core did not apply (GenerationResult::notices: a missing LoRA, unmatched keys, an
  /// embedding of the wrong width), one sentence each; emitted before finished(), only when any.
  /// A preview fallback (GenerationResult::previewNotice: TAESD missing, previews linear) is
  /// among them the first time this worker sees it, not again for later jobs.
  void notices(quint64 jobId, const QStringList& notices);
  void finished(quint64 jobId, lienzo::ui::JobStatus status, const QString& message);

 private:
  class Observer;

  std::shared_ptr<GenerationBackend> m_backend;
  QString m_previewNotice;  ///< the last preview fallback said (worker thread only)
};

}  // namespace lienzo::ui

Q_DECLARE_METATYPE(lienzo::ui::FinishedImage)
