#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "core/adapters/prompt_networks.h"
#include "core/library/library_settings.h"
#include "core/pipeline/params_infotext.h"
#include "ui/canvas.h"
#include "ui/compareview.h"
#include "ui/controlpanel.h"
#include "ui/editsession.h"
#include "ui/forwardprocesscontroller.h"
#include "ui/forwardprocessview.h"
#include "ui/gallerymodel.h"
#include "ui/gallerystore.h"
#include "ui/galleryview.h"
#include "ui/generationcontroller.h"
#include "ui/icons.h"
#include "ui/librarypage.h"
#include "ui/libraryscanner.h"
#include "ui/messagebar.h"
#include "ui/networkbrowser.h"
#include "ui/pngmetadata.h"
#include "ui/promptcompleter.h"
#include "ui/promptpanel.h"
#include "ui/queuepanel.h"
#include "ui/settingsdialog.h"
#include "ui/timeline.h"
#include "ui/unfinishedjobs.h"

namespace lienzo::ui {

namespace {

QString formatDuration(double seconds) {
  const int s = static_cast<int>(std::lround(std::max(0.0, seconds)));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

/// The library settings file; empty (with no library) when there is no home folder.
std::filesystem::path librarySettingsFile() {
  try {
    return LibrarySettings::defaultFile();
  } catch (const std::exception&) {
    return {};
  }
}

QString firstLocalFile(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    if (url.isLocalFile()) return url.toLocalFile();
  }
  return {};
}

}  // namespace

MainWindow::MainWindow(std::shared_ptr<GenerationBackend> backend, QWidget* parent)
    : QMainWindow(parent),
      m_backend(std::move(backend)),
      m_controller(new GenerationController(m_backend, this)),
      m_forwardController(new ForwardProcessController(m_backend, this)),
      m_galleryModel(
          new GalleryModel(QSettings()
                               .value(SettingsKeys::galleryFolder(), GalleryStore::defaultFolder())
                               .toString(),
                           this)) {
  setWindowTitle(tr("Lienzo"));
  setWindowIcon(studioIcon(StudioIcon::App));
  setAcceptDrops(true);

  m_panel = new PromptPanel(*m_backend, this);
  m_messages = new MessageBar(this);
  m_controls = new ControlPanel(  // "From gallery", "Use canvas", the preview's size
      {[this] {
         const QStringList picked = m_galleryView->selectedPaths();
         return picked.isEmpty() ? QImage() : QImage(picked.front());
       },
       [this] { return m_tabs->currentWidget() == m_edit ? m_edit->picture() : m_canvas->image(); },
       [this] { return QSize(m_panel->params().width, m_panel->params().height); }},
      this);
  m_panel->addSection(m_controls);
  connect(m_controls, &ControlPanel::errorOccurred, m_messages, &MessageBar::showError);
  // Reads what an earlier session left unfinished, then journals this session's jobs.
  m_unfinished = new UnfinishedJobs(
      m_controller,
      QSettings().value(SettingsKeys::queueJournal(), QueueJournal::defaultFolder()).toString(),
      this);
  connect(m_unfinished, &UnfinishedJobs::resumeRequested, this, [this] {
    QStringList problems;
    const int queued = m_unfinished->resume(
        [this](GenerationParams& params) {
          params.folders = networkFolders(*m_scanner->snapshot());
          applyPreviewSettings(params);
        },
        &problems);
    if (!problems.isEmpty())
      m_messages->showWarning(problems.join(QLatin1Char(' ')));
    else
      m_messages->showInfo(tr("%n unfinished job(s) queued again.", nullptr, queued));
  });
  connect(m_controller, &GenerationController::journalFailed, m_messages, &MessageBar::showWarning);
  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("tabs"));
  m_tabs->addTab(buildGenerateTab(), tr("Generate"));
  m_edit = new EditSession(this);
  m_tabs->addTab(m_edit, studioIcon(StudioIcon::Brush), tr("Edit"));
  m_compare = new CompareView(this);
  m_tabs->addTab(m_compare, studioIcon(StudioIcon::Compare), tr("Compare"));
  m_forward = new ForwardProcessView(m_forwardController, this);
  m_tabs->addTab(m_forward, studioIcon(StudioIcon::Wave), tr("Forward process"));

