#include "ui/hirespanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/pipeline/edit_validation.h"

namespace lienzo::ui {

namespace {
template <typename W>
W* describe(W* widget, const char* name, const QString& accessible, const QString& tip) {
  widget->setObjectName(QString::fromLatin1(name));
  widget->setAccessibleName(accessible);
  widget->setToolTip(tip);
  return widget;
}
}  // namespace

HiresPanel::HiresPanel(QWidget* parent) : QWidget(parent) {
  m_enabled = describe(new QCheckBox(tr("Hires fix"), this), "hiresEnabled", tr("Hires fix"),
                       tr("Generate at this size, then redraw the result larger in a second pass"));
  m_options = new QWidget(this);
  auto* form = new QFormLayout(m_options);
  form->setContentsMargins(16, 0, 0, 0);
  m_scale = describe(new QDoubleSpinBox(m_options), "hiresScale", tr("Upscale by"),
                     tr("How much larger the second pass is"));
  m_scale->setRange(1.0, kMaxHiresScale);
  m_scale->setSingleStep(0.25);
  m_scale->setValue(2.0);
  form->addRow(tr("Upscale by"), m_scale);
  m_upscaler = describe(new QComboBox(m_options), "hiresUpscaler", tr("Upscaler"),
                        tr("How the first pass is enlarged before it is redrawn"));
  for (const std::string& name : hiresUpscalers()) {
    m_upscaler->addItem(QString::fromStdString(name));
  }
  form->addRow(tr("Upscaler"), m_upscaler);
  m_steps = describe(new QSpinBox(m_options), "hiresSteps", tr("Hires steps"),
                     tr("Steps of the second pass; 0 = as many as the first"));
  m_steps->setRange(0, kMaxHiresSteps);
  m_steps->setSpecialValueText(tr("same"));
  form->addRow(tr("Hires steps"), m_steps);
  m_denoise = describe(new QDoubleSpinBox(m_options), "hiresDenoise",
                       tr("Hires denoising strength"), tr("How much the second pass redraws"));
  m_denoise->setRange(0.0, 1.0);
  m_denoise->setSingleStep(0.05);
  m_denoise->setValue(0.7);
  form->addRow(tr("Denoising"), m_denoise);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_enabled);
  layout->addWidget(m_options);
  m_options->setVisible(false);
  connect(m_enabled, &QCheckBox::toggled, m_options, &QWidget::setVisible);
}

bool HiresPanel::isEnabled() const {
  return m_enabled->isChecked();
}

void HiresPanel::applyTo(HiresParams& hires) const {
  hires = HiresParams{};
  if (!m_enabled->isChecked()) return;
  hires.scale = m_scale->value();
  hires.upscaler = m_upscaler->currentText().toStdString();
  hires.steps = m_steps->value();
  hires.denoise = m_denoise->value();
}

void HiresPanel::setParams(const HiresParams& hires) {
  m_enabled->setChecked(hires.enabled());
  if (!hires.enabled()) return;
  if (hires.scale > 0) m_scale->setValue(hires.scale);
  const int i = m_upscaler->findText(QString::fromStdString(hires.upscaler));
  if (i >= 0) m_upscaler->setCurrentIndex(i);
  m_steps->setValue(hires.steps);
  m_denoise->setValue(hires.denoise);
}

}  // namespace lienzo::ui
