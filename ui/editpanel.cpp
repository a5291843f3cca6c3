#include "ui/editpanel.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

#include "core/pipeline/edit_validation.h"
#include "ui/editcanvas.h"
#include "ui/maskdocument.h"

namespace lienzo::ui {

namespace {

/// Tooltip, accessible name and object name in one place.
template <typename W>
W* describe(W* widget, const char* name, const QString& accessible, const QString& tip) {
  widget->setObjectName(QString::fromLatin1(name));
  widget->setAccessibleName(accessible);
  widget->setToolTip(tip);
  return widget;
}

QSpinBox* spin(QWidget* parent, int min, int max, int step, const QString& suffix) {
  auto* s = new QSpinBox(parent);
  s->setRange(min, max);
  s->setSingleStep(step);
  s->setSuffix(suffix);
  return s;
}

}  // namespace

EditPanel::EditPanel(EditCanvas* canvas, MaskDocument* mask, QWidget* parent)
    : QWidget(parent), m_canvas(canvas), m_mask(mask) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(buildBrushBox());
  layout->addWidget(buildSettingsBox());
  layout->addWidget(m_maskBox);
  layout->addWidget(m_outpaintBox);
  layout->addStretch(1);

  connect(m_canvas, &EditCanvas::toolChanged, this, &EditPanel::syncFromCanvas);
  connect(m_canvas, &EditCanvas::brushChanged, this, &EditPanel::syncFromCanvas);
  connect(m_canvas, &EditCanvas::marginsChanged, this, [this](const QMargins& m) {
    const int values[4] = {m.left(), m.top(), m.right(), m.bottom()};
    for (int i = 0; i < 4; ++i) {
      const QSignalBlocker block(m_margins[i]);
      m_margins[i]->setValue(values[i]);
    }
    updateVisibility();
  });
  // The mask settings appear with the first stroke and go with "Clear"; checked when a stroke
  // ends (not on every dab).
  connect(m_mask->undoStack(), &QUndoStack::indexChanged, this, &EditPanel::updateVisibility);
  syncFromCanvas();
  updateVisibility();
}

