#include "ui/editsession.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

#include "core/pipeline/edit_validation.h"
#include "ui/editcanvas.h"
#include "ui/editpanel.h"
#include "ui/gallerystore.h"
#include "ui/icons.h"
#include "ui/imageconvert.h"
#include "ui/jobqueue.h"
#include "ui/maskdocument.h"

namespace lienzo::ui {

EditSession::EditSession(QWidget* parent)
    : QWidget(parent),
      m_mask(new MaskDocument(this)),
      m_canvas(new EditCanvas(m_mask, this)),
      m_panel(new EditPanel(m_canvas, m_mask, this)) {
  setObjectName(QStringLiteral("editSession"));
  setAcceptDrops(true);
  m_canvas->setObjectName(QStringLiteral("editCanvas"));
  m_canvas->setAccessibleName(tr("Edit canvas"));
  m_canvas->setToolTip(tr("Paint the area to redraw. Wheel: zoom; middle or right drag: pan"));
  m_canvas->setPlaceholderText(
      tr("Open a picture to edit: File ▸ Open for editing, drop it here, “Edit” on a gallery "
         "item, or “Send to edit” under a result.\n\nPaint the area to redraw, or drag the edges "
         "outwards with “Extend” to outpaint; Generate redraws it."));

  auto* open = new QToolButton(this);
  open->setObjectName(QStringLiteral("editOpen"));
  open->setText(tr("Open…"));
  open->setToolTip(tr("Open a picture to edit"));
  open->setAccessibleName(tr("Open a picture to edit"));
  connect(open, &QToolButton::clicked, this, &EditSession::openWithDialog);
  auto* fit = new QToolButton(this);
  fit->setObjectName(QStringLiteral("editFit"));
  fit->setIcon(studioIcon(StudioIcon::ZoomFit));
  fit->setToolTip(tr("Zoom to fit"));
  fit->setAccessibleName(tr("Zoom to fit"));
  connect(fit, &QToolButton::clicked, m_canvas, &EditCanvas::zoomToFit);
  auto* tools = new QHBoxLayout;
  tools->addWidget(open);
  tools->addWidget(fit);
  tools->addStretch(1);
  auto* left = new QVBoxLayout;
  left->addLayout(tools);
  left->addWidget(m_canvas, 1);

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(m_panel);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_panelColumn = scroll;

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(left, 1);
  layout->addWidget(scroll);
  buildShortcuts();
}

void EditSession::buildShortcuts() {
  auto add = [this](const QString& text, const QKeySequence& key, auto slot) {
    auto* a = new QAction(text, this);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(a, &QAction::triggered, this, slot);
    addAction(a);
    return a;
  };
  add(tr("Brush"), QKeySequence(Qt::Key_B), [this] { m_canvas->setTool(EditCanvas::Tool::Brush); });
  add(tr("Eraser"), QKeySequence(Qt::Key_E),
      [this] { m_canvas->setTool(EditCanvas::Tool::Eraser); });
  add(tr("Swap brush and eraser"), QKeySequence(Qt::Key_X), [this] { m_canvas->swapTool(); });
  add(tr("Smaller brush"), QKeySequence(Qt::Key_BracketLeft),
      [this] { m_canvas->setBrushRadius(m_canvas->brushRadius() / 1.25); });
  add(tr("Larger brush"), QKeySequence(Qt::Key_BracketRight),
      [this] { m_canvas->setBrushRadius(m_canvas->brushRadius() * 1.25); });
  add(tr("Undo stroke"), QKeySequence(Qt::CTRL | Qt::Key_Z),
      [this] { m_mask->undoStack()->undo(); });
  add(tr("Redo stroke"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z),
      [this] { m_mask->undoStack()->redo(); });
}

void EditSession::openPicture(const QImage& picture, const QString& name) {
  if (picture.isNull()) return;
  if (picture.width() > kMaxCanvasSide || picture.height() > kMaxCanvasSide) {
    emit errorOccurred(tr("%1 is %2×%3 pixels; pictures of at most %4 pixels a side can be edited.")
                           .arg(name)
                           .arg(picture.width())
                           .arg(picture.height())
                           .arg(kMaxCanvasSide));
    return;
  }
  // Alpha is flattened on white: the core edits RGB.
  QImage flat(picture.size(), QImage::Format_RGB888);
  flat.fill(Qt::white);
  {
    QPainter painter(&flat);
    painter.drawImage(0, 0, picture);
  }
  m_picture = flat;
  m_name = name;
  ++m_serial;
  m_mask->reset(m_picture.size());
  m_canvas->setPicture(m_picture);
  m_panel->updateVisibility();
  emit pictureOpened();
}

bool EditSession::openFile(const QString& path) {
  const QImage image(path);
  if (image.isNull()) {
    emit errorOccurred(tr("Cannot open %1 for editing.").arg(QFileInfo(path).fileName()));
    return false;
  }
  openPicture(image, QFileInfo(path).fileName());
  return true;
}

void EditSession::openWithDialog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a picture to edit"), QString(),
                                                    tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
  if (!path.isEmpty()) openFile(path);
}

