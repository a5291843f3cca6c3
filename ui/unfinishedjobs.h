// The jobs an earlier session left unfinished (a crash, a kill -9, a power cut, or quitting with
// jobs queued), read from the QueueJournal when the studio starts and offered to the user: resume
// runs what is left of each (nothing already saved is made again), discard forgets them
// (docs/reliability.md, "Crash-safe queue").
//
// Contract: UI thread only. The constructor attaches the journal to the controller (every job
// queued from then on is journaled) after reading what the earlier session left, so jobs of this
// session are never offered. Unreadable journal entries are forgotten and reported by resume().
// Nothing here throws.
#pragma once

#include <QAction>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <memory>

#include "ui/queuejournal.h"

namespace lienzo::ui {

class GenerationController;

class UnfinishedJobs : public QObject {
  Q_OBJECT

 public:
  UnfinishedJobs(GenerationController* controller, const QString& journalFolder,
                 QObject* parent = nullptr);
  ~UnfinishedJobs() override;

  /// How many jobs the earlier session left (0 once resumed or discarded).
  int count() const { return static_cast<int>(m_left.size()); }
  /// "Resume unfinished jobs (N)" / "Discard unfinished jobs": enabled while count() > 0.
  QAction* resumeAction() const { return m_resume; }
  QAction* discardAction() const { return m_discard; }

  /// Queues what is left of every unfinished job, each first given to `prepare` (the studio puts
  /// in its current library folders and preview settings, which are not the job's). Returns how
  /// many jobs were queued; `problems` gets one sentence per journal entry that could not be read
  /// (forgotten).
  int resume(const std::function<void(GenerationParams&)>& prepare,
             QStringList* problems = nullptr);
  /// Forgets the unfinished jobs.
  void discard();

 signals:
  /// The user chose Resume: the studio calls resume() with its folders.
  void resumeRequested();

 private:
  void updateActions();

  QPointer<GenerationController> m_controller;  ///< may be destroyed before this object
  std::unique_ptr<QueueJournal> m_journal;
  QList<QueueJournal::Entry> m_left;
  QAction* m_resume;
  QAction* m_discard;
};

}  // namespace lienzo::ui
