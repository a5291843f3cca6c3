// The studio window: prompt panel on the left; canvas + step timeline, the edit page
// (EditSession), compare and forward process as tabs in the middle; gallery and the LoRA /
// embedding browser as tabs on the right, job queue below them; an inline message bar and a status
// bar with step/total, it/s and ETA. The model library (LibraryScanner) is scanned at start-up and
// on "Rescan model library".
//
// Contract: UI thread. The window owns the GenerationController (worker thread); closing it
// cancels a running generation and waits for the worker (cancel -> quit -> wait). Settings are
// saved on close. Dropping an A1111 / ComfyUI / InvokeAI PNG restores what it carries.
#pragma once

#include <QMainWindow>
#include <QSize>

#include <memory>

#include "core/pipeline/params_infotext.h"
#include "ui/generationbackend.h"
#include "ui/generationworker.h"
#include "ui/progresstracker.h"

class QLabel;
class QProgressBar;
class QTabWidget;
class QAction;

namespace lienzo::ui {

class Canvas;
class CompareView;
class ControlPanel;
class EditSession;
class UnfinishedJobs;
class ForwardProcessController;
class ForwardProcessView;
class GalleryModel;
class GalleryView;
class GenerationController;
class LibraryScanner;
class MessageBar;
class NetworkBrowser;
class PromptCompleter;
class PromptPanel;
class QueuePanel;
class Timeline;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(std::shared_ptr<GenerationBackend> backend, QWidget* parent = nullptr);
  ~MainWindow() override;

  PromptPanel* promptPanel() const { return m_panel; }
  /// The prompt panel's ControlNet slots.
  ControlPanel* controlPanel() const { return m_controls; }
  Canvas* canvas() const { return m_canvas; }
  Timeline* timeline() const { return m_timeline; }
  GalleryModel* galleryModel() const { return m_galleryModel; }
  GalleryView* galleryView() const { return m_galleryView; }
  CompareView* compareView() const { return m_compare; }
  EditSession* editSession() const { return m_edit; }
  ForwardProcessView* forwardProcessView() const { return m_forward; }
  MessageBar* messageBar() const { return m_messages; }
  GenerationController* controller() const { return m_controller; }
  UnfinishedJobs* unfinishedJobs() const { return m_unfinished; }
  LibraryScanner* libraryScanner() const { return m_scanner; }
  NetworkBrowser* networkBrowser() const { return m_browser; }
  PromptCompleter* promptCompleter() const { return m_completer; }
  QTabWidget* tabs() const { return m_tabs; }
  /// The right column's tabs: gallery, LoRA & embeddings.
  QTabWidget* sideTabs() const { return m_sideTabs; }
  QString statusText() const;

  /// Queues the prompt panel's request; on the edit page, an edit of its picture (with copies of
  /// the picture and mask). Returns the job id, or 0 (with a message) when it cannot be queued.
  quint64 generate();
  void cancel(CancelMode mode);
  /// Puts the parameters an image carries into the controls; false (with a message) when it
  /// carries none.
  bool restoreParametersFrom(const QString& path);
  void showGalleryImage(const QString& path);
  /// Shows an image from anywhere (a drop, "Open with Lienzo") and restores the parameters it
  /// carries (A1111 / ComfyUI / InvokeAI metadata); errors go to the message bar.
  void openImage(const QString& path);
  void compareImages(const QString& pathA, const QString& pathB);
  /// An edit's result against its stored source, with the wipe.
  void compareWithSource(const QString& path);
  void showForwardProcess(const QString& path);
  /// Uses `folder` as the gallery for this session (not saved).
  void setGalleryFolder(const QString& folder);
  /// Scans the roots of the library settings again (on the scanner's thread).
  void rescanLibrary();
  /// The settings dialog (its library page edits this window's library settings file).
  void openSettings();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QWidget* buildGenerateTab();
  void buildMenus();
  void buildStatusBar();
  void restoreWindowState();
  void saveWindowState() const;

  void onJobStarted(quint64 jobId);
  void onStepPreview(quint64 jobId, int imageIndex, int step, int totalSteps, double sigma,
                     const QImage& preview);
  void onImageReady(quint64 jobId, const lienzo::ui::FinishedImage& image);
  void onJobFinished(quint64 jobId, lienzo::ui::JobStatus status, const QString& message);
  void onBusyChanged(bool busy);
  void updateProgress(int imageIndex, int step, int totalSteps);
  void openImageForForwardProcess();
  void onLibraryChanged();
  void onLibraryScanned(const QStringList& warnings, bool cancelled);
  void showScanStatus(const QString& text);
  /// Renames restored `<lora:…>` tags whose file the library knows under another name (found by
  /// the "Lora hashes" entry); notes for the user about renamed and missing LoRAs.
  QStringList relinkLoras(const RestoredParams& restored, GenerationParams& params,
                          QStringList& renamed) const;
  void applyModelDefaults(const QString& path);
  void updateForwardModel();
  void showAbout();

  std::shared_ptr<GenerationBackend> m_backend;
  GenerationController* m_controller;
  ForwardProcessController* m_forwardController;
  GalleryModel* m_galleryModel;

  PromptPanel* m_panel = nullptr;
  ControlPanel* m_controls = nullptr;
  MessageBar* m_messages = nullptr;
  QTabWidget* m_tabs = nullptr;
  Canvas* m_canvas = nullptr;
  Timeline* m_timeline = nullptr;
  GalleryView* m_galleryView = nullptr;
  QueuePanel* m_queuePanel = nullptr;
  QTabWidget* m_sideTabs = nullptr;
  NetworkBrowser* m_browser = nullptr;
  PromptCompleter* m_completer = nullptr;
  LibraryScanner* m_scanner = nullptr;
  CompareView* m_compare = nullptr;
  EditSession* m_edit = nullptr;
  UnfinishedJobs* m_unfinished = nullptr;
  ForwardProcessView* m_forward = nullptr;
  QLabel* m_status = nullptr;
  QProgressBar* m_progress = nullptr;
  QAction* m_stopAction = nullptr;
  QAction* m_finishAction = nullptr;

  ProgressTracker m_tracker;
  quint64 m_currentJob = 0;
  int m_currentImage = -1;
  int m_lastStep = -1;  ///< the last step shown of the current image
  bool m_hiresPass = false;
  int m_firstPassSteps = 0;  ///< steps the first pass of each image runs
  bool m_jobHires = false;   ///< the running job has a hires pass  ///< the current image's
                             ///< steps are the hires fix's second pass
  int m_batchSize = 1;
  QString m_scanStatus;  ///< the last scan message in the status bar
  QSize m_logicalSize;   ///< the size the timeline's frames stand for
};

}  // namespace lienzo::ui
