// The prompt panel's ControlNet section: a header that folds it, one or more ControlSlots
// ("Add ControlNet", each slot's ✕), scrolled when they do not fit. Generate takes the checked
// slots (applyTo); restoring a picture replaces the slots by the units it carries, with the
// pictures saved beside it in the gallery (GalleryStore::loadControlPicture), and removes them
// all when it carries none.
//
// Contract: UI thread. applyTo() refuses (false and a message naming the slot) a checked slot
// without a model, with a model name that is neither in the library's ControlNets nor an
// existing file, or without a picture when the request has no edit picture either; nothing is
// queued then. Child widgets carry object names ("controlSection", "controlAdd", slots
// "controlSlot").
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

#include <vector>

#include "core/pipeline/pipeline.h"
#include "ui/controlslot.h"

class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace lienzo::ui {

class ControlPanel : public QWidget {
  Q_OBJECT

 public:
  ControlPanel(const ControlPictureSources& sources, QWidget* parent = nullptr);

  QList<ControlSlot*> controlSlots() const { return m_slots; }
  /// Adds an empty slot (and unfolds the section).
  ControlSlot* addSlot();
  void removeSlot(ControlSlot* slot);
  bool isExpanded() const;
  void setExpanded(bool on);

  /// ControlNet file stems of the library, offered by every slot's model picker.
  void setModels(const QStringList& names);

  /// The checked slots into params.controls (replacing what is there); see the contract.
  bool applyTo(GenerationParams& params, QString* error) const;
  /// Replaces the slots by `units`; a unit without a picture takes the one saved with the
  /// gallery picture `imagePath` (may be empty). Returns notes about what did not fit (an
  /// unknown preprocessor, a model the library does not know).
  QStringList restore(const std::vector<ControlUnit>& units, const QString& imagePath);

 signals:
  void errorOccurred(const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void fitBody();
  void updateHeader();
  void renumber();

  ControlPictureSources m_sources;
  QStringList m_models;
  QList<ControlSlot*> m_slots;
  QToolButton* m_header = nullptr;
  QScrollArea* m_scroll = nullptr;
  QWidget* m_body = nullptr;
  QVBoxLayout* m_slotLayout = nullptr;
};

}  // namespace lienzo::ui
