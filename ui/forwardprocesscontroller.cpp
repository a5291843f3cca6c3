#include "ui/forwardprocesscontroller.h"

#include <exception>

#include "ui/imageconvert.h"

namespace lienzo::ui {

ForwardProcessController::ForwardProcessController(std::shared_ptr<GenerationBackend> backend,
                                                   QObject* parent)
    : QObject(parent), m_backend(std::move(backend)) {
  m_pool.setMaxThreadCount(1);
}

ForwardProcessController::~ForwardProcessController() {
  m_pool.clear();
  m_pool.waitForDone();
}

void ForwardProcessController::requestSchedule(const QString& modelPath,
                                               const LoadOptions& options) {
  auto backend = m_backend;
  const std::string model = modelPath.toStdString();
  m_pool.start([this, backend, model, options] {
    try {
      const std::vector<double> table = backend->alphasCumprod(model, options);
      const QVector<double> out(table.begin(), table.end());
      QMetaObject::invokeMethod(
          this, [this, out] { emit scheduleReady(out); }, Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          this, [this, message] { emit failed(message); }, Qt::QueuedConnection);
    }
  });
}

void ForwardProcessController::requestFrame(const ForwardProcessRequest& request) {
  if (m_busy) {
    m_pending = request;  // replaces any older pending request
    return;
  }
  runFrame(request);
}

void ForwardProcessController::runFrame(const ForwardProcessRequest& request) {
  m_busy = true;
  auto backend = m_backend;
  const std::string model = request.modelPath.toStdString();
  const LoadOptions options = request.options;
  const RgbImage source = toRgbImage(request.source);
  const int t = request.t;
  const qint64 seed = request.seed;
  m_pool.start([this, backend, model, options, source, t, seed] {
    QString message;
    QImage image;
    try {
      image = toQImage(backend->forwardProcess(model, options, source, t, seed));
    } catch (const std::exception& e) {
      message = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, message, image, t] {
          if (message.isEmpty()) {
            emit frameReady(t, image);
          } else {
            emit failed(message);
          }
          frameDone();
        },
        Qt::QueuedConnection);
  });
}

void ForwardProcessController::frameDone() {
  m_busy = false;
  if (m_pending) {
    const ForwardProcessRequest next = *m_pending;
    m_pending.reset();
    runFrame(next);
  }
}

}  // namespace lienzo::ui
