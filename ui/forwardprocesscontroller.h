// Runs forward-process (noising) requests for the ForwardProcessView off the UI thread.
//
// Contract
// - UI thread object. Requests run one at a time on a private one-thread pool, through the
//   GenerationBackend (VAE encode -> x_t -> VAE decode in the core). While one runs, newer frame
//   requests replace each other: only the latest waits, so dragging the t slider never builds a
//   backlog.
// - Results and failures come back as signals on the UI thread; failures carry the core's
//   message. The destructor waits for the request in flight (one VAE round trip at most).
#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QVector>

#include <memory>
#include <optional>

#include "ui/generationbackend.h"

namespace lienzo::ui {

struct ForwardProcessRequest {
  QString modelPath;
  LoadOptions options;
  QImage source;  ///< the clean image x_0 (any size; the core encodes it)
  int t = 0;      ///< training timestep, 0 … T−1
  qint64 seed = 0;
};

class ForwardProcessController : public QObject {
  Q_OBJECT

 public:
  explicit ForwardProcessController(std::shared_ptr<GenerationBackend> backend,
                                    QObject* parent = nullptr);
  ~ForwardProcessController() override;

  /// Asks for the model's ᾱ_t table; answered by scheduleReady() or failed().
  void requestSchedule(const QString& modelPath, const LoadOptions& options);
  /// Asks for x_t decoded; answered by frameReady() or failed().
  void requestFrame(const ForwardProcessRequest& request);
  bool isBusy() const { return m_busy; }

 signals:
  void scheduleReady(const QVector<double>& alphasCumprod);
  void frameReady(int t, const QImage& image);
  void failed(const QString& message);

 private:
  void runFrame(const ForwardProcessRequest& request);
  void frameDone();

  std::shared_ptr<GenerationBackend> m_backend;
  QThreadPool m_pool;
  bool m_busy = false;
  std::optional<ForwardProcessRequest> m_pending;
};

}  // namespace lienzo::ui