bool EditSession::restoreFrom(const QString& resultPath, const EditParams& settings) {
  const GalleryStore::EditSource source = GalleryStore::loadSource(resultPath);
  if (source.picture.isNull()) return false;
  openPicture(source.picture,
              source.name.isEmpty() ? QFileInfo(resultPath).fileName() : source.name);
  if (!source.mask.isNull()) m_mask->setMask(source.mask);
  m_panel->setSettings(settings);
  return true;
}

bool EditSession::hasPicture() const {
  return !m_picture.isNull();
}

bool EditSession::applyTo(JobRequest& request, QString* error) const {
  if (!hasPicture()) {
    if (error) *error = tr("Open a picture to edit first.");
    return false;
  }
  EditParams& edit = request.params.edit;
  m_panel->applyTo(edit);
  edit.initImage = toRgbImage(m_picture);
  // Nothing painted: img2img (or outpaint only); everything painted: img2img as well.
  edit.mask = m_mask->isEmpty() || m_mask->isFull() ? GrayImage{} : m_mask->toGray();
  const QMargins m = m_canvas->margins();
  edit.outpaintLeft = m.left();
  edit.outpaintTop = m.top();
  edit.outpaintRight = m.right();
  edit.outpaintBottom = m.bottom();
  if (m_panel->usePictureSize()) {
    const CanvasSize size = defaultEditSize(edit);
    request.params.width = size.width;
    request.params.height = size.height;
  }
  request.sourceName = m_name;
  return true;
}

void EditSession::beginJob(quint64 jobId) {
  LiveJob job;
  job.serial = m_serial;
  const QMargins m = m_canvas->margins();
  const int side =
      std::max(m_picture.width() + m.left() + m.right(), m_picture.height() + m.top() + m.bottom());
  const double f = std::min(1.0, static_cast<double>(kLiveSide) / std::max(1, side));
  const QSize size(std::max(1, qRound(m_picture.width() * f)),
                   std::max(1, qRound(m_picture.height() * f)));
  job.picture = m_canvas->picture().scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  // Nothing or everything painted is img2img: the whole picture changes.
  if (m_mask->isEmpty() || m_mask->isFull()) {
    job.mask = QImage(size, QImage::Format_Grayscale8);
    job.mask.fill(255);
  } else {
    job.mask = m_mask->mask().scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  }
  job.margins = QMargins(qRound(m.left() * f), qRound(m.top() * f), qRound(m.right() * f),
                         qRound(m.bottom() * f));
  m_jobs.insert(jobId, job);
}

void EditSession::showStep(quint64 jobId, const QImage& preview) {
  const auto it = m_jobs.constFind(jobId);
  if (preview.isNull() || it == m_jobs.constEnd() || it->serial != m_serial) return;
  m_canvas->setLiveImage(EditCanvas::composite(it->picture, it->mask, it->margins, preview));
}

void EditSession::showResult(quint64 jobId, const QImage& result) {
  const auto it = m_jobs.constFind(jobId);
  if (result.isNull() || it == m_jobs.constEnd() || it->serial != m_serial) return;
  // The core's result already keeps the unmasked pixels; shown as it is.
  m_canvas->setLiveImage(result);
}

void EditSession::endJob(quint64 jobId) {
  m_jobs.remove(jobId);
}

void EditSession::showEvent(QShowEvent* event) {
  // As wide as the panel needs with every setting shown (it only scrolls vertically); measured
  // once shown, when fonts and style are final.
  auto* scroll = static_cast<QScrollArea*>(m_panelColumn);
  scroll->setFixedWidth(m_panel->widestHint() + scroll->verticalScrollBar()->sizeHint().width() +
                        4);
  QWidget::showEvent(event);
}

void EditSession::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void EditSession::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (!url.isLocalFile()) continue;
    event->acceptProposedAction();
    openFile(url.toLocalFile());
    return;
  }
}

}  // namespace lienzo::ui
