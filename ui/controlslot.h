// One ControlNet slot of the prompt panel's ControlNet section (ControlPanel): enabled, the
// picture (dropped file, the selected gallery picture, the canvas picture; cleared), the
// preprocessor with only its own knobs shown (canny low/high, threshold, tile rate) and a live
// preview of what the ControlNet will see, the model (ControlNets of the library, or any name or
// path typed in), weight, start/end, control mode and resize mode.
//
// The preview is core's controlPicture() (core/pipeline/control_pictures.h) at the generation
// size: debounced, computed on the global thread pool, at most one at a time per slot, the
// latest settings winning; the UI thread never runs a preprocessor.
//
// Contract: UI thread. unit() is the slot as a request's ControlUnit (the picture as given, not
// preprocessed); setUnit() puts one back (a restore). Child widgets carry object names
// ("controlEnabled", "controlPicture", "controlFromGallery", "controlUseCanvas", "controlClear",
// "controlPreprocessor", "controlLow", "controlHigh", "controlThreshold", "controlTileRate",
// "controlPreview", "controlModel", "controlWeight", "controlStart", "controlEnd",
// "controlMode", "controlResize", "controlRemove"), tooltips and accessible names.
#pragma once

#include <QFrame>
#include <QImage>
#include <QStringList>

#include <functional>

#include "core/pipeline/pipeline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTimer;
class QToolButton;

namespace lienzo::ui {

/// Where "From gallery" and "Use canvas" take their picture (null QImage: none there).
struct ControlPictureSources {
  std::function<QImage()> gallery;
  std::function<QImage()> canvas;
  std::function<QSize()> generationSize;  ///< the size the preview is made at
};

class ControlSlot : public QFrame {
  Q_OBJECT

 public:
  ControlSlot(const ControlPictureSources& sources, QWidget* parent = nullptr);

  /// "ControlNet <index + 1>" in the title.
  void setIndex(int index);
  bool isChecked() const;
  void setChecked(bool on);

  ControlUnit unit() const;
  /// Every control from `unit` (the picture too, null when the unit has none); checks the slot.
  /// Returns notes about values that did not fit (an unknown preprocessor keeps "none").
  QStringList setUnit(const ControlUnit& unit);

  /// The slot's own picture (RGB888; null: none, the edit picture is used).
  QImage picture() const { return m_picture; }
  void setPicture(const QImage& picture);
  /// Offers `names` (ControlNet file stems) in the model picker, keeping the current text.
  void setModels(const QStringList& names);

  /// The last preview made (the preprocessed picture at the generation size); null when there is
  /// no picture or the preprocessor refused it (previewError()).
  QImage preview() const { return m_preview; }
  QString previewError() const { return m_previewError; }
  /// True while a preview is waiting for its debounce or being computed.
  bool previewPending() const;

 signals:
  void removeRequested();
  /// A new preview (or its absence) is shown.
  void previewUpdated();
  void errorOccurred(const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QWidget* buildPictureRow();
  QWidget* buildSettings();
  void updateKnobs();
  void schedulePreview();
  void startPreview();
  void previewDone(quint64 serial, const QImage& image, const QString& error);
  void showPicture();

  ControlPictureSources m_sources;
  QImage m_picture;
  RgbImage m_rgb;  ///< m_picture as the core reads it (copied once per picture)
  ControlWindowRule m_window = ControlWindowRule::A1111;  ///< not shown; from a restore
  QImage m_preview;
  QString m_previewError;
  QTimer* m_previewTimer = nullptr;
  quint64 m_previewSerial = 0;  ///< of the latest request
  bool m_previewRunning = false;
  bool m_previewDirty = false;  ///< settings changed while one was running

  QCheckBox* m_enabled = nullptr;
  QToolButton* m_remove = nullptr;
  QLabel* m_pictureLabel = nullptr;
  QLabel* m_previewLabel = nullptr;
  QComboBox* m_preprocessor = nullptr;
  QWidget* m_cannyRow = nullptr;
  QWidget* m_thresholdRow = nullptr;
  QWidget* m_tileRow = nullptr;
  QDoubleSpinBox* m_low = nullptr;
  QDoubleSpinBox* m_high = nullptr;
  QSpinBox* m_threshold = nullptr;
  QDoubleSpinBox* m_tileRate = nullptr;
  QComboBox* m_model = nullptr;
  QDoubleSpinBox* m_weight = nullptr;
  QDoubleSpinBox* m_start = nullptr;
  QDoubleSpinBox* m_end = nullptr;
  QComboBox* m_mode = nullptr;
  QComboBox* m_resize = nullptr;
};

}  // namespace lienzo::ui
