// The LoRA and embedding browser: the library's LoRAs and embeddings as cards (preview
// thumbnail or a placeholder, name, family badge), a filter box, and for a LoRA the prompt uses
// two strength sliders (text encoder, model; ComfyUI-style) that edit its tag in place.
//
// Contract: UI thread. It edits the prompt box it is attached to through the torch-free tag
// helpers (core/adapters/prompt_networks.h), as one undoable edit: a click on a LoRA inserts
// `<lora:name:1>` (or selects it when the prompt has it), a click on an embedding inserts its
// name at the cursor. Files of another family than the current model are dimmed (with a
// tooltip); pickles and unreadable files are listed as not loadable and do nothing.
// Child widgets carry object names ("networkFilter", "loraList", "embeddingList",
// "textStrength", "unetStrength") for tests and accessibility.
#pragma once

#include <QWidget>

#include <memory>

#include "core/io/checkpoint_family.h"
#include "ui/libraryscanner.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QSlider;
class QTabWidget;

namespace lienzo::ui {

class NetworkBrowser : public QWidget {
  Q_OBJECT

 public:
  explicit NetworkBrowser(QWidget* parent = nullptr);

  void setLibrary(std::shared_ptr<const LibrarySnapshot> snapshot);
  /// The current model's family; LoRAs and embeddings of another family are dimmed.
  void setModelFamily(ModelFamily family);
  /// The prompt box to edit (not owned; must outlive the browser or be detached with nullptr).
  void setPromptEdit(QPlainTextEdit* prompt);

  /// What a click does (tests call these directly).
  void activateLora(const QString& name);
  void activateEmbedding(const QString& name);
  /// The LoRA the sliders edit ("" = none).
  QString selectedLora() const { return m_selected; }
  /// Both strengths of the selected LoRA's tag, from its sliders (steps of 0.05).
  void setStrengths(double textStrength, double unetStrength);

  /// How many items of `list` the filter leaves visible.
  static int visibleCount(const QListWidget* list);

  static QString familyBadge(ModelFamily family);

 private:
  void rebuild();
  void fill(QListWidget* list, ModelCategory category);
  void applyFilter();
  void syncSliders();
  void onSliderMoved();
  void updateLabels();
  static double sliderStrength(const QSlider* slider);
  void replacePrompt(const QString& text, int cursorPosition);
  QIcon cardIcon(const LibraryEntry& entry, bool dimmed) const;

  std::shared_ptr<const LibrarySnapshot> m_snapshot;
  ModelFamily m_family = ModelFamily::Unknown;
  QPlainTextEdit* m_prompt = nullptr;
  QString m_selected;
  bool m_syncing = false;

  QLineEdit* m_filter;
  QTabWidget* m_tabs;
  QListWidget* m_loras;
  QListWidget* m_embeddings;
  QWidget* m_strengthBox;
  QLabel* m_strengthTitle;
  QSlider* m_text;
  QSlider* m_unet;
  QLabel* m_textValue;
  QLabel* m_unetValue;
};

}  // namespace lienzo::ui
