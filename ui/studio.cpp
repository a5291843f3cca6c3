#include "ui/studio.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include "ui/generationbackend.h"
#include "ui/languages.h"
#include "ui/mainwindow.h"
#include "ui/settingsdialog.h"

namespace lienzo {

int runStudio(int argc, char** argv) {
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Lienzo"));
  QCoreApplication::setApplicationName(QStringLiteral("Lienzo"));
  QCoreApplication::setApplicationVersion(QStringLiteral(LIENZO_VERSION));

  QCommandLineParser parser;
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption grab(
      QStringLiteral("grab"),
      QCoreApplication::translate("Studio",
                                  "Save a screenshot of the main window to <file> and exit."),
      QStringLiteral("file"));
  const QCommandLineOption lang(
      QStringLiteral("lang"), QCoreApplication::translate("Studio", "Interface language (en, es)."),
      QStringLiteral("code"));
  const QCommandLineOption gallery(
      QStringLiteral("gallery"),
      QCoreApplication::translate("Studio", "Gallery folder for this run."), QStringLiteral("dir"));
  parser.addOptions({grab, lang, gallery});
  parser.addPositionalArgument(
      QStringLiteral("files"),
      QCoreApplication::translate("Studio", "Images to open (their parameters are restored)."),
      QStringLiteral("[gui] [files...]"));
  parser.process(app);

  const QString requested = parser.isSet(lang)
                                ? parser.value(lang)
                                : QSettings().value(ui::SettingsKeys::language()).toString();
  ui::installTranslators(app, ui::resolveLanguage(requested));

  ui::MainWindow window(ui::makeDefaultBackend());
  if (parser.isSet(gallery)) window.setGalleryFolder(QDir(parser.value(gallery)).absolutePath());
  window.show();
  for (const QString& arg : parser.positionalArguments()) {
    if (arg == QLatin1String("gui")) continue;
    window.openImage(QFileInfo(arg).absoluteFilePath());  // "Open with Lienzo" (MimeType=image/png)
  }

  if (parser.isSet(grab)) {
    const QString file = parser.value(grab);
    QTimer::singleShot(500, &window, [&window, &app, file] {
      const bool ok = window.grab().save(file);
      app.exit(ok ? 0 : 1);  // the window's destructor stops the worker
    });
  }
  return app.exec();
}

}  // namespace lienzo
