// The hires-fix controls beside the size: a toggle, and when it is on, "Upscale by", the
// upscaler (the core's hiresUpscalers()), hires steps (0 = the first pass's) and the second
// pass's denoising strength. The options are hidden while the toggle is off.
//
// Contract: UI thread. applyTo() writes HiresParams (off: HiresParams{}, which the core treats
// as no second pass); setParams() restores them. Controls carry object names, tooltips and
// accessible names.
#pragma once

#include <QWidget>

#include "core/pipeline/pipeline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace lienzo::ui {

class HiresPanel : public QWidget {
  Q_OBJECT

 public:
  explicit HiresPanel(QWidget* parent = nullptr);

  void applyTo(HiresParams& hires) const;
  void setParams(const HiresParams& hires);
  bool isEnabled() const;

 private:
  QCheckBox* m_enabled;
  QWidget* m_options;
  QDoubleSpinBox* m_scale;
  QComboBox* m_upscaler;
  QSpinBox* m_steps;
  QDoubleSpinBox* m_denoise;
};

}  // namespace lienzo::ui