QWidget* EditPanel::buildBrushBox() {
  auto* box = new QGroupBox(tr("Mask brush"), this);
  auto* grid = new QGridLayout(box);
  auto tool = [box](const char* name, const QString& text, const QString& tip) {
    auto* b = describe(new QToolButton(box), name, text, tip);
    b->setText(text);
    b->setCheckable(true);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
  };
  m_brushTool = tool("brushTool", tr("Brush"), tr("Paint the area to redraw (B)"));
  m_eraserTool = tool("eraserTool", tr("Eraser"), tr("Erase from the mask (E; X swaps)"));
  m_outpaintTool = tool("outpaintTool", tr("Extend"),
                        tr("Drag the canvas edges outwards to outpaint (multiples of 8 px)"));
  auto* group = new QButtonGroup(box);
  group->setExclusive(true);
  for (QToolButton* b : {m_brushTool, m_eraserTool, m_outpaintTool}) group->addButton(b);
  auto* tools = new QHBoxLayout;
  for (QToolButton* b : {m_brushTool, m_eraserTool, m_outpaintTool}) tools->addWidget(b);
  tools->addStretch(1);
  grid->addLayout(tools, 0, 0, 1, 2);
  connect(m_brushTool, &QToolButton::clicked, this,
          [this] { m_canvas->setTool(EditCanvas::Tool::Brush); });
  connect(m_eraserTool, &QToolButton::clicked, this,
          [this] { m_canvas->setTool(EditCanvas::Tool::Eraser); });
  connect(m_outpaintTool, &QToolButton::clicked, this,
          [this] { m_canvas->setTool(EditCanvas::Tool::Outpaint); });

  m_brushSize = describe(spin(box, 1, 1024, 2, tr(" px")), "brushSize", tr("Brush size"),
                         tr("Brush radius in picture pixels ([ smaller, ] larger)"));
  m_hardness = describe(spin(box, 0, 100, 5, tr(" %")), "brushHardness", tr("Brush hardness"),
                        tr("100 %: a hard edge; lower values fade the edge out"));
  m_opacity =
      describe(new QSlider(Qt::Horizontal, box), "overlayOpacity", tr("Mask overlay opacity"),
               tr("How strongly the mask is tinted over the picture (display only)"));
  m_opacity->setRange(0, 100);
  int row = 1;
  for (auto [label, w] : {std::pair<QString, QWidget*>{tr("Size"), m_brushSize},
                          {tr("Hardness"), m_hardness},
                          {tr("Overlay"), m_opacity}}) {
    auto* l = new QLabel(label, box);
    l->setBuddy(w);
    grid->addWidget(l, row, 0);
    grid->addWidget(w, row++, 1);
  }
  connect(m_brushSize, &QSpinBox::valueChanged, this,
          [this](int v) { m_canvas->setBrushRadius(v); });
  connect(m_hardness, &QSpinBox::valueChanged, this,
          [this](int v) { m_canvas->setHardness(v / 100.0); });
  connect(m_opacity, &QSlider::valueChanged, this,
          [this](int v) { m_canvas->setOverlayOpacity(v / 100.0); });

  auto button = [box](const char* name, const QString& text, const QString& tip) {
    auto* b = describe(new QPushButton(text, box), name, text, tip);
    b->setAutoDefault(false);
    return b;
  };
  auto* invert = button("invertMask", tr("Invert"), tr("Swap painted and unpainted areas"));
  auto* clear = button("clearMask", tr("Clear"), tr("Remove the whole mask"));
  auto* fill = button("fillMask", tr("Fill all"), tr("Mask the whole picture (redraw all of it)"));
  auto* undo = button("undoMask", tr("Undo"), tr("Undo the last stroke (Ctrl+Z)"));
  auto* redo = button("redoMask", tr("Redo"), tr("Redo the stroke (Ctrl+Shift+Z)"));
  auto* buttons = new QGridLayout;
  buttons->addWidget(invert, 0, 0);
  buttons->addWidget(clear, 0, 1);
  buttons->addWidget(fill, 0, 2);
  buttons->addWidget(undo, 1, 0);
  buttons->addWidget(redo, 1, 1);
  grid->addLayout(buttons, row, 0, 1, 2);
  connect(invert, &QPushButton::clicked, m_mask, &MaskDocument::invert);
  connect(clear, &QPushButton::clicked, m_mask, &MaskDocument::clear);
  connect(fill, &QPushButton::clicked, m_mask, &MaskDocument::fill);
  connect(undo, &QPushButton::clicked, m_mask->undoStack(), &QUndoStack::undo);
  connect(redo, &QPushButton::clicked, m_mask->undoStack(), &QUndoStack::redo);
  connect(m_mask->undoStack(), &QUndoStack::canUndoChanged, undo, &QPushButton::setEnabled);
  connect(m_mask->undoStack(), &QUndoStack::canRedoChanged, redo, &QPushButton::setEnabled);
  undo->setEnabled(false);
  redo->setEnabled(false);
  return box;
}

