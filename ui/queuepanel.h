// The job queue as a list: status of every job, remove the ones still queued, clear the
// finished. UI thread only.
#pragma once

#include <QWidget>

class QListView;
class QPushButton;

namespace lienzo::ui {

class GenerationController;

class QueuePanel : public QWidget {
  Q_OBJECT

 public:
  explicit QueuePanel(GenerationController* controller, QWidget* parent = nullptr);

  /// Removes the selected jobs that have not started.
  void removeSelected();

 private:
  void updateButtons();

  GenerationController* m_controller;
  QListView* m_list;
  QPushButton* m_remove;
  QPushButton* m_clear;
};

}  // namespace lienzo::ui
