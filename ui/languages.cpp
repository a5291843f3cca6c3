#include "ui/languages.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace lienzo::ui {

QStringList availableLanguages() {
  return {QStringLiteral("en"), QStringLiteral("es")};
}

QString resolveLanguage(const QString& requested) {
  QStringList candidates;
  if (requested.isEmpty()) {
    candidates = QLocale::system().uiLanguages();
  } else {
    candidates << requested;
  }
  for (QString code : candidates) {
    code = code.left(2).toLower();
    if (availableLanguages().contains(code)) return code;
  }
  return QStringLiteral("en");
}

bool installTranslators(QCoreApplication& app, const QString& language) {
  // English is the source language; its catalogue only adds plural forms.
  auto* lienzo = new QTranslator(&app);
  if (!lienzo->load(QStringLiteral("lienzo_") + language, QStringLiteral(":/i18n"))) {
    delete lienzo;
    return language == QLatin1String("en");
  }
  QCoreApplication::installTranslator(lienzo);
  // Qt's own strings (standard buttons, file dialogs), when the system has them.
  auto* qt = new QTranslator(&app);
  if (qt->load(QStringLiteral("qtbase_") + language,
               QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(qt);
  } else {
    delete qt;
  }
  return true;
}

}  // namespace lienzo::ui
