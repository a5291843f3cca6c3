// The queue's journal: every job that has not ended, on disk, so that a crash, a kill -9 or a
// power cut loses no queued work (docs/reliability.md, "Crash-safe queue").
//
// Layout of the journal folder (<app data>/queue by default), one folder per job:
//   <id>/job.json   {"version": 1, "created": ISO time, "infotext": the request as A1111 text
//                    (core/pipeline/params_infotext.h), what the text does not carry ("batch",
//                    "device", "dtype", "previews", "adapters") and the job's "model",
//                    "modelName", "gallery", "sourceName"}
//   <id>/init.png   an edit's picture, lossless (absent for txt2img)
//   <id>/mask.png   its mask (8-bit grey), when it has one
//   <id>/control<i>.png  the picture of ControlNet unit i, when it has its own
// Library folders (LoRA, embeddings, ControlNets, …) are the studio's settings, not the job's: a
// resumed request has none, and the resumer gives it the current ones.
// A job folder is written complete under a hidden temporary name and renamed into place, so a
// listed job is always whole; remove() renames it away before deleting it. Ids are UUIDs.
//
// Resuming without duplicates: the worker writes "<id>:<image index>" into every picture it saves
// (GalleryStore::kJobChunk). remainder() reads the gallery's pictures made since
// the job was journaled and returns the request with its seed and batch advanced past the images
// already saved (images of a batch are made in order), or nothing when all of them were.
//
// Threads: an instance belongs to one thread (the UI thread); remainder() is static and reentrant.
// Failure: add() returns an empty id and `error`; pending() lists unreadable jobs with `problem`
// set instead of throwing; nothing here throws.
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

#include "ui/jobqueue.h"

namespace lienzo::ui {

class QueueJournal {
 public:
  explicit QueueJournal(const QString& folder);
  /// <app data>/queue.
  static QString defaultFolder();
  QString folder() const { return m_folder; }

  /// Persists `request` (atomically) and returns its id; an empty id and `error` when the folder
  /// cannot be written. A negative seed must have been resolved before (the journal keeps the
  /// seed, so that a resumed job draws the same pictures).
  QString add(const JobRequest& request, QString* error = nullptr);
  /// Forgets a job (ended: completed, failed or cancelled). False when it was not there.
  bool remove(const QString& id);

  struct Entry {
    QString id;
    QDateTime created;
    JobRequest request;  ///< request.journalId == id
    QString problem;     ///< why the job could not be read (the request is then empty)
  };
  /// The journaled jobs, oldest first.
  QList<Entry> pending() const;

  /// What is left of `entry`: the request with seed and batch advanced past the pictures of this
  /// job already in its gallery; nullopt when every picture was saved.
  static std::optional<JobRequest> remainder(const Entry& entry);

 private:
  QString m_folder;
};

}  // namespace lienzo::ui
