// The gallery panel: a thumbnail grid over GalleryModel with favourite, delete, restore
// parameters, compare, edit and forward-process actions, and a "from" link under an edit's result
// (its stored source, GalleryStore::loadSource). UI thread only.
#pragma once

#include <QStringList>
#include <QWidget>

#include "ui/gallerystore.h"

class QAction;
class QLabel;
class QListView;
class QSortFilterProxyModel;

namespace lienzo::ui {

class GalleryModel;

class GalleryView : public QWidget {
  Q_OBJECT

 public:
  explicit GalleryView(GalleryModel* model, QWidget* parent = nullptr);

  QStringList selectedPaths() const;
  /// Selects (only) the image at `path`; false when it is not listed.
  bool selectPath(const QString& path);
  void setFavouritesOnly(bool on);

  /// Removes `paths` without asking (the toolbar action asks first).
  bool removePaths(const QStringList& paths, GalleryStore::RemoveMode mode);
  /// Toggles the favourite mark of the selection.
  void toggleFavourite();

 signals:
  void imageSelected(const QString& path);
  void restoreRequested(const QString& path);
  void compareRequested(const QString& pathA, const QString& pathB);
  void forwardProcessRequested(const QString& path);
  /// "Edit": open the image on the edit page.
  void editRequested(const QString& path);
  /// The "from" link: compare an edit's result with its stored source.
  void sourceCompareRequested(const QString& path);
  void errorOccurred(const QString& message);

 private:
  void deleteSelectedWithConfirmation();
  void updateActions();
  void showContextMenu(const QPoint& pos);

  GalleryModel* m_model;
  QSortFilterProxyModel* m_proxy;
  QListView* m_view;
  QAction* m_favourite;
  QAction* m_restore;
  QAction* m_compare;
  QAction* m_forward;
  QAction* m_edit;
  QLabel* m_from;
  QAction* m_delete;
  QAction* m_favouritesOnly;
  QAction* m_refresh;
};

}  // namespace lienzo::ui