  m_galleryView = new GalleryView(m_galleryModel, this);
  m_queuePanel = new QueuePanel(m_controller, this);
  m_browser = new NetworkBrowser(this);
  m_browser->setObjectName(QStringLiteral("networkBrowser"));
  m_browser->setPromptEdit(m_panel->promptEdit());
  m_completer = new PromptCompleter(m_panel->promptEdit());
  m_scanner = new LibraryScanner(this);
  auto* right = new QSplitter(Qt::Vertical, this);
  m_sideTabs = new QTabWidget(this);
  m_sideTabs->setObjectName(QStringLiteral("sideTabs"));
  m_sideTabs->setDocumentMode(true);
  m_sideTabs->addTab(m_galleryView, tr("Gallery"));
  m_sideTabs->addTab(m_browser, tr("LoRA && embeddings"));
  auto* queueBox = new QWidget(this);
  auto* queueLayout = new QVBoxLayout(queueBox);
  queueLayout->setContentsMargins(0, 0, 0, 0);
  queueLayout->addWidget(new QLabel(tr("<b>Queue</b>"), this));
  queueLayout->addWidget(m_queuePanel, 1);
  right->addWidget(m_sideTabs);
  right->addWidget(queueBox);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 1);

  auto* center = new QWidget(this);
  auto* centerLayout = new QVBoxLayout(center);
  centerLayout->setContentsMargins(0, 0, 0, 0);
  centerLayout->addWidget(m_messages);
  centerLayout->addWidget(m_tabs, 1);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->setObjectName(QStringLiteral("mainSplitter"));
  split->addWidget(m_panel);
  split->addWidget(center);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setStretchFactor(2, 0);
  split->setSizes({330, 610, 320});
  setCentralWidget(split);

  buildMenus();
  if (const int left = m_unfinished->count())
    m_messages->showWarning(
        tr("%n job(s) did not finish when Lienzo last ran. Generate ▸ Resume "
           "unfinished jobs makes what is left of them; nothing already "
           "saved is made again.",
           nullptr, left));
  buildStatusBar();

  connect(m_panel, &PromptPanel::generateRequested, this, &MainWindow::generate);
  connect(m_panel, &PromptPanel::cancelRequested, this, &MainWindow::cancel);
  connect(m_panel, &PromptPanel::modelChanged, this, &MainWindow::updateForwardModel);
  connect(m_panel, &PromptPanel::modelChanged, this,
          [this] { m_browser->setModelFamily(m_panel->modelFamily()); });
  connect(m_scanner, &LibraryScanner::libraryChanged, this, &MainWindow::onLibraryChanged);
  connect(m_scanner, &LibraryScanner::scanFinished, this, &MainWindow::onLibraryScanned);
  connect(m_scanner, &LibraryScanner::scanStarted, this,
          [this] { showScanStatus(tr("Scanning the model library…")); });
  connect(m_scanner, &LibraryScanner::progress, this, [this](int done, int total, const QString&) {
    showScanStatus(tr("Scanning the model library: %1/%2 files").arg(done).arg(total));
  });
  connect(
      m_controller, &GenerationController::jobNotices, this,
      [this](quint64 jobId, const QStringList& notices) {
        m_messages->showWarning(tr("Job #%1: %2").arg(jobId).arg(notices.join(QLatin1Char(' '))));
      });
  connect(m_controller, &GenerationController::jobStarted, this, &MainWindow::onJobStarted);
  connect(m_controller, &GenerationController::stepPreview, this, &MainWindow::onStepPreview);
  connect(m_controller, &GenerationController::imageReady, this, &MainWindow::onImageReady);
  connect(m_controller, &GenerationController::jobFinished, this, &MainWindow::onJobFinished);
  connect(m_controller, &GenerationController::busyChanged, this, &MainWindow::onBusyChanged);
  connect(
      m_controller, &GenerationController::imageSaveFailed, this,
      [this](quint64, int, const QString& message) {
        m_messages->showError(tr("The image could not be saved to the gallery: %1").arg(message));
      });
  connect(m_galleryView, &GalleryView::imageSelected, this, &MainWindow::showGalleryImage);
  connect(m_galleryView, &GalleryView::restoreRequested, this, &MainWindow::restoreParametersFrom);
  connect(m_galleryView, &GalleryView::compareRequested, this, &MainWindow::compareImages);
  connect(m_galleryView, &GalleryView::forwardProcessRequested, this,
          &MainWindow::showForwardProcess);
  connect(m_galleryView, &GalleryView::errorOccurred, m_messages, &MessageBar::showError);
  connect(m_galleryView, &GalleryView::editRequested, m_edit, &EditSession::openFile);
  connect(m_galleryView, &GalleryView::sourceCompareRequested, this,
          &MainWindow::compareWithSource);
  connect(m_edit, &EditSession::pictureOpened, this, [this] { m_tabs->setCurrentWidget(m_edit); });
  connect(m_edit, &EditSession::errorOccurred, m_messages, &MessageBar::showError);
  connect(m_forward, &ForwardProcessView::openImageRequested, this,
          &MainWindow::openImageForForwardProcess);
  connect(m_forward, &ForwardProcessView::errorOccurred, this, [this](const QString& message) {
    m_messages->showError(tr("Forward process: %1").arg(message));
  });
  connect(m_timeline, &Timeline::currentFrameChanged, this,
          [this](int, const QImage& frame) { m_canvas->setImage(frame, m_logicalSize); });

  // A model the user picks brings its own size/steps/CFG/sampler (the built-in model is 64 px);
  // on the first run the default model's settings are used instead of the core's 512² ones.
  connect(m_panel, &PromptPanel::modelPicked, this, &MainWindow::applyModelDefaults);
  const bool firstRun = !QSettings().contains(QStringLiteral("generation/width"));
  m_panel->loadSettings();
  if (firstRun) applyModelDefaults(m_panel->modelPath());
  updateForwardModel();
  restoreWindowState();
  m_panel->focusPrompt();
  rescanLibrary();
}

