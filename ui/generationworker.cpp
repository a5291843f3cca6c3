#include "ui/generationworker.h"

#include <exception>
#include <vector>

#include "core/pipeline/params_infotext.h"
#include "ui/gallerystore.h"
#include "ui/imageconvert.h"

namespace lienzo::ui {

/// Turns the core's per-request callbacks (worker thread) into the worker's queued signals, and
/// keeps each image's step previews for its gallery step strip.
class GenerationWorker::Observer : public GenerationObserver {
 public:
  Observer(GenerationWorker& worker, quint64 jobId, const JobRequest& request)
      : m_worker(worker), m_jobId(jobId), m_request(request) {}

  void onStage(int imageIndex, Stage stage) override {
    emit m_worker.stageChanged(m_jobId, imageIndex, static_cast<int>(stage));
  }

  void onStep(const StepProgress& progress) override {
    const QImage preview = toQImage(progress.preview);
    if (!preview.isNull()) stepsOf(progress.imageIndex).append(preview);
    emit m_worker.stepPreview(m_jobId, progress.imageIndex, progress.step, progress.totalSteps,
                              progress.sigma, preview);
  }

  void onImage(const GeneratedImage& generated) override { deliver(m_delivered, generated); }

  /// Images the core returned without announcing them through onImage().
  void deliverRemaining(const std::vector<GeneratedImage>& images) {
    for (size_t i = static_cast<size_t>(m_delivered); i < images.size(); ++i) {
      deliver(static_cast<int>(i), images[i]);
    }
  }

  int delivered() const { return m_delivered; }

 private:
  QList<QImage>& stepsOf(int imageIndex) {
    if (imageIndex >= static_cast<int>(m_steps.size())) {
      m_steps.resize(static_cast<size_t>(imageIndex) + 1);
    }
    return m_steps[static_cast<size_t>(imageIndex)];
  }

  void deliver(int imageIndex, const GeneratedImage& generated) {
    FinishedImage out;
    out.imageIndex = imageIndex;
    out.image = toQImage(generated.image);
    out.seed = generated.seed;
    if (generated.infotext.empty()) {
      // The core always writes one; this keeps images from a bare backend restorable too.
      ModelDescription model;
      model.name = m_request.modelName.toStdString();
      out.infotext = QString::fromStdString(formatInfotext(toInfotext(generated.params, &model)));
    } else {
      out.infotext = QString::fromStdString(generated.infotext);
    }
    if (!m_request.galleryDir.isEmpty() && !out.image.isNull()) {
      QString error;
      GalleryStore::EditSource source;
      if (m_request.params.edit.active()) {
        source.picture = toQImage(m_request.params.edit.initImage);
        source.mask = toQImage(m_request.params.edit.mask);
        source.name = m_request.sourceName;
      }
      for (const ControlUnit& unit : m_request.params.controls)
        source.controls << (unit.image.empty() ? QImage() : toQImage(unit.image));
      // A journaled job marks each picture, so that resuming it never makes one twice.
      const QString job = m_request.journalId.isEmpty()
                              ? QString()
                              : m_request.journalId + QLatin1Char(':') +
                                    QString::number(m_request.imageIndexOffset + imageIndex);
      out.path = GalleryStore::save(m_request.galleryDir, out.image, out.infotext, out.seed,
                                    stepsOf(imageIndex), source, &error, job);
      if (out.path.isEmpty()) emit m_worker.imageSaveFailed(m_jobId, imageIndex, error);
    }
    stepsOf(imageIndex).clear();  // the strip is on disk; free the frames
    m_delivered = imageIndex + 1;
    emit m_worker.imageReady(m_jobId, out);
  }

  GenerationWorker& m_worker;
  quint64 m_jobId;
  const JobRequest& m_request;
  std::vector<QList<QImage>> m_steps;
  int m_delivered = 0;
};

GenerationWorker::GenerationWorker(std::shared_ptr<GenerationBackend> backend)
    : m_backend(std::move(backend)) {
  qRegisterMetaType<lienzo::ui::FinishedImage>();
  qRegisterMetaType<lienzo::ui::JobStatus>();
}

void GenerationWorker::run(quint64 jobId, const JobRequest& request,
                           std::shared_ptr<const CancelToken> cancel) {
  if (cancel && cancel->mode() != CancelMode::None) {
    emit finished(jobId, JobStatus::Cancelled, tr("Cancelled before it started."));
    return;
  }
  Observer observer(*this, jobId, request);
  try {
    const GenerationResult result = m_backend->generate(request.modelPath.toStdString(),
                                                        request.params, &observer, cancel.get());
    observer.deliverRemaining(result.images);
    QStringList sentences;
    for (const std::string& notice : result.notices) sentences << QString::fromStdString(notice);
    const QString preview = QString::fromStdString(result.previewNotice);
    if (!preview.isEmpty() && preview != m_previewNotice) sentences << preview;  // once
    m_previewNotice = preview;
    if (!sentences.isEmpty()) emit notices(jobId, sentences);
    if (result.cancelled) {
      emit finished(jobId, JobStatus::Cancelled,
                    tr("Cancelled after %n image(s).", nullptr, observer.delivered()));
    } else {
      emit finished(jobId, JobStatus::Completed, QString());
    }
  } catch (const GenerationError& e) {
    if (e.code() == GenerationError::Code::Cancelled) {
      emit finished(jobId, JobStatus::Cancelled, QString::fromUtf8(e.what()));
    } else {
      emit finished(jobId, JobStatus::Failed, QString::fromUtf8(e.what()));
    }
  } catch (const std::exception& e) {
    emit finished(jobId, JobStatus::Failed, QString::fromUtf8(e.what()));
  } catch (...) {
    emit finished(jobId, JobStatus::Failed, tr("Unknown error in the generation core."));
  }
}

}  // namespace lienzo::ui
