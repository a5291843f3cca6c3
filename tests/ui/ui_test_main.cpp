// main() of the UI test executables: offscreen Qt, settings and data in a private temporary
// folder (never the user's), then GoogleTest.
#include <QTemporaryDir>
#ifdef QT_WIDGETS_LIB
#include <QApplication>
using TestApplication = QApplication;
#else
#include <QGuiApplication>  // the glue tests prove they need no widgets
using TestApplication = QGuiApplication;
#endif

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");  // before QApplication: no display in CI
  QTemporaryDir home;
  const QByteArray root = home.path().toLocal8Bit();
  qputenv("XDG_CONFIG_HOME", root + "/config");
  qputenv("XDG_DATA_HOME", root + "/data");
  qputenv("XDG_CACHE_HOME", root + "/cache");
  TestApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("LienzoTests"));
  QCoreApplication::setApplicationName(QStringLiteral("lienzo-ui-tests"));
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
