// The "Edit" page of the studio: a picture opened for editing (File ▸ Open picture for editing, a
// drop on the page, "Edit" on a gallery item, "Send to edit" from a result), its mask
// (MaskDocument) on the EditCanvas, the EditPanel's settings, the shortcuts (B brush, E eraser,
// X swap, [ ] brush size, Ctrl+Z / Ctrl+Shift+Z per stroke), and the live composite of a running
// edit job.
//
// Contract
// - UI thread. The session's picture is never modified: an edit job gets deep copies of the
//   picture and the mask (applyTo()), so cancelling, failing or finishing a job leaves the
//   session and the gallery's sources as they were.
// - applyTo() returns false (and `error`) when there is no picture to edit.
// - Live display: beginJob() (right after queuing) remembers the picture, mask and margins a job
//   was made from; showStep()/showResult() draw the composite only while that picture is still
//   the one on the canvas, and ignore jobs that are not edits of it.
// - A stroke or a margin change drops the live composite (the canvas shows picture and mask
//   again); nothing a job reports ever changes the picture, the mask or the undo history.
#pragma once

#include <QHash>
#include <QImage>
#include <QString>
#include <QWidget>

#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

class EditCanvas;
class EditPanel;
class MaskDocument;
struct JobRequest;

class EditSession : public QWidget {
  Q_OBJECT

 public:
  explicit EditSession(QWidget* parent = nullptr);

  /// Opens `picture` for editing (alpha flattened on white): empty mask, no margins, new undo
  /// history. `name` is where it came from (shown, and kept with the results). A picture larger
  /// than the core takes (kMaxCanvasSide) is refused with errorOccurred(); the page keeps what
  /// it had.
  void openPicture(const QImage& picture, const QString& name);
  /// Loads an image file; false (and errorOccurred) when it cannot be read.
  bool openFile(const QString& path);
  /// Reopens what a gallery result was made from: its source, mask and `settings`. False when
  /// the image has no stored source.
  bool restoreFrom(const QString& resultPath, const EditParams& settings);
  bool hasPicture() const;
  QImage picture() const { return m_picture; }
  QString pictureName() const { return m_name; }

  /// Makes `request` an edit of the current picture: copies of the picture and the mask (left
  /// out when nothing or everything is painted), the margins and settings; the size is the
  /// picture's (plus margins) when the panel says so.
  bool applyTo(JobRequest& request, QString* error = nullptr) const;

  void beginJob(quint64 jobId);
  void showStep(quint64 jobId, const QImage& preview);
  void showResult(quint64 jobId, const QImage& result);
  void endJob(quint64 jobId);

  EditCanvas* canvas() const { return m_canvas; }
  EditPanel* panel() const { return m_panel; }
  MaskDocument* mask() const { return m_mask; }

 signals:
  void errorOccurred(const QString& message);
  /// A picture was opened (the window shows this page).
  void pictureOpened();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  void buildShortcuts();
  void openWithDialog();

  MaskDocument* m_mask;
  EditCanvas* m_canvas;
  EditPanel* m_panel;
  QWidget* m_panelColumn = nullptr;  ///< the panel's scroll area, as wide as the panel needs
  QImage m_picture;                  ///< RGB888, never modified
  QString m_name;
  int m_serial = 0;  ///< bumped by every openPicture()
  /// What a queued edit job was made from, for its live composite: picture, mask and margins at
  /// display resolution (at most kLiveSide a side), so a step costs the same for any picture.
  static constexpr int kLiveSide = 1024;
  struct LiveJob {
    int serial = -1;
    QImage picture;
    QImage mask;
    QMargins margins;
  };
  QHash<quint64, LiveJob> m_jobs;
};

}  // namespace lienzo::ui
