// `lienzo`: the studio (no sub-command, or `gui`) and the command line (info, generate, bench...).
#include "app/cli_bench.h"
#include "app/cli_eval.h"
#include "app/cli_info.h"
#include "app/cli_library.h"
#ifdef LIENZO_HAVE_IMAGEIO
#include "app/cli_generate.h"
#endif
#ifdef LIENZO_HAVE_TRAINER
#include "app/cli_train.h"
#endif

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#ifdef LIENZO_HAVE_UI
#include "ui/studio.h"
#endif

namespace {

void printUsage() {
  std::cout
      << "usage: lienzo [gui] [--grab FILE] [--lang es|en] [IMAGE...]   start the studio\n"
         "       lienzo generate --prompt TEXT -o OUT.png ...     txt2img (see --help)\n"
         "       lienzo bench [--arch sd15|sd21|sdxl] ...        speed and memory\n"
         "       lienzo eval --render N | IMAGE... | --model FILE  score scenes (built-in model)\n"
         "       lienzo train tokenizer|vae|diffusion|export ... train the built-in model\n"
         "       lienzo info FILE...                          describe checkpoints\n"
         "       lienzo library scan|add|remove|roots|find ...  the model library (see --help)\n"
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
  if (command == "library") return lienzo::cli::runLibrary(argc - 2, argv + 2);
  if (command == "bench") return lienzo::cli::runBench(argc - 2, argv + 2);
  if (command == "eval") return lienzo::cli::runEval(argc - 2, argv + 2);
  if (command == "train") {
#ifdef LIENZO_HAVE_TRAINER
    return lienzo::cli::runTrain(argc - 2, argv + 2);
#else
    std::cerr << "lienzo: this build has no trainer (needs SentencePiece)\n";
    return 2;
#endif
  }
  if (command == "generate") {
#ifdef LIENZO_HAVE_IMAGEIO
    return lienzo::cli::runGenerate(argc - 2, argv + 2);
#else
    std::cerr << "lienzo: this build has no image I/O (LIENZO_WITH_IMAGEIO=OFF)\n";
    return 2;
#endif
  }
  const bool openFile = !command.empty() && std::filesystem::is_regular_file(command);
  if (command.empty() || command == "gui" || command.rfind("--", 0) == 0 || openFile) {
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