MainWindow::~MainWindow() {
  m_controller->shutdown();
}

QWidget* MainWindow::buildGenerateTab() {
  auto* page = new QWidget(this);
  m_canvas = new Canvas(page);
  m_canvas->setObjectName(QStringLiteral("canvas"));
  m_canvas->setPlaceholderText(
      tr("Type a prompt and press Generate (Ctrl+Enter).\nEvery step appears here as the noise "
         "resolves into an image.\n\nDrop a PNG from Lienzo, A1111, ComfyUI or InvokeAI here to "
         "restore its parameters."));
  m_timeline = new Timeline(page);
  m_timeline->setObjectName(QStringLiteral("timeline"));

  auto* fit = new QToolButton(page);
  fit->setIcon(studioIcon(StudioIcon::ZoomFit));
  fit->setToolTip(tr("Zoom to fit (Ctrl+0)"));
  connect(fit, &QToolButton::clicked, m_canvas, &Canvas::zoomToFit);
  auto* actual = new QToolButton(page);
  actual->setIcon(studioIcon(StudioIcon::ZoomActual));
  actual->setToolTip(tr("Actual size, 1:1 (Ctrl+1)"));
  connect(actual, &QToolButton::clicked, m_canvas, &Canvas::zoomActualSize);
  auto* sendToEdit = new QToolButton(page);
  sendToEdit->setObjectName(QStringLiteral("sendToEdit"));
  sendToEdit->setIcon(studioIcon(StudioIcon::Brush));
  sendToEdit->setToolTip(tr("Send to edit: open the picture shown on the edit page"));
  sendToEdit->setAccessibleName(tr("Send to edit"));
  connect(sendToEdit, &QToolButton::clicked, this, [this] {
    if (!m_canvas->image().isNull()) m_edit->openPicture(m_canvas->image(), tr("Generated image"));
  });
  auto* tools = new QVBoxLayout;
  tools->addWidget(fit);
  tools->addWidget(actual);
  tools->addWidget(sendToEdit);
  tools->addStretch(1);
  auto* top = new QHBoxLayout;
  top->addWidget(m_canvas, 1);
  top->addLayout(tools);

  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(top, 1);
  layout->addWidget(m_timeline);
  return page;
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open picture for editing…"), QKeySequence::Open, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open a picture to edit"), QString(),
                                     tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
    if (!path.isEmpty()) m_edit->openFile(path);
  });
  file->addAction(tr("Open image for the &forward process…"), this,
                  &MainWindow::openImageForForwardProcess);
  file->addAction(tr("&Restore parameters from image…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Restore parameters from image"),
                                                      QString(), tr("PNG images (*.png)"));
    if (!path.isEmpty()) restoreParametersFrom(path);
  });
  file->addAction(tr("Res&can model library"), this, &MainWindow::rescanLibrary);
  file->addSeparator();
  file->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::openSettings);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* gen = menuBar()->addMenu(tr("&Generate"));
  QAction* generate = gen->addAction(studioIcon(StudioIcon::Generate), tr("&Generate"));
  generate->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
  connect(generate, &QAction::triggered, this, &MainWindow::generate);
  m_stopAction = gen->addAction(tr("&Stop now"));
  m_stopAction->setShortcut(Qt::Key_Escape);
  connect(m_stopAction, &QAction::triggered, this, [this] { cancel(CancelMode::StopNow); });
  m_finishAction = gen->addAction(tr("&Finish current image"));
  m_finishAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Escape));
  connect(m_finishAction, &QAction::triggered, this, [this] { cancel(CancelMode::FinishImage); });
  m_stopAction->setEnabled(false);
  m_finishAction->setEnabled(false);
  gen->addSeparator();
  gen->addAction(m_unfinished->resumeAction());
  gen->addAction(m_unfinished->discardAction());

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("Zoom to &fit"), QKeySequence(Qt::CTRL | Qt::Key_0), m_canvas,
                  &Canvas::zoomToFit);
  view->addAction(tr("&Actual size"), QKeySequence(Qt::CTRL | Qt::Key_1), m_canvas,
                  &Canvas::zoomActualSize);
  view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, this, [this] {
    m_canvas->zoomBy(1.25, QPointF(m_canvas->width() / 2.0, m_canvas->height() / 2.0));
  });
  view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this, [this] {
    m_canvas->zoomBy(0.8, QPointF(m_canvas->width() / 2.0, m_canvas->height() / 2.0));
  });
  view->addSeparator();
  view->addAction(tr("&Play the steps"), this, [this] { m_timeline->play(); });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Lienzo"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar() {
  m_status = new QLabel(tr("Ready"), this);
  m_status->setObjectName(QStringLiteral("statusText"));
  m_progress = new QProgressBar(this);
  m_progress->setObjectName(QStringLiteral("progress"));
  m_progress->setMaximumWidth(260);
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("%v/%m"));
  m_progress->setTextVisible(false);  // shown once a job runs
  statusBar()->addWidget(m_status, 1);
  statusBar()->addPermanentWidget(m_progress);
}

