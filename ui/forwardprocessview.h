// The forward (noising) process of a chosen image: encode it with the model's VAE, add noise to
// timestep t along the model's own schedule (x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε) and show x_t decoded,
// with a slider over t and a plot of ᾱ_t and the SNR. The work runs through
// ForwardProcessController, off the UI thread; the schedule is asked for when the view is shown.
#pragma once

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include "core/pipeline/pipeline.h"

class QLabel;
class QSlider;
class QSpinBox;

namespace lienzo::ui {

class Canvas;
class ForwardProcessController;
class SchedulePlot;

class ForwardProcessView : public QWidget {
  Q_OBJECT

 public:
  explicit ForwardProcessView(ForwardProcessController* controller, QWidget* parent = nullptr);

  /// The model whose VAE and schedule are used (asked for when the view is next shown).
  void setModel(const QString& path, const LoadOptions& options);
  void setSource(const QImage& image, const QString& title);
  void setTimestep(int t);
  int timestep() const;
  Canvas* resultCanvas() const { return m_result; }
  /// The last frame shown (t it belongs to), -1 when none.
  int shownTimestep() const { return m_shownT; }

 signals:
  void openImageRequested();
  void errorOccurred(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void requestFrame();
  void updateInfo();
  void onSchedule(const QVector<double>& alphas);
  void onFrame(int t, const QImage& image);
  void onFailed(const QString& message);

  ForwardProcessController* m_controller;
  QString m_modelPath;
  LoadOptions m_options;
  bool m_scheduleWanted = true;
  QVector<double> m_alphas;
  QImage m_source;
  int m_shownT = -1;

  Canvas* m_sourceCanvas;
  Canvas* m_result;
  SchedulePlot* m_plot;
  QSlider* m_slider;
  QSpinBox* m_seed;
  QLabel* m_title;
  QLabel* m_info;
  QLabel* m_status;
};

}  // namespace lienzo::ui