QWidget* EditPanel::buildSettingsBox() {
  auto* box = new QGroupBox(tr("Redraw"), this);
  auto* column = new QVBoxLayout(box);
  m_form = new QFormLayout;
  m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  m_form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  column->addLayout(m_form);

  m_strength = describe(new QDoubleSpinBox(box), "editStrength", tr("Denoising strength"),
                        tr("How much of the picture is redrawn: 0 keeps it, 1 replaces it"));
  m_strength->setRange(0.0, 1.0);
  m_strength->setSingleStep(0.05);
  m_strength->setDecimals(2);
  m_strength->setValue(0.75);
  m_form->addRow(tr("&Strength"), m_strength);

  m_pictureSize = describe(new QCheckBox(tr("At the picture's size"), box), "editPictureSize",
                           tr("Output at the picture's size"),
                           tr("Generate at the picture's size (plus margins), rounded to 8 px; "
                              "off: at the size set in the left panel"));
  m_pictureSize->setChecked(true);
  m_form->addRow(tr("Output"), m_pictureSize);
  m_resizeMode = describe(new QComboBox(box), "editResizeMode", tr("Resize mode"),
                          tr("How the picture is fitted to a different output size"));
  m_resizeMode->addItem(tr("Just resize"), static_cast<int>(ResizeMode::Just));
  m_resizeMode->addItem(tr("Crop and resize"), static_cast<int>(ResizeMode::Crop));
  m_resizeMode->addItem(tr("Resize and fill"), static_cast<int>(ResizeMode::Fill));
  m_form->addRow(tr("&Resize mode"), m_resizeMode);
  m_fixedSteps = describe(new QCheckBox(tr("Run exactly the steps set"), box), "editFixedSteps",
                          tr("Fixed steps"),
                          tr("On: exactly Steps steps of a longer schedule (ComfyUI); off: "
                             "strength × Steps steps, as A1111 does"));
  m_form->addRow(tr("Steps"), m_fixedSteps);
  connect(m_pictureSize, &QCheckBox::toggled, this, &EditPanel::updateVisibility);

  m_maskBox = new QGroupBox(tr("Inpainting"), box);
  m_maskForm = new QFormLayout(m_maskBox);
  m_maskForm->setRowWrapPolicy(QFormLayout::WrapLongRows);
  m_maskBlur = describe(spin(m_maskBox, 0, kMaxMaskBlur, 1, tr(" px")), "editMaskBlur",
                        tr("Mask blur"), tr("Softens the mask's edge (Gaussian sigma in pixels)"));
  m_maskBlur->setValue(4);
  m_maskForm->addRow(tr("Mask &blur"), m_maskBlur);
  m_invertMask =
      describe(new QCheckBox(tr("Redraw what is not painted"), m_maskBox), "editInvertMask",
               tr("Inpaint not masked"), tr("Keep the painted area and redraw the rest"));
  m_maskForm->addRow(QString(), m_invertMask);
  m_inpaintArea = describe(new QComboBox(m_maskBox), "editInpaintArea", tr("Inpaint area"),
                           tr("Whole picture: redraw it all at the output size; only masked: "
                              "cut out the mask's box, redraw it at full size, paste it back"));
  m_inpaintArea->addItem(tr("Whole picture"), static_cast<int>(InpaintArea::WholePicture));
  m_inpaintArea->addItem(tr("Only masked"), static_cast<int>(InpaintArea::OnlyMasked));
  m_maskForm->addRow(tr("Inpaint &area"), m_inpaintArea);
  m_padding =
      describe(spin(m_maskBox, 0, 1024, 8, tr(" px")), "editPadding", tr("Only masked padding"),
               tr("Context around the mask's box that is cut out with it"));
  m_padding->setValue(32);
  m_maskForm->addRow(tr("&Padding"), m_padding);
  m_maskedContent = describe(new QComboBox(m_maskBox), "editMaskedContent", tr("Masked content"),
                             tr("What the masked area starts from before it is redrawn"));
  m_maskedContent->addItem(tr("Original"), static_cast<int>(MaskedContent::Original));
  m_maskedContent->addItem(tr("Fill"), static_cast<int>(MaskedContent::Fill));
  m_maskedContent->addItem(tr("Latent noise"), static_cast<int>(MaskedContent::LatentNoise));
  m_maskedContent->addItem(tr("Latent nothing"), static_cast<int>(MaskedContent::LatentNothing));
  m_maskForm->addRow(tr("Masked &content"), m_maskedContent);
  connect(m_inpaintArea, &QComboBox::currentIndexChanged, this, &EditPanel::updateVisibility);

  m_outpaintBox = new QGroupBox(tr("Outpainting"), box);
  m_outpaintForm = new QFormLayout(m_outpaintBox);
  m_outpaintForm->setRowWrapPolicy(QFormLayout::WrapLongRows);
  const char* names[4] = {"marginLeft", "marginTop", "marginRight", "marginBottom"};
  const QString labels[4] = {tr("Left"), tr("Top"), tr("Right"), tr("Bottom")};
  auto* marginGrid = new QGridLayout;
  for (int i = 0; i < 4; ++i) {
    m_margins[i] =
        describe(spin(m_outpaintBox, 0, EditCanvas::kMaxMargin, EditCanvas::kMarginStep, tr(" px")),
                 names[i], tr("%1 outpaint margin").arg(labels[i]),
                 tr("Pixels added on this side (a multiple of 8)"));
    m_margins[i]->setKeyboardTracking(false);
    auto* l = new QLabel(labels[i], m_outpaintBox);
    l->setBuddy(m_margins[i]);
    marginGrid->addWidget(l, i / 2, (i % 2) * 2);
    marginGrid->addWidget(m_margins[i], i / 2, (i % 2) * 2 + 1);
    connect(m_margins[i], &QSpinBox::valueChanged, this, [this] {
      m_canvas->setMargins(QMargins(m_margins[0]->value(), m_margins[1]->value(),
                                    m_margins[2]->value(), m_margins[3]->value()));
    });
  }
  m_outpaintForm->addRow(marginGrid);
  m_outpaintFill = describe(new QComboBox(m_outpaintBox), "outpaintFill", tr("Outpaint fill"),
                            tr("What the new area starts from"));
  m_outpaintFill->addItem(tr("Stretch the edge"), static_cast<int>(OutpaintFill::EdgeStretch));
  m_outpaintFill->addItem(tr("Neutral grey"), static_cast<int>(OutpaintFill::Neutral));
  m_outpaintForm->addRow(tr("&Fill"), m_outpaintFill);
  m_feather = describe(spin(m_outpaintBox, 0, kMaxOutpaintFeather, 8, tr(" px")), "outpaintFeather",
                       tr("Outpaint feather"), tr("How far the new area blends into the picture"));
  m_feather->setValue(40);
  m_outpaintForm->addRow(tr("F&eather"), m_feather);
  return box;
}