QString MainWindow::statusText() const {
  return m_status->text();
}

quint64 MainWindow::generate() {
  const QString model = m_panel->modelPath();
  if (model.isEmpty()) {
    m_messages->showError(
        tr("No model to generate with: the built-in model is not installed. "
           "Add a model with “Add model…” next to the model picker."));
    return 0;
  }
  JobRequest request;
  request.params = m_panel->params();
  const bool edit = m_tabs->currentWidget() == m_edit;
  QString error;
  if ((edit && !m_edit->applyTo(request, &error)) ||
      !m_controls->applyTo(request.params, &error)) {  // after the edit: its picture is a fallback
    m_messages->showError(error);
    return 0;
  }
  applyPreviewSettings(request.params);  // previews, their method, TAESD, fast decode
  request.modelPath = model;
  request.modelName = m_panel->modelName();
  request.galleryDir = m_galleryModel->folder();
  // Every LoRA / LyCORIS and embedding folder of the library, read where they lie.
  request.params.folders = networkFolders(*m_scanner->snapshot());  // with the TAESD folders
  m_panel->rememberPrompt();
  m_panel->saveSettings();
  const quint64 id = m_controller->enqueue(request);
  if (edit) {
    m_edit->beginJob(id);  // the edit page shows the composite of every step
  } else {
    m_tabs->setCurrentIndex(0);  // the canvas shows the steps
  }
  if (m_controller->isBusy() && m_controller->runningJob() != id) {
    m_status->setText(tr("Queued job #%1").arg(id));
  }
  return id;
}

