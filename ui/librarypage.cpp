#include "ui/librarypage.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace lienzo::ui {

namespace {
QString qs(const std::filesystem::path& p) {
  return QString::fromStdString(p.string());
}
}  // namespace

LibraryPage::LibraryPage(std::filesystem::path file, QWidget* parent)
    : QWidget(parent),
      m_file(std::move(file)),
      m_roots(new QTreeWidget(this)),
      m_category(new QComboBox(this)),
      m_status(new QLabel(this)) {
  try {
    m_settings = LibrarySettings::load(m_file);
  } catch (const std::exception& e) {
    m_loadFailed = true;
    m_status->setText(tr("The library settings could not be read; they are left as they are: %1")
                          .arg(QString::fromUtf8(e.what())));
  }
  m_original = m_settings.roots;

  auto* intro = new QLabel(
      tr("Lienzo reads checkpoints, LoRAs, embeddings, VAEs and ControlNets where they lie: "
         "add an AUTOMATIC1111 or ComfyUI install (its model folders and "
         "extra_model_paths.yaml) or any folder. Nothing is copied."),
      this);
  intro->setWordWrap(true);

  m_roots->setObjectName(QStringLiteral("libraryRoots"));
  m_roots->setRootIsDecorated(false);
  m_roots->setHeaderLabels({tr("Kind"), tr("Contents"), tr("Folder")});
  m_roots->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_roots->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  m_roots->header()->setStretchLastSection(true);
  m_roots->setTextElideMode(Qt::ElideMiddle);

  auto* addA1111 = new QPushButton(tr("Add A1111 install…"), this);
  addA1111->setObjectName(QStringLiteral("addA1111"));
  connect(addA1111, &QPushButton::clicked, this, [this] { addWithDialog(RootKind::A1111); });
  auto* addComfy = new QPushButton(tr("Add ComfyUI install…"), this);
  addComfy->setObjectName(QStringLiteral("addComfyUI"));
  connect(addComfy, &QPushButton::clicked, this, [this] { addWithDialog(RootKind::ComfyUI); });
  auto* addFolder = new QPushButton(tr("Add folder…"), this);
  addFolder->setObjectName(QStringLiteral("addFolder"));
  connect(addFolder, &QPushButton::clicked, this, [this] { addWithDialog(RootKind::Folder); });
  m_category->setObjectName(QStringLiteral("folderCategory"));
  m_category->setToolTip(tr("What a plain folder holds"));
  m_category->addItem(categoryLabel(std::nullopt), -1);
  for (ModelCategory c : kModelCategories)
    m_category->addItem(categoryLabel(c), static_cast<int>(c));
  auto* remove = new QPushButton(tr("Remove"), this);
  remove->setObjectName(QStringLiteral("removeRoot"));
  connect(remove, &QPushButton::clicked, this, &LibraryPage::removeSelected);
  auto* rescan = new QPushButton(tr("Rescan now"), this);
  rescan->setObjectName(QStringLiteral("rescanLibrary"));
  connect(rescan, &QPushButton::clicked, this, &LibraryPage::rescanRequested);

  auto* installs = new QHBoxLayout;
  installs->addWidget(addA1111);
  installs->addWidget(addComfy);
  installs->addStretch(1);
  installs->addWidget(remove);
  auto* folders = new QHBoxLayout;
  folders->addWidget(addFolder);
  folders->addWidget(new QLabel(tr("holding"), this));
  folders->addWidget(m_category);
  folders->addStretch(1);
  folders->addWidget(rescan);

  m_status->setWordWrap(true);
  m_status->setObjectName(QStringLiteral("libraryStatus"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(m_roots, 1);
  layout->addLayout(installs);
  layout->addLayout(folders);
  layout->addWidget(m_status);
  refresh();
}

QString LibraryPage::kindLabel(RootKind kind) {
  switch (kind) {
    case RootKind::A1111:
      return tr("A1111 install");
    case RootKind::ComfyUI:
      return tr("ComfyUI install");
    case RootKind::Folder:
      break;
  }
  return tr("Folder");
}

QString LibraryPage::categoryLabel(std::optional<ModelCategory> category) {
  if (!category) return tr("Detect per file");
  switch (*category) {
    case ModelCategory::Checkpoint:
      return tr("Checkpoints");
    case ModelCategory::Lora:
      return tr("LoRAs");
    case ModelCategory::Embedding:
      return tr("Embeddings");
    case ModelCategory::Vae:
      return tr("VAEs");
    case ModelCategory::ControlNet:
      return tr("ControlNets");
    case ModelCategory::VaeApprox:
      return tr("Preview decoders (TAESD)");
  }
  return {};
}

bool LibraryPage::addRoot(const LibraryRoot& root) {
  const bool added = m_settings.addRoot(root);
  refresh();
  return added;
}

void LibraryPage::removeSelected() {
  QTreeWidgetItem* item = m_roots->currentItem();
  if (!item) return;
  const int row = m_roots->indexOfTopLevelItem(item);
  if (row < 0 || row >= static_cast<int>(m_settings.roots.size())) return;
  m_settings.roots.erase(m_settings.roots.begin() + row);
  refresh();
}

void LibraryPage::addWithDialog(RootKind kind) {
  const QString title = kind == RootKind::A1111     ? tr("Choose the AUTOMATIC1111 folder")
                        : kind == RootKind::ComfyUI ? tr("Choose the ComfyUI folder")
                                                    : tr("Choose a folder of models");
  const QString dir = QFileDialog::getExistingDirectory(this, title);
  if (dir.isEmpty()) return;
  LibraryRoot root;
  root.kind = kind;
  root.path = dir.toStdString();
  const bool unexpected = kind != RootKind::Folder && detectLayout(root.path) != kind;
  if (kind == RootKind::Folder) {
    const int category = m_category->currentData().toInt();
    if (category >= 0) root.category = static_cast<ModelCategory>(category);
  }
  if (!addRoot(root)) {
    m_status->setText(tr("%1 is in the list already.").arg(dir));
  } else if (unexpected) {
    m_status->setText(tr("%1 does not look like a %2; added anyway (check the folder).")
                          .arg(dir, kindLabel(kind)));
  }
}

void LibraryPage::refresh() {
  m_roots->clear();
  for (const LibraryRoot& root : m_settings.roots) {
    auto* item = new QTreeWidgetItem(m_roots);
    item->setText(0, kindLabel(root.kind));
    item->setText(
        1, root.kind == RootKind::Folder ? categoryLabel(root.category) : tr("Every model folder"));
    item->setText(2, qs(root.path));
    std::error_code ec;
    if (!std::filesystem::is_directory(root.path, ec)) {
      item->setForeground(2, QBrush(Qt::red));
      item->setToolTip(2, tr("This folder does not exist (now)."));
    } else {
      item->setToolTip(2, qs(root.path));
    }
  }
  if (!m_loadFailed && m_settings.roots.empty()) {
    m_status->setText(tr("No library yet: add an install or a folder."));
  } else if (!m_loadFailed) {
    m_status->setText(tr("Stored in %1").arg(qs(m_file)));
  }
}

bool LibraryPage::save(QString* error) const {
  if (m_loadFailed) {
    if (error) *error = tr("The library settings were not saved: the file could not be read.");
    return false;
  }
  try {
    m_settings.save(m_file);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

}  // namespace lienzo::ui
