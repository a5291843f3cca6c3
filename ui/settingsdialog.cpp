#include "ui/settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/gallerystore.h"
#include "ui/librarypage.h"

namespace lienzo::ui {

SettingsDialog::SettingsDialog(QWidget* parent, std::filesystem::path libraryFile)
    : QDialog(parent),
      m_folder(new QLineEdit(this)),
      m_language(new QComboBox(this)),
      m_previews(new QCheckBox(tr("Show a preview at every step"), this)),
      m_pages(new QTabWidget(this)),
      m_library(new LibraryPage(std::move(libraryFile), this)) {
  setWindowTitle(tr("Settings"));
  const QSettings s;
  m_folder->setObjectName(QStringLiteral("galleryFolder"));
  m_folder->setText(
      s.value(SettingsKeys::galleryFolder(), GalleryStore::defaultFolder()).toString());
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Gallery folder"), m_folder->text());
    if (!dir.isEmpty()) m_folder->setText(dir);
  });
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(m_folder, 1);
  folderRow->addWidget(browse);

  m_language->setObjectName(QStringLiteral("language"));
  m_language->addItem(tr("System default"), QString());
  m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));  // endonyms: not translated
  m_language->addItem(QStringLiteral("Español"), QStringLiteral("es"));
  const int lang = m_language->findData(s.value(SettingsKeys::language()).toString());
  m_language->setCurrentIndex(lang >= 0 ? lang : 0);
  m_previews->setChecked(s.value(SettingsKeys::previews(), true).toBool());

  auto* form = new QFormLayout;
  form->addRow(tr("Gallery folder"), folderRow);
  form->addRow(tr("Language"), m_language);
  form->addRow(QString(), new QLabel(tr("The language changes at the next start."), this));
  form->addRow(QString(), m_previews);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* general = new QWidget(this);
  auto* generalLayout = new QVBoxLayout(general);
  generalLayout->addLayout(form);
  generalLayout->addStretch(1);
  m_pages->setObjectName(QStringLiteral("settingsPages"));
  m_pages->addTab(general, tr("General"));
  m_pages->addTab(m_library, tr("Model library"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_pages, 1);
  layout->addWidget(buttons);
  resize(680, 460);
}

void SettingsDialog::save() const {
  QSettings s;
  s.setValue(SettingsKeys::galleryFolder(), galleryFolder());
  s.setValue(SettingsKeys::language(), language());
  s.setValue(SettingsKeys::previews(), previews());
}

QString SettingsDialog::galleryFolder() const {
  return m_folder->text().trimmed();
}
QString SettingsDialog::language() const {
  return m_language->currentData().toString();
}
bool SettingsDialog::previews() const {
  return m_previews->isChecked();
}

}  // namespace lienzo::ui