void MainWindow::cancel(CancelMode mode) {
  if (!m_controller->isBusy() && m_controller->queue()->count(JobStatus::Queued) == 0) return;
  m_controller->cancel(mode);
  m_status->setText(mode == CancelMode::StopNow ? tr("Stopping…")
                                                : tr("Finishing the current image…"));
}

void MainWindow::onJobStarted(quint64 jobId) {
  const Job* job = m_controller->queue()->job(jobId);
  if (!job) return;
  m_currentJob = jobId;
  m_currentImage = -1;
  m_lastStep = -1;
  m_jobHires = job->request.params.hires.enabled();
  m_batchSize = job->request.params.batchSize;
  m_logicalSize = QSize(job->request.params.width, job->request.params.height);
  m_firstPassSteps = ProgressTracker::firstPassSteps(job->request.params);
  m_tracker.start(m_batchSize, std::max(1, ProgressTracker::stepsPerImage(job->request.params)));
  m_timeline->clear();
  m_progress->setRange(0, std::max(1, m_tracker.stepsTotal()));
  m_progress->setValue(0);
  m_progress->setTextVisible(true);
  m_status->setText(tr("Loading the model and encoding the prompt…"));
}

void MainWindow::onStepPreview(quint64 jobId, int imageIndex, int step, int totalSteps, double,
                               const QImage& preview) {
  if (jobId != m_currentJob) return;
  if (imageIndex != m_currentImage) {
    m_currentImage = imageIndex;
    m_hiresPass = false;
    m_lastStep = -1;
    m_timeline->clear();
  } else if (m_jobHires && step == 0 && m_lastStep >= 0) {
    m_hiresPass = true;  // the steps start again: the hires fix's second pass
  }
  m_lastStep = step;
  if (!preview.isNull()) {
    const bool following =
        m_timeline->count() == 0 || m_timeline->current() == m_timeline->count() - 1;
    m_timeline->appendFrame(
        preview, m_hiresPass ? tr("Hires step %1").arg(step + 1) : tr("Step %1").arg(step + 1));
    if (following) m_canvas->setImage(preview, m_logicalSize);
    m_edit->showStep(jobId, preview);
  }
  m_tracker.step(imageIndex, m_hiresPass ? m_firstPassSteps + step : step);
  updateProgress(imageIndex, step, totalSteps);
}

void MainWindow::updateProgress(int imageIndex, int step, int totalSteps) {
  m_progress->setValue(m_tracker.stepsDone());
  QString text =
      m_batchSize > 1 ? tr("Image %1/%2 · ").arg(imageIndex + 1).arg(m_batchSize) : QString();
  text += tr("Step %1/%2").arg(step + 1).arg(totalSteps);
  const double rate = m_tracker.iterationsPerSecond();
  if (rate > 0.0) {
    text += tr(" · %1 it/s").arg(rate, 0, 'f', rate < 10 ? 2 : 1);
    text += tr(" · ETA %1").arg(formatDuration(m_tracker.etaSeconds()));
  }
  m_status->setText(text);
}

