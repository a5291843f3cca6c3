#include "ui/jobqueue.h"

namespace lienzo::ui {

namespace {
bool isFinished(JobStatus status) {
  return status == JobStatus::Completed || status == JobStatus::Failed ||
         status == JobStatus::Cancelled;
}
}  // namespace

JobQueue::JobQueue(QObject* parent) : QAbstractListModel(parent) {
  qRegisterMetaType<lienzo::ui::JobStatus>();
}

quint64 JobQueue::add(const JobRequest& request) {
  Job job;
  job.id = m_nextId++;
  job.request = request;
  job.totalSteps = request.params.steps;
  const int row = static_cast<int>(m_jobs.size());
  beginInsertRows({}, row, row);
  m_jobs.push_back(std::move(job));
  endInsertRows();
  return m_jobs.back().id;
}

const Job* JobQueue::job(quint64 id) const {
  const int row = rowOf(id);
  return row < 0 ? nullptr : &m_jobs[static_cast<size_t>(row)];
}

std::optional<quint64> JobQueue::nextQueued() const {
  for (const Job& job : m_jobs) {
    if (job.status == JobStatus::Queued) return job.id;
  }
  return std::nullopt;
}

bool JobQueue::remove(quint64 id) {
  const int row = rowOf(id);
  if (row < 0 || m_jobs[static_cast<size_t>(row)].status != JobStatus::Queued) return false;
  beginRemoveRows({}, row, row);
  m_jobs.erase(m_jobs.begin() + row);
  endRemoveRows();
  return true;
}

void JobQueue::setStatus(quint64 id, JobStatus status, const QString& message) {
  const int row = rowOf(id);
  if (row < 0) return;
  Job& job = m_jobs[static_cast<size_t>(row)];
  if (job.status == status && job.message == message) return;
  job.status = status;
  job.message = message;
  rowChanged(row);
  emit statusChanged(id, status);
  if (isFinished(status)) trimFinished();
}

void JobQueue::setProgress(quint64 id, int imageIndex, int step, int totalSteps) {
  const int row = rowOf(id);
  if (row < 0) return;
  Job& job = m_jobs[static_cast<size_t>(row)];
  job.imageIndex = imageIndex;
  job.step = step;
  job.totalSteps = totalSteps;
  rowChanged(row);
}

void JobQueue::addImageDone(quint64 id) {
  const int row = rowOf(id);
  if (row < 0) return;
  ++m_jobs[static_cast<size_t>(row)].imagesDone;
  rowChanged(row);
}

int JobQueue::cancelQueued(const QString& message) {
  std::vector<quint64> ids;
  for (const Job& job : m_jobs) {
    if (job.status == JobStatus::Queued) ids.push_back(job.id);
  }
  for (quint64 id : ids) setStatus(id, JobStatus::Cancelled, message);
  return static_cast<int>(ids.size());
}

int JobQueue::count(JobStatus status) const {
  int n = 0;
  for (const Job& job : m_jobs) n += job.status == status ? 1 : 0;
  return n;
}

void JobQueue::clearFinished() {
  for (int row = static_cast<int>(m_jobs.size()) - 1; row >= 0; --row) {
    if (!isFinished(m_jobs[static_cast<size_t>(row)].status)) continue;
    beginRemoveRows({}, row, row);
    m_jobs.erase(m_jobs.begin() + row);
    endRemoveRows();
  }
}

void JobQueue::trimFinished() {
  int finished = 0;
  for (const Job& job : m_jobs) finished += isFinished(job.status) ? 1 : 0;
  for (int row = 0; finished > kMaxFinished && row < static_cast<int>(m_jobs.size());) {
    if (isFinished(m_jobs[static_cast<size_t>(row)].status)) {
      beginRemoveRows({}, row, row);
      m_jobs.erase(m_jobs.begin() + row);
      endRemoveRows();
      --finished;
    } else {
      ++row;
    }
  }
}

QString JobQueue::statusName(JobStatus status) {
  switch (status) {
    case JobStatus::Queued:
      return tr("Queued");
    case JobStatus::Running:
      return tr("Running");
    case JobStatus::Completed:
      return tr("Completed");
    case JobStatus::Failed:
      return tr("Failed");
    case JobStatus::Cancelled:
      return tr("Cancelled");
  }
  return {};
}

int JobQueue::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

QVariant JobQueue::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Job& job = m_jobs[static_cast<size_t>(index.row())];
  const QString prompt = QString::fromStdString(job.request.params.prompt).simplified();
  switch (role) {
    case Qt::DisplayRole: {
      QString shortPrompt = prompt.isEmpty() ? tr("(empty prompt)") : prompt;
      if (shortPrompt.size() > 48) shortPrompt = shortPrompt.left(47) + QChar(0x2026);
      QString line = tr("#%1 %2 — %3").arg(job.id).arg(statusName(job.status), shortPrompt);
      if (job.status == JobStatus::Running && job.totalSteps > 0) {
        line += QLatin1Char(' ') + tr("(image %1/%2, step %3/%4)")
                                       .arg(job.imageIndex + 1)
                                       .arg(job.request.params.batchSize)
                                       .arg(job.step + 1)
                                       .arg(job.totalSteps);
      }
      return line;
    }
    case Qt::ToolTipRole:
      return job.message.isEmpty() ? prompt : job.message;
    case IdRole:
      return job.id;
    case StatusRole:
      return static_cast<int>(job.status);
    case PromptRole:
      return prompt;
    case MessageRole:
      return job.message;
    default:
      return {};
  }
}

int JobQueue::rowOf(quint64 id) const {
  for (size_t i = 0; i < m_jobs.size(); ++i) {
    if (m_jobs[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

void JobQueue::rowChanged(int row) {
  const QModelIndex idx = index(row);
  emit dataChanged(idx, idx);
}

}  // namespace lienzo::ui
