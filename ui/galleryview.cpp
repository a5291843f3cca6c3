#include "ui/galleryview.h"

#include <QAction>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/gallerymodel.h"
#include "ui/icons.h"

namespace lienzo::ui {

GalleryView::GalleryView(GalleryModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QListView(this)) {
  m_proxy->setSourceModel(model);
  m_proxy->setFilterRole(GalleryModel::FavouriteRole);

  m_view->setObjectName(QStringLiteral("galleryList"));
  m_view->setModel(m_proxy);
  m_view->setViewMode(QListView::IconMode);
  m_view->setResizeMode(QListView::Adjust);
  m_view->setMovement(QListView::Static);
  m_view->setUniformItemSizes(true);
  m_view->setIconSize(QSize(96, 96));
  m_view->setGridSize(QSize(112, 128));
  m_view->setSpacing(4);
  m_view->setWordWrap(true);
  m_view->setTextElideMode(Qt::ElideMiddle);
  m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_view->setContextMenuPolicy(Qt::CustomContextMenu);

  auto* toolbar = new QToolBar(this);
  toolbar->setIconSize(QSize(18, 18));
  m_favourite = toolbar->addAction(studioIcon(StudioIcon::Star), tr("Favourite"), this,
                                   &GalleryView::toggleFavourite);
  m_favourite->setToolTip(tr("Mark or unmark as favourite (F)"));
  m_favourite->setShortcut(Qt::Key_F);
  m_favourite->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  m_restore =
      toolbar->addAction(studioIcon(StudioIcon::Restore), tr("Restore parameters"), this, [this] {
        const QStringList paths = selectedPaths();
        if (!paths.isEmpty()) emit restoreRequested(paths.front());
      });
  m_compare = toolbar->addAction(studioIcon(StudioIcon::Compare), tr("Compare"), this, [this] {
    const QStringList paths = selectedPaths();
    if (paths.size() == 2) emit compareRequested(paths[0], paths[1]);
  });
  m_compare->setToolTip(tr("Compare the two selected images"));
  m_forward = toolbar->addAction(studioIcon(StudioIcon::Wave), tr("Forward process"), this, [this] {
    const QStringList paths = selectedPaths();
    if (!paths.isEmpty()) emit forwardProcessRequested(paths.front());
  });
  m_forward->setToolTip(tr("Show how noise destroys this image"));
  m_edit = toolbar->addAction(studioIcon(StudioIcon::Brush), tr("Edit"), this, [this] {
    const QStringList paths = selectedPaths();
    if (!paths.isEmpty()) emit editRequested(paths.front());
  });
  m_edit->setObjectName(QStringLiteral("galleryEdit"));
  m_edit->setToolTip(tr("Open this image on the edit page to paint a mask, redraw or extend it"));
  m_from = new QLabel(this);
  m_from->setObjectName(QStringLiteral("galleryFrom"));
  m_from->setAccessibleName(tr("Made from"));
  m_from->setToolTip(tr("Compare this result with the picture it was made from"));
  m_from->setTextFormat(Qt::RichText);
  m_from->setContentsMargins(4, 2, 4, 2);
  m_from->setVisible(false);
  connect(m_from, &QLabel::linkActivated, this, [this] {
    const QStringList paths = selectedPaths();
    if (paths.size() == 1) emit sourceCompareRequested(paths.front());
  });
  m_delete = toolbar->addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Delete"), this,
                                &GalleryView::deleteSelectedWithConfirmation);
  m_delete->setShortcut(QKeySequence::Delete);
  m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  toolbar->addSeparator();
  m_favouritesOnly = toolbar->addAction(studioIcon(StudioIcon::Filter), tr("Favourites only"));
  m_favouritesOnly->setCheckable(true);
  m_favouritesOnly->setToolTip(tr("Show only favourites"));
  connect(m_favouritesOnly, &QAction::toggled, this, &GalleryView::setFavouritesOnly);
  m_refresh = toolbar->addAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refresh"),
                                 m_model, &GalleryModel::reload);
  toolbar->setToolButtonStyle(Qt::ToolButtonIconOnly);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(toolbar);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_from);

  connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    updateActions();
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid() && m_view->selectionModel()->isSelected(current)) {
      emit imageSelected(current.data(GalleryModel::PathRole).toString());
    }
  });
  connect(m_view, &QListView::doubleClicked, this, [this](const QModelIndex& index) {
    emit restoreRequested(index.data(GalleryModel::PathRole).toString());
  });
  connect(m_view, &QListView::customContextMenuRequested, this, &GalleryView::showContextMenu);
  updateActions();
}