void MainWindow::onImageReady(quint64 jobId, const FinishedImage& image) {
  if (!image.image.isNull()) {
    const bool following =
        m_timeline->count() == 0 || m_timeline->current() == m_timeline->count() - 1;
    m_logicalSize = image.image.size();
    m_timeline->appendFrame(image.image, tr("Final"));
    if (following || jobId != m_currentJob) m_canvas->setImage(image.image);
    m_edit->showResult(jobId, image.image);
  }
  if (!image.path.isEmpty()) {
    m_galleryModel->addImage(image.path, image.image);
  }
  m_panel->setLastSeed(image.seed);
}

void MainWindow::onJobFinished(quint64 jobId, JobStatus status, const QString& message) {
  if (jobId == m_currentJob) m_currentJob = 0;
  m_edit->endJob(jobId);
  switch (status) {
    case JobStatus::Completed:
      m_status->setText(tr("Done: job #%1").arg(jobId));
      break;
    case JobStatus::Cancelled:
      m_status->setText(tr("Cancelled: job #%1").arg(jobId));
      if (!message.isEmpty()) m_messages->showInfo(message);
      break;
    case JobStatus::Failed:
      m_status->setText(tr("Failed: job #%1").arg(jobId));
      m_messages->showError(tr("Generation failed: %1").arg(message));
      break;
    default:
      break;
  }
}

void MainWindow::onBusyChanged(bool busy) {
  m_panel->setBusy(busy);
  m_stopAction->setEnabled(busy);
  m_finishAction->setEnabled(busy);
  if (!busy) m_progress->setValue(m_progress->maximum());
}

bool MainWindow::restoreParametersFrom(const QString& path) {
  QString error;
  const auto info = readGenerationInfo(path, &error);
  const QString name = QFileInfo(path).fileName();
  if (!info) {
    m_messages->showError(error.isEmpty() ? tr("%1 carries no generation parameters.").arg(name)
                                          : error);
    return false;
  }
  const RestoredParams restored = applyInfotext(*info, m_panel->params());
  GenerationParams params = restored.params;
  QStringList renamed;
  const QStringList loraNotes = relinkLoras(restored, params, renamed);
  QStringList notes = m_panel->setParams(params);
  notes << loraNotes << m_controls->restore(params.controls, path);  // none: slots removed
  // An edit made here brings back its source picture and mask (stored with the result).
  if (m_edit->restoreFrom(path, params.edit)) m_tabs->setCurrentWidget(m_edit);
  if (!restored.modelName.empty()) {
    const QString model = QString::fromStdString(restored.modelName);
    if (!m_panel->selectModel(model)) {
      notes << tr("Model “%1” is not in your model list; kept “%2”.")
                   .arg(model, m_panel->modelName());
    }
  }
  for (const std::string& skipped : restored.skipped) {
    notes << tr("Could not read “%1”.").arg(QString::fromStdString(skipped));
  }
  if (notes.isEmpty()) {
    m_messages->showInfo((tr("Restored the parameters of %1.").arg(name) + QLatin1Char(' ') +
                          renamed.join(QLatin1Char(' ')))
                             .trimmed());
  } else {
    m_messages->showWarning(tr("Restored the parameters of %1, except: %2")
                                .arg(name, (notes + renamed).join(QLatin1Char(' '))));
  }
  return true;
}

