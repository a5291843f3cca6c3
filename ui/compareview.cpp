#include "ui/compareview.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/canvas.h"
#include "ui/icons.h"
#include "ui/parameterdiff.h"

namespace lienzo::ui {

CompareView::CompareView(QWidget* parent)
    : QWidget(parent),
      m_stack(new QStackedWidget(this)),
      m_left(new Canvas(this)),
      m_right(new Canvas(this)),
      m_wipeCanvas(new Canvas(this)),
      m_wipeSlider(new QSlider(Qt::Horizontal, this)),
      m_titleA(new QLabel(this)),
      m_titleB(new QLabel(this)),
      m_sideBySide(new QToolButton(this)),
      m_wipe(new QToolButton(this)),
      m_table(new QTableWidget(this)),
      m_onlyDifferences(new QCheckBox(tr("Only differences"), this)) {
  const QString empty = tr("Select two images in the gallery and choose Compare.");
  for (Canvas* c : {m_left, m_right, m_wipeCanvas}) c->setPlaceholderText(empty);

  // Synchronised zoom and pan, both ways (setView does not echo).
  connect(m_left, &Canvas::viewChanged, m_right, &Canvas::setView);
  connect(m_right, &Canvas::viewChanged, m_left, &Canvas::setView);
  connect(m_left, &Canvas::viewChanged, m_wipeCanvas, &Canvas::setView);
  connect(m_wipeCanvas, &Canvas::viewChanged, m_left, &Canvas::setView);
  connect(m_wipeCanvas, &Canvas::viewChanged, m_right, &Canvas::setView);

  auto* sideBySide = new QSplitter(Qt::Horizontal, this);
  sideBySide->addWidget(m_left);
  sideBySide->addWidget(m_right);
  auto* wipePage = new QWidget(this);
  auto* wipeLayout = new QVBoxLayout(wipePage);
  wipeLayout->setContentsMargins(0, 0, 0, 0);
  wipeLayout->addWidget(m_wipeCanvas, 1);
  m_wipeSlider->setObjectName(QStringLiteral("wipeSlider"));
  m_wipeSlider->setRange(0, 1000);
  m_wipeSlider->setValue(500);
  m_wipeSlider->setToolTip(tr("Wipe: left of the line is A, right of it is B"));
  wipeLayout->addWidget(m_wipeSlider);
  connect(m_wipeSlider, &QSlider::valueChanged, this,
          [this](int v) { m_wipeCanvas->setWipe(v / 1000.0); });
  m_stack->addWidget(sideBySide);
  m_stack->addWidget(wipePage);

  m_sideBySide->setText(tr("Side by side"));
  m_sideBySide->setIcon(studioIcon(StudioIcon::Compare));
  m_wipe->setText(tr("Wipe"));
  for (QToolButton* b : {m_sideBySide, m_wipe}) {
    b->setCheckable(true);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  }
  auto* group = new QButtonGroup(this);
  group->addButton(m_sideBySide);
  group->addButton(m_wipe);
  m_sideBySide->setChecked(true);
  connect(m_sideBySide, &QToolButton::clicked, this, [this] { setMode(Mode::SideBySide); });
  connect(m_wipe, &QToolButton::clicked, this, [this] { setMode(Mode::Wipe); });
  auto* fit = new QToolButton(this);
  fit->setIcon(studioIcon(StudioIcon::ZoomFit));
  fit->setToolTip(tr("Zoom to fit"));
  connect(fit, &QToolButton::clicked, this, [this] {
    for (Canvas* c : {m_left, m_right, m_wipeCanvas}) c->zoomToFit();
  });
  auto* actual = new QToolButton(this);
  actual->setIcon(studioIcon(StudioIcon::ZoomActual));
  actual->setToolTip(tr("Actual size (1:1)"));
  connect(actual, &QToolButton::clicked, this, [this] {
    m_left->zoomActualSize();  // the others follow through viewChanged
  });

  auto* header = new QHBoxLayout;
  header->addWidget(m_titleA, 1);
  header->addWidget(m_sideBySide);
  header->addWidget(m_wipe);
  header->addWidget(fit);
  header->addWidget(actual);
  header->addWidget(m_onlyDifferences);
  header->addWidget(m_titleB, 1);
  m_titleB->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

  m_table->setObjectName(QStringLiteral("compareTable"));
  m_table->setColumnCount(3);
  m_table->setHorizontalHeaderLabels({tr("Parameter"), tr("A"), tr("B")});
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setWordWrap(false);  // one line per parameter; the tooltip has the whole value
  m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
  m_onlyDifferences->setObjectName(QStringLiteral("onlyDifferences"));
  connect(m_onlyDifferences, &QCheckBox::toggled, this, &CompareView::updateRowVisibility);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(m_stack);
  split->addWidget(m_table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({360, 240});  // room for ~9 parameter rows
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(header);
  layout->addWidget(split, 1);
}

void CompareView::setItems(const CompareItem& a, const CompareItem& b) {
  m_titleA->setText(tr("A: %1").arg(a.title));
  m_titleB->setText(tr("B: %1").arg(b.title));
  m_left->setImage(a.image);
  m_right->setImage(b.image);
  m_wipeCanvas->setImage(a.image);
  m_wipeCanvas->setOverlay(
      b.image.size() == a.image.size()
          ? b.image
          : b.image.scaled(a.image.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
  for (Canvas* c : {m_left, m_right, m_wipeCanvas}) c->zoomToFit();
  fillTable(a.info, b.info);
}

void CompareView::setMode(Mode mode) {
  m_mode = mode;
  m_stack->setCurrentIndex(mode == Mode::SideBySide ? 0 : 1);
  m_sideBySide->setChecked(mode == Mode::SideBySide);
  m_wipe->setChecked(mode == Mode::Wipe);
}

void CompareView::setWipe(double position) {
  m_wipeSlider->setValue(static_cast<int>(position * 1000.0 + 0.5));
}

QStringList CompareView::differingKeys() const {
  QStringList out;
  for (int row = 0; row < m_table->rowCount(); ++row) {
    if (m_table->item(row, 0)->data(Qt::UserRole).toBool()) {
      out << m_table->item(row, 0)->data(Qt::UserRole + 1).toString();
    }
  }
  return out;
}

void CompareView::fillTable(const Infotext& a, const Infotext& b) {
  const auto rows = compareParameters(a, b);
  m_table->setRowCount(static_cast<int>(rows.size()));
  const QColor highlight = QColor(230, 160, 40, 90);
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const ParameterRow& row = rows[static_cast<size_t>(r)];
    QString label = row.key;
    if (row.key == QLatin1String("Prompt")) label = tr("Prompt");
    if (row.key == QLatin1String("Negative prompt")) label = tr("Negative prompt");
    auto* key = new QTableWidgetItem(label);
    key->setData(Qt::UserRole, row.differs);
    key->setData(Qt::UserRole + 1, row.key);
    auto* va = new QTableWidgetItem(row.valueA);
    auto* vb = new QTableWidgetItem(row.valueB);
    va->setToolTip(row.valueA);
    vb->setToolTip(row.valueB);
    for (QTableWidgetItem* item : {key, va, vb}) {
      if (row.differs) {
        item->setBackground(highlight);
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
    }
    m_table->setItem(r, 0, key);
    m_table->setItem(r, 1, va);
    m_table->setItem(r, 2, vb);
  }
  updateRowVisibility();
}

void CompareView::updateRowVisibility() {
  const bool only = m_onlyDifferences->isChecked();
  for (int row = 0; row < m_table->rowCount(); ++row) {
    m_table->setRowHidden(row, only && !m_table->item(row, 0)->data(Qt::UserRole).toBool());
  }
}

}  // namespace lienzo::ui
