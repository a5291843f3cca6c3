// Interface language: English (source) or Spanish, chosen from the system locale unless the
// setting "ui/language" or --lang overrides it.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace lienzo::ui {

/// The languages with a complete translation ("en", "es").
QStringList availableLanguages();

/// "en" or "es" for `requested` (a code such as "es" or "es_MX"); empty `requested` follows the
/// system locale; anything unsupported gives "en".
QString resolveLanguage(const QString& requested);

/// Installs the translators for `language` (Lienzo's and, when present, Qt's own) on `app`;
/// false when Lienzo's translation could not be loaded (English works without its catalogue).
bool installTranslators(QCoreApplication& app, const QString& language);

}  // namespace lienzo::ui