QStringList MainWindow::relinkLoras(const RestoredParams& restored, GenerationParams& params,
                                    QStringList& renamed) const {
  QStringList missing;
  const ModelLibrary& library = *m_scanner->snapshot()->library;
  for (const auto& [name, hash] : restored.networks.loras) {
    if (library.findByName(ModelCategory::Lora, name)) continue;
    if (const LibraryEntry* found = library.findByHash(ModelCategory::Lora, hash)) {
      params.prompt = renameLoraTags(params.prompt, name, found->name);
      renamed << tr("LoRA “%1” is “%2” in your library (same hash); the prompt uses that name.")
                     .arg(QString::fromStdString(name), QString::fromStdString(found->name));
    } else {
      missing << tr("LoRA “%1” (hash %2) is not in your library.")
                     .arg(QString::fromStdString(name), QString::fromStdString(hash));
    }
  }
  if (!missing.isEmpty() && !m_scanner->snapshot()->hashed) {
    missing << tr("The model library is still being hashed; restore again when it is done.");
  }
  return missing;
}

void MainWindow::showGalleryImage(const QString& path) {
  const QImage image(path);
  if (image.isNull()) {
    m_messages->showError(tr("Cannot open %1.").arg(QFileInfo(path).fileName()));
    return;
  }
  QList<QImage> frames = GalleryStore::loadSteps(path);
  QStringList labels;
  for (int i = 0; i < frames.size(); ++i) labels << tr("Step %1").arg(i + 1);
  frames << image;
  labels << tr("Final");
  m_logicalSize = image.size();
  m_timeline->setFrames(frames, labels);
  m_canvas->setImage(image);
  m_tabs->setCurrentIndex(0);
}

void MainWindow::compareImages(const QString& pathA, const QString& pathB) {
  auto item = [this](const QString& path) {
    CompareItem out;
    out.title = QFileInfo(path).fileName();
    out.image = QImage(path);
    if (auto info = readGenerationInfo(path)) out.info = *info;
    return out;
  };
  m_compare->setItems(item(pathA), item(pathB));
  m_tabs->setCurrentWidget(m_compare);
}

void MainWindow::compareWithSource(const QString& path) {
  const GalleryStore::EditSource source = GalleryStore::loadSource(path);
  if (source.picture.isNull()) return;
  CompareItem from;
  from.title = tr("Source: %1").arg(source.name);
  from.image = source.picture;
  CompareItem result;
  result.title = QFileInfo(path).fileName();
  result.image = QImage(path);
  if (auto info = readGenerationInfo(path)) result.info = *info;
  m_compare->setItems(from, result);
  m_compare->setMode(CompareView::Mode::Wipe);
  m_tabs->setCurrentWidget(m_compare);
}

void MainWindow::showForwardProcess(const QString& path) {
  const QImage image(path);
  if (image.isNull()) {
    m_messages->showError(tr("Cannot open %1.").arg(QFileInfo(path).fileName()));
    return;
  }
  m_forward->setSource(image, QFileInfo(path).fileName());
  m_tabs->setCurrentWidget(m_forward);
}

void MainWindow::setGalleryFolder(const QString& folder) {
  m_galleryModel->setFolder(folder);
}

void MainWindow::openImageForForwardProcess() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open an image"), QString(),
                                                    tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
  if (!path.isEmpty()) showForwardProcess(path);
}

void MainWindow::applyModelDefaults(const QString& path) {
  if (path.isEmpty()) return;
  try {
    m_panel->applyModelDefaults(m_backend->describeModel(path.toStdString()));
  } catch (const std::exception& e) {
    m_messages->showError(QString::fromStdString(e.what()));
  }
}

void MainWindow::updateForwardModel() {
  const GenerationParams params = m_panel->params();
  LoadOptions options;
  options.device = params.device;
  options.dtype = params.dtype;
  m_forward->setModel(m_panel->modelPath(), options);
}

void MainWindow::openSettings() {
  SettingsDialog dialog(this, librarySettingsFile());
  auto saveLibrary = [this, &dialog] {
    QString error;
    if (!dialog.libraryPage()->save(&error)) {
      m_messages->showError(tr("The model library settings were not saved: %1").arg(error));
      return false;
    }
    return true;
  };
  connect(dialog.libraryPage(), &LibraryPage::rescanRequested, this, [this, saveLibrary] {
    if (saveLibrary()) rescanLibrary();
  });
  if (dialog.exec() != QDialog::Accepted) return;
  dialog.save();
  if (dialog.galleryFolder() != m_galleryModel->folder()) {
    m_galleryModel->setFolder(dialog.galleryFolder());
  }
  if (dialog.libraryPage()->changed() && saveLibrary()) rescanLibrary();
}

