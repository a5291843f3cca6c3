// The generation queue: every request the user made, with an explicit status (DESIGN.md §3).
//
// Contract
// - A list model (one row per job, oldest first) for the queue panel; owned and used on the UI
//   thread only. The controller changes statuses; the user may remove jobs that are still Queued.
// - Status moves Queued -> Running -> Completed | Failed | Cancelled, or Queued -> Cancelled.
//   Finished jobs stay listed (newest kMaxFinished) until clearFinished().
#pragma once

#include <QAbstractListModel>
#include <QMetaType>
#include <QString>

#include <optional>
#include <vector>

#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

enum class JobStatus { Queued, Running, Completed, Failed, Cancelled };

/// What one job asks for.
struct JobRequest {
  GenerationParams params;
  QString modelPath;   ///< checkpoint file or folder
  QString modelName;   ///< shown in the queue and written as "Model" when the core gives none
  QString galleryDir;  ///< finished images are saved here; empty = not saved
  /// An edit (params.edit.active()): where its picture came from, saved with the result's
  /// source copy for the gallery's "from" link. The job carries its own copy of the picture and
  /// mask in params.edit, so later changes on the canvas never reach it.
  QString sourceName;
  /// The job's id in the QueueJournal (empty when not journaled); written with the image index
  /// into every picture the job saves, so that a resumed job skips what was saved.
  QString journalId;
  int imageIndexOffset = 0;  ///< a resumed batch: index of its first image in the whole batch
};

struct Job {
  quint64 id = 0;
  JobRequest request;
  JobStatus status = JobStatus::Queued;
  QString message;  ///< why it failed or was cancelled
  int imageIndex = 0;
  int step = 0;
  int totalSteps = 0;
  int imagesDone = 0;
};

class JobQueue : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role { IdRole = Qt::UserRole + 1, StatusRole, PromptRole, MessageRole };
  static constexpr int kMaxFinished = 100;

  explicit JobQueue(QObject* parent = nullptr);

  /// Appends a Queued job and returns its id (ids start at 1 and are never reused).
  quint64 add(const JobRequest& request);
  /// nullptr when no such job is listed.
  const Job* job(quint64 id) const;
  /// The oldest Queued job.
  std::optional<quint64> nextQueued() const;
  /// Removes a Queued job; false (and nothing changes) for any other status or unknown id.
  bool remove(quint64 id);
  void setStatus(quint64 id, JobStatus status, const QString& message = {});
  void setProgress(quint64 id, int imageIndex, int step, int totalSteps);
  void addImageDone(quint64 id);
  /// Marks every Queued job Cancelled; returns how many.
  int cancelQueued(const QString& message);
  int count(JobStatus status) const;
  /// Drops Completed, Failed and Cancelled jobs.
  void clearFinished();

  static QString statusName(JobStatus status);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 signals:
  void statusChanged(quint64 id, lienzo::ui::JobStatus status);

 private:
  int rowOf(quint64 id) const;
  void rowChanged(int row);
  void trimFinished();

  std::vector<Job> m_jobs;
  quint64 m_nextId = 1;
};

}  // namespace lienzo::ui

Q_DECLARE_METATYPE(lienzo::ui::JobStatus)
