// The generation controls: prompt and negative prompt (with recent-prompt history), model,
// sampler, schedule, steps, CFG scale, size (multiples of 8, presets) with the hires fix
// (HiresPanel), seed (random / reuse last), batch count, device and precision, and the Generate /
// Cancel buttons.
//
// Contract: UI thread. params() maps the controls to GenerationParams; setParams() puts values
// back (restore parameters) and reports what it could not match. Values persist in QSettings
// ("generation/…") through loadSettings()/saveSettings(). Child widgets carry object names
// ("prompt", "steps", "sampler", …) for tests and accessibility.
#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

#include "core/pipeline/pipeline.h"
#include "ui/generationbackend.h"
#include "ui/modelcatalog.h"
#include "ui/prompthistory.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace lienzo::ui {

class HiresPanel;

class PromptPanel : public QWidget {
  Q_OBJECT

 public:
  PromptPanel(const GenerationBackend& backend, QWidget* parent = nullptr);

  /// The controls as a request (seed −1 = random; width/height rounded to multiples of 8).
  GenerationParams params() const;
  /// Sets every control from `params`. Returns user-readable notes about values that did not
  /// fit (unknown sampler or schedule, size out of range); those controls keep their value.
  QStringList setParams(const GenerationParams& params);
  /// Puts the size, steps, CFG scale and sampler a model wants into the controls (a sampler the
  /// picker does not offer is left as it is).
  void applyModelDefaults(const ModelDescription& model);

  QString modelPath() const;
  QString modelName() const;
  /// Selects the model whose name (file stem), path or hash prefix matches; false if none does.
  bool selectModel(const QString& nameOrPath);
  ModelCatalog& models() { return m_catalog; }
  /// The family of the selected model (Unknown when the library has not scanned it).
  ModelFamily modelFamily() const;
  /// Lists the library's checkpoints in the picker (grouped by family), keeping the selection;
  /// a model remembered from the last run that only the library knows is selected once it
  /// arrives.
  void setLibrary(const ModelLibrary& library);
  /// Puts `section` (the ControlNet slots) between the prompts and the settings.
  void addSection(QWidget* section);
  /// The prompt box (the network browser and the completer edit it).
  QPlainTextEdit* promptEdit() const { return m_prompt; }
  /// Adds a model file or folder to the picker and selects the first new model.
  void addModelSource(const QString& path);

  /// The seed the last image used (for "reuse last").
  void setLastSeed(qint64 seed);
  /// Remembers the current prompt in the history.
  void rememberPrompt();
  void setBusy(bool busy);
  void focusPrompt();

  void loadSettings();
  void saveSettings() const;

 signals:
  void generateRequested();
  void cancelRequested(lienzo::CancelMode mode);
  void modelChanged(const QString& path);
  /// The user chose a model (picker or "Add model…"), as opposed to a restore or a rebuild.
  void modelPicked(const QString& path);

 private:
  QWidget* buildPromptSection();
  QWidget* buildSettingsSection();
  void rebuildModelList(const QString& select);
  void showHistoryMenu();
  void addModelWithDialog(bool folder);
  static int roundTo8(int value);

  ModelCatalog m_catalog;
  PromptHistory m_history;
  qint64 m_lastSeed = -1;
  QString m_pendingModel;  ///< remembered model not listed yet (the library scan is running)

  QPlainTextEdit* m_prompt = nullptr;
  QPlainTextEdit* m_negative = nullptr;
  QToolButton* m_historyButton = nullptr;
  QComboBox* m_model = nullptr;
  QToolButton* m_addModel = nullptr;
  QComboBox* m_sampler = nullptr;
  QComboBox* m_schedule = nullptr;
  QSpinBox* m_steps = nullptr;
  QDoubleSpinBox* m_cfg = nullptr;
  /// Flux dev's distilled guidance: its row is shown only for models that take it
  /// (ModelDescription::defaultGuidance).
  QDoubleSpinBox* m_guidance = nullptr;
  bool m_takesGuidance = false;
  QFormLayout* m_settingsForm = nullptr;
  QSpinBox* m_width = nullptr;
  QSpinBox* m_height = nullptr;
  QComboBox* m_sizePreset = nullptr;
  HiresPanel* m_hires = nullptr;  ///< beside the size
  QLineEdit* m_seed = nullptr;
  QToolButton* m_dice = nullptr;
  QToolButton* m_reuse = nullptr;
  QSpinBox* m_batch = nullptr;
  QComboBox* m_device = nullptr;
  QComboBox* m_precision = nullptr;
  QPushButton* m_generate = nullptr;
  QToolButton* m_cancel = nullptr;
};

}  // namespace lienzo::ui
