#include "ui/queuepanel.h"

#include <QHBoxLayout>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/generationcontroller.h"

namespace lienzo::ui {

QueuePanel::QueuePanel(GenerationController* controller, QWidget* parent)
    : QWidget(parent),
      m_controller(controller),
      m_list(new QListView(this)),
      m_remove(new QPushButton(tr("Remove"), this)),
      m_clear(new QPushButton(tr("Clear finished"), this)) {
  m_list->setObjectName(QStringLiteral("queueList"));
  m_list->setModel(controller->queue());
  m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_list->setUniformItemSizes(true);
  m_remove->setToolTip(tr("Remove the selected jobs that have not started"));
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(m_remove);
  buttons->addWidget(m_clear);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_list, 1);
  layout->addLayout(buttons);

  connect(m_remove, &QPushButton::clicked, this, &QueuePanel::removeSelected);
  connect(m_clear, &QPushButton::clicked, controller->queue(), &JobQueue::clearFinished);
  connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &QueuePanel::updateButtons);
  connect(controller->queue(), &JobQueue::dataChanged, this, &QueuePanel::updateButtons);
  connect(controller->queue(), &JobQueue::rowsRemoved, this, &QueuePanel::updateButtons);
  updateButtons();
}

void QueuePanel::removeSelected() {
  QList<quint64> ids;
  for (const QModelIndex& index : m_list->selectionModel()->selectedIndexes()) {
    ids << index.data(JobQueue::IdRole).toULongLong();
  }
  for (quint64 id : ids) m_controller->removeQueued(id);
}

void QueuePanel::updateButtons() {
  bool removable = false;
  for (const QModelIndex& index : m_list->selectionModel()->selectedIndexes()) {
    removable |= index.data(JobQueue::StatusRole).toInt() == static_cast<int>(JobStatus::Queued);
  }
  m_remove->setEnabled(removable);
}

}  // namespace lienzo::ui