QStringList GalleryView::selectedPaths() const {
  QModelIndexList rows = m_view->selectionModel()->selectedIndexes();
  std::sort(rows.begin(), rows.end(),
            [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  QStringList out;
  for (const QModelIndex& index : rows) out << index.data(GalleryModel::PathRole).toString();
  return out;
}

bool GalleryView::selectPath(const QString& path) {
  const int row = m_model->rowOf(path);
  if (row < 0) return false;
  const QModelIndex index = m_proxy->mapFromSource(m_model->index(row));
  if (!index.isValid()) return false;
  m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
  m_view->scrollTo(index);
  return true;
}

void GalleryView::setFavouritesOnly(bool on) {
  if (m_favouritesOnly->isChecked() != on) m_favouritesOnly->setChecked(on);
  m_proxy->setFilterFixedString(on ? QStringLiteral("true") : QString());
}

bool GalleryView::removePaths(const QStringList& paths, GalleryStore::RemoveMode mode) {
  bool allOk = true;
  for (const QString& path : paths) {
    QString error;
    if (!m_model->removeImage(m_model->rowOf(path), mode, &error)) {
      allOk = false;
      emit errorOccurred(error);
    }
  }
  return allOk;
}

void GalleryView::toggleFavourite() {
  const QStringList paths = selectedPaths();
  if (paths.isEmpty()) return;
  // One click: all become favourites unless all already are.
  bool allFavourite = true;
  for (const QString& p : paths) allFavourite &= m_model->store().isFavourite(p);
  for (const QString& p : paths) {
    QString error;
    if (!m_model->setFavourite(m_model->rowOf(p), !allFavourite, &error)) emit errorOccurred(error);
  }
  m_proxy->invalidate();
}

void GalleryView::deleteSelectedWithConfirmation() {
  const QStringList paths = selectedPaths();
  if (paths.isEmpty()) return;
  QMessageBox box(QMessageBox::Question, tr("Delete images"),
                  tr("Delete %n selected image(s)?", nullptr, static_cast<int>(paths.size())),
                  QMessageBox::NoButton, this);
  QPushButton* trash = box.addButton(tr("Move to Trash"), QMessageBox::AcceptRole);
  QPushButton* erase = box.addButton(tr("Delete Permanently"), QMessageBox::DestructiveRole);
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(trash);
  box.exec();
  if (box.clickedButton() == trash) {
    removePaths(paths, GalleryStore::RemoveMode::Trash);
  } else if (box.clickedButton() == erase) {
    removePaths(paths, GalleryStore::RemoveMode::Delete);
  }
}

void GalleryView::updateActions() {
  const int n = static_cast<int>(m_view->selectionModel()->selectedIndexes().size());
  m_favourite->setEnabled(n > 0);
  m_restore->setEnabled(n == 1);
  m_compare->setEnabled(n == 2);
  m_forward->setEnabled(n == 1);
  m_edit->setEnabled(n == 1);
  QString from;
  if (n == 1) {
    const QString path = selectedPaths().front();
    if (const auto source = GalleryStore::sourceName(path)) {
      const QString name = source->isEmpty() ? tr("source") : *source;
      from = tr("From: <a href=\"source\">%1</a>").arg(name.toHtmlEscaped());
    }
  }
  m_from->setText(from);
  m_from->setVisible(!from.isEmpty());
  m_delete->setEnabled(n > 0);
}

void GalleryView::showContextMenu(const QPoint& pos) {
  if (!m_view->indexAt(pos).isValid()) return;
  QMenu menu(this);
  for (QAction* a : {m_restore, m_edit, m_favourite, m_compare, m_forward}) menu.addAction(a);
  menu.addSeparator();
  menu.addAction(m_delete);
  menu.exec(m_view->viewport()->mapToGlobal(pos));
}

}  // namespace lienzo::ui