void MainWindow::rescanLibrary() {
  const std::filesystem::path file = librarySettingsFile();
  std::vector<LibraryRoot> roots;
  if (!file.empty()) {
    try {
      roots = LibrarySettings::load(file).roots;
    } catch (const std::exception& e) {
      m_messages->showError(
          tr("The model library settings could not be read: %1").arg(QString::fromUtf8(e.what())));
      return;
    }
  }
  m_scanner->rescan(std::move(roots));
}

void MainWindow::onLibraryChanged() {
  const auto snapshot = m_scanner->snapshot();
  const ModelLibrary& library = *snapshot->library;
  m_panel->setLibrary(library);
  m_browser->setLibrary(snapshot);
  m_browser->setModelFamily(m_panel->modelFamily());
  const auto names = [&library](ModelCategory category) {
    QStringList out;
    for (const LibraryEntry* e : library.list(category))
      if (e->loadable) out << QString::fromStdString(e->name);
    out.removeDuplicates();
    return out;
  };
  m_completer->setNames(names(ModelCategory::Lora), names(ModelCategory::Embedding));
  m_controls->setModels(names(ModelCategory::ControlNet));
}

void MainWindow::showScanStatus(const QString& text) {
  // Only over "Ready" or an earlier scan message: a job's progress and result stay.
  if (m_status->text() != tr("Ready") && m_status->text() != m_scanStatus) return;
  m_status->setText(text);
  m_scanStatus = text;
}

void MainWindow::onLibraryScanned(const QStringList& warnings, bool cancelled) {
  if (cancelled) return;
  const ModelLibrary& library = *m_scanner->snapshot()->library;
  showScanStatus(tr("Model library: %1 checkpoints, %2 LoRAs, %3 embeddings")
                     .arg(library.list(ModelCategory::Checkpoint).size())
                     .arg(library.list(ModelCategory::Lora).size())
                     .arg(library.list(ModelCategory::Embedding).size()));
  if (!warnings.isEmpty()) {
    m_messages->showWarning(tr("Model library: %1").arg(warnings.join(QLatin1Char(' '))));
  }
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Lienzo"),
                     tr("<b>Lienzo %1</b><br>A native latent-diffusion image studio.")
                         .arg(QStringLiteral(LIENZO_VERSION)));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  // cancel -> quit -> wait: returns within one step of the core.
  m_controller->shutdown();
  m_panel->saveSettings();
  saveWindowState();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!firstLocalFile(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = firstLocalFile(event->mimeData());
  if (path.isEmpty()) return;
  event->acceptProposedAction();
  openImage(path);
}

void MainWindow::openImage(const QString& path) {
  // Restore first (it reports in the message bar when the file carries no parameters), then
  // show the picture: from the gallery when it is one of ours, else on its own.
  if (restoreParametersFrom(path) && m_galleryView->selectPath(path)) return;
  const QImage image(path);
  if (image.isNull()) {
    m_messages->showError(tr("Cannot open %1.").arg(QFileInfo(path).fileName()));
    return;
  }
  m_logicalSize = image.size();
  m_timeline->setFrames({image}, {QFileInfo(path).fileName()});
  m_canvas->setImage(image);
}

void MainWindow::restoreWindowState() {
  const QSettings s;
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
    resize(1280, 820);
  }
  if (auto* split = findChild<QSplitter*>(QStringLiteral("mainSplitter"))) {
    split->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
  }
}

void MainWindow::saveWindowState() const {
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  if (auto* split = findChild<QSplitter*>(QStringLiteral("mainSplitter"))) {
    s.setValue(QStringLiteral("window/splitter"), split->saveState());
  }
}

}  // namespace lienzo::ui