void EditPanel::syncFromCanvas() {
  m_brushTool->setChecked(m_canvas->tool() == EditCanvas::Tool::Brush);
  m_eraserTool->setChecked(m_canvas->tool() == EditCanvas::Tool::Eraser);
  m_outpaintTool->setChecked(m_canvas->tool() == EditCanvas::Tool::Outpaint);
  const QSignalBlocker b1(m_brushSize), b2(m_hardness), b3(m_opacity);
  m_brushSize->setValue(static_cast<int>(std::lround(m_canvas->brushRadius())));
  m_hardness->setValue(static_cast<int>(std::lround(m_canvas->hardness() * 100)));
  m_opacity->setValue(static_cast<int>(std::lround(m_canvas->overlayOpacity() * 100)));
}

void EditPanel::updateVisibility() {
  const bool outpainting = !m_canvas->margins().isNull();
  const bool inpainting = outpainting || !m_mask->isEmpty();
  m_form->setRowVisible(m_resizeMode, !m_pictureSize->isChecked());
  m_maskBox->setVisible(inpainting);
  m_maskForm->setRowVisible(
      m_padding, m_inpaintArea->currentData().toInt() == static_cast<int>(InpaintArea::OnlyMasked));
  m_outpaintForm->setRowVisible(m_outpaintFill, outpainting);
  m_outpaintForm->setRowVisible(m_feather, outpainting);
}

int EditPanel::widestHint() {
  QWidget* optional[] = {m_maskBox, m_outpaintBox};
  for (QWidget* w : optional) w->setVisible(true);
  m_form->setRowVisible(m_resizeMode, true);
  m_maskForm->setRowVisible(m_padding, true);
  m_outpaintForm->setRowVisible(m_outpaintFill, true);
  m_outpaintForm->setRowVisible(m_feather, true);
  ensurePolished();
  layout()->activate();
  const int width = minimumSizeHint().width();
  updateVisibility();
  return width;
}

bool EditPanel::usePictureSize() const {
  return m_pictureSize->isChecked();
}

void EditPanel::setUsePictureSize(bool on) {
  m_pictureSize->setChecked(on);
}

void EditPanel::applyTo(EditParams& edit) const {
  edit.strength = m_strength->value();
  edit.resizeMode = static_cast<ResizeMode>(m_resizeMode->currentData().toInt());
  edit.fixedSteps = m_fixedSteps->isChecked();
  edit.maskBlur = m_maskBlur->value();
  edit.invertMask = m_invertMask->isChecked();
  edit.inpaintArea = static_cast<InpaintArea>(m_inpaintArea->currentData().toInt());
  edit.inpaintPadding = m_padding->value();
  edit.maskedContent = static_cast<MaskedContent>(m_maskedContent->currentData().toInt());
  edit.outpaintFill = static_cast<OutpaintFill>(m_outpaintFill->currentData().toInt());
  edit.outpaintFeather = m_feather->value();
}

void EditPanel::setSettings(const EditParams& edit) {
  auto select = [](QComboBox* box, int value) {
    const int i = box->findData(value);
    if (i >= 0) box->setCurrentIndex(i);
  };
  m_strength->setValue(edit.strength);
  select(m_resizeMode, static_cast<int>(edit.resizeMode));
  m_fixedSteps->setChecked(edit.fixedSteps);
  m_maskBlur->setValue(edit.maskBlur);
  m_invertMask->setChecked(edit.invertMask);
  select(m_inpaintArea, static_cast<int>(edit.inpaintArea));
  m_padding->setValue(edit.inpaintPadding);
  select(m_maskedContent, static_cast<int>(edit.maskedContent));
  select(m_outpaintFill, static_cast<int>(edit.outpaintFill));
  m_feather->setValue(edit.outpaintFeather);
  m_canvas->setMargins(
      QMargins(edit.outpaintLeft, edit.outpaintTop, edit.outpaintRight, edit.outpaintBottom));
  updateVisibility();
}

}  // namespace lienzo::ui
