// `lienzo`: the studio (no sub-command, or `gui`) and the command line (info, generate, bench...).
#include "app/cli_info.h"

#include <cstring>
#include <iostream>
#include <string>

#ifdef LIENZO_HAVE_UI
#include "ui/studio.h"
#endif

namespace {

void printUsage() {
  std::cout << "usage: lienzo [gui] [--grab FILE] [--lang es|en]   start the studio\n"
               "       lienzo info FILE...                          describe checkpoints\n"
               "       lienzo --version | --help\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--version" || command == "-V") {
    std::cout << "lienzo " << LIENZO_VERSION << "\n";
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    printUsage();
    return 0;
  }
  if (command == "info") return lienzo::cli::runInfo(argc - 2, argv + 2);
  if (command.empty() || command == "gui" || command.rfind("--", 0) == 0) {
#ifdef LIENZO_HAVE_UI
    return lienzo::runStudio(argc, argv);
#else
    std::cerr << "lienzo: this build has no desktop studio (LIENZO_BUILD_UI=OFF)\n";
    printUsage();
    return 2;
#endif
  }
  std::cerr << "lienzo: unknown command '" << command << "'\n";
  printUsage();
  return 2;
}
