#include "ui/unfinishedjobs.h"

#include "ui/generationcontroller.h"

namespace lienzo::ui {

UnfinishedJobs::UnfinishedJobs(GenerationController* controller, const QString& journalFolder,
                               QObject* parent)
    : QObject(parent),
      m_controller(controller),
      m_journal(std::make_unique<QueueJournal>(journalFolder)),
      m_resume(new QAction(this)),
      m_discard(new QAction(tr("&Discard unfinished jobs"), this)) {
  m_left = m_journal->pending();  // before this session queues anything
  m_controller->setJournal(m_journal.get());
  m_resume->setToolTip(tr("Runs what is left of the jobs the last session did not finish"));
  m_discard->setToolTip(tr("Forgets the jobs the last session did not finish"));
  connect(m_resume, &QAction::triggered, this, &UnfinishedJobs::resumeRequested);
  connect(m_discard, &QAction::triggered, this, &UnfinishedJobs::discard);
  updateActions();
}

UnfinishedJobs::~UnfinishedJobs() {
  // The controller may outlive this object: it must not use a journal that is gone.
  if (m_controller) m_controller->setJournal(nullptr);
}

int UnfinishedJobs::resume(const std::function<void(GenerationParams&)>& prepare,
                           QStringList* problems) {
  int queued = 0;
  for (const QueueJournal::Entry& entry : m_left) {
    if (!entry.problem.isEmpty()) {
      if (problems) *problems << tr("An unfinished job could not be read (%1).").arg(entry.problem);
      m_journal->remove(entry.id);
      continue;
    }
    std::optional<JobRequest> left = QueueJournal::remainder(entry);
    if (!left) {  // every picture was saved before the session ended
      m_journal->remove(entry.id);
      continue;
    }
    if (prepare) prepare(left->params);
    if (m_controller && m_controller->enqueue(*left) != 0) ++queued;
  }
  m_left.clear();
  updateActions();
  return queued;
}

void UnfinishedJobs::discard() {
  for (const QueueJournal::Entry& entry : m_left) m_journal->remove(entry.id);
  m_left.clear();
  updateActions();
}

void UnfinishedJobs::updateActions() {
  const int n = count();
  m_resume->setText(n > 0 ? tr("&Resume unfinished jobs (%1)").arg(n)
                          : tr("&Resume unfinished jobs"));
  m_resume->setEnabled(n > 0);
  m_discard->setEnabled(n > 0);
}

}  // namespace lienzo::ui
