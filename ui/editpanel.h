// The controls of the edit page: the brush (tool, size, hardness, overlay opacity, invert,
// clear, undo/redo) and the core's edit settings (strength, output size and resize mode, step
// semantics; mask blur, inverted mask, inpaint area + padding, masked content; outpaint margins,
// fill and feather). Settings that do not apply to what is on the canvas are hidden: the mask
// settings appear once a mask is painted or margins are set, padding only for "Only masked", the
// resize mode only when the output size is not the picture's, the outpaint fill and feather only
// with margins.
//
// Contract: UI thread. applyTo() writes the settings into EditParams (never the pictures);
// setSettings() puts restored values back. Every control has an object name, a tooltip and an
// accessible name.
#pragma once

#include <QWidget>

#include "core/pipeline/pipeline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QSlider;
class QSpinBox;
class QToolButton;

namespace lienzo::ui {

class EditCanvas;
class MaskDocument;

class EditPanel : public QWidget {
  Q_OBJECT

 public:
  EditPanel(EditCanvas* canvas, MaskDocument* mask, QWidget* parent = nullptr);

  /// The settings (not initImage / mask / margins, which the session fills).
  void applyTo(EditParams& edit) const;
  /// Restores the settings and margins from `edit` (pictures are ignored).
  void setSettings(const EditParams& edit);
  /// True: the edit is generated at the picture's size plus margins (defaultEditSize); false:
  /// at the prompt panel's size, fitted with the resize mode.
  bool usePictureSize() const;
  void setUsePictureSize(bool on);
  /// Shows or hides the settings for what is on the canvas (mask painted, margins set).
  void updateVisibility();
  /// The width the panel needs with every setting shown (the page sizes its column by it).
  int widestHint();

 private:
  QWidget* buildBrushBox();
  QWidget* buildSettingsBox();
  void syncFromCanvas();

  EditCanvas* m_canvas;
  MaskDocument* m_mask;

  QToolButton* m_brushTool = nullptr;
  QToolButton* m_eraserTool = nullptr;
  QToolButton* m_outpaintTool = nullptr;
  QSpinBox* m_brushSize = nullptr;
  QSpinBox* m_hardness = nullptr;
  QSlider* m_opacity = nullptr;

  QFormLayout* m_form = nullptr;
  QDoubleSpinBox* m_strength = nullptr;
  QCheckBox* m_pictureSize = nullptr;
  QComboBox* m_resizeMode = nullptr;
  QCheckBox* m_fixedSteps = nullptr;
  QGroupBox* m_maskBox = nullptr;
  QFormLayout* m_maskForm = nullptr;
  QSpinBox* m_maskBlur = nullptr;
  QCheckBox* m_invertMask = nullptr;
  QComboBox* m_inpaintArea = nullptr;
  QSpinBox* m_padding = nullptr;
  QComboBox* m_maskedContent = nullptr;
  QGroupBox* m_outpaintBox = nullptr;
  QFormLayout* m_outpaintForm = nullptr;
  QSpinBox* m_margins[4] = {};  ///< left, top, right, bottom
  QComboBox* m_outpaintFill = nullptr;
  QSpinBox* m_feather = nullptr;
};

}  // namespace lienzo::ui
