#include "app/cli_library.h"

#include "app/cli_args.h"
#include "app/cli_common.h"
#include "core/library/library_settings.h"
#include "core/library/model_library.h"
#include "core/pipeline/memory_plan.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace lienzo::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: lienzo library scan [ROOT...] [--a1111 DIR] [--comfyui DIR]\n"
    "                           [--folder [CATEGORY=]DIR]... [--category CATEGORY] [--no-hash]\n"
    "       lienzo library add ROOT... | --a1111 DIR | --comfyui DIR | --folder [CATEGORY=]DIR\n"
    "       lienzo library remove DIR...\n"
    "       lienzo library roots\n"
    "       lienzo library set-vae CHECKPOINT [VAE]   external VAE for a checkpoint (none: its "
    "own)\n"
    "       lienzo library find NAME|HASH [--category CATEGORY] [roots as for scan]\n"
    "  ROOT: a folder whose layout is detected (A1111 install, ComfyUI install, plain folder).\n"
    "  CATEGORY: checkpoint, lora, embedding, vae, controlnet. A --folder without one is sorted\n"
    "  file by file from the safetensors header.\n"
    "  scan and find without roots use the stored ones. Files are read where they are.\n"
    "  --settings FILE   instead of $XDG_CONFIG_HOME/lienzo/library.json\n"
    "  --cache FILE      instead of $XDG_CACHE_HOME/lienzo/model-hashes.json\n"
    "  --no-hash         list from the cache and headers only (no file is hashed)\n";

struct Options {
  std::vector<LibraryRoot> roots;
  std::vector<std::string> positional;
  std::optional<ModelCategory> category;
  bool hash = true;
  std::optional<fs::path> settingsFile;
  std::optional<fs::path> cacheFile;
};

ModelCategory categoryOrThrow(const std::string& text) {
  const auto c = parseCategory(text);
  if (!c)
    throw UsageError("unknown category '" + text +
                     "' (checkpoint, lora, embedding, vae or controlnet)");
  return *c;
}

LibraryRoot folderRoot(const std::string& value) {
  LibraryRoot root;
  root.kind = RootKind::Folder;
  const auto eq = value.find('=');
  if (eq != std::string::npos && parseCategory(value.substr(0, eq))) {
    root.category = parseCategory(value.substr(0, eq));
    root.path = value.substr(eq + 1);
  } else {
    root.path = value;
  }
  if (root.path.empty()) throw UsageError("--folder needs a folder");
  return root;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inlineValue;
    if (arg.rfind("--", 0) == 0) {
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        inlineValue = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    const auto value = [&]() -> std::string {
      if (inlineValue) return *inlineValue;
      if (i + 1 >= argc) throw UsageError("option " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--a1111") {
      o.roots.push_back({RootKind::A1111, value(), std::nullopt});
    } else if (arg == "--comfyui") {
      o.roots.push_back({RootKind::ComfyUI, value(), std::nullopt});
    } else if (arg == "--folder") {
      o.roots.push_back(folderRoot(value()));
    } else if (arg == "--category") {
      o.category = categoryOrThrow(value());
    } else if (arg == "--no-hash") {
      if (inlineValue) throw UsageError("--no-hash takes no value");
      o.hash = false;
    } else if (arg == "--settings") {
      o.settingsFile = value();
    } else if (arg == "--cache") {
      o.cacheFile = value();
    } else if (arg.rfind("--", 0) == 0) {
      throw UsageError("unknown option " + arg);
    } else {
      o.positional.push_back(arg);
    }
  }
  return o;
}

LibraryRoot detectedRoot(const fs::path& dir) {
  return {detectLayout(dir), dir, std::nullopt};
}

fs::path settingsFileOf(const Options& o) {
  return o.settingsFile ? *o.settingsFile : LibrarySettings::defaultFile();
}

/// `s` padded to `width` columns (UTF-8 aware: counts code points, not bytes).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t columns = 0;
  for (const unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++columns;
  return columns >= width ? s + " " : s + std::string(width - columns, ' ');
}

std::string describeRoot(const LibraryRoot& r) {
  std::string s = std::string(rootKindName(r.kind)) + "  " + r.path.string();
  if (r.kind == RootKind::Folder)
    s += r.category ? std::string("  (") + categoryName(*r.category) + ")"
                    : "  (category from each file)";
  return s;
}

/// The roots to scan: the options', else the positional folders, else the stored ones.
std::vector<LibraryRoot> rootsOf(const Options& o, bool positionalAreRoots) {
  std::vector<LibraryRoot> roots = o.roots;
  if (positionalAreRoots)
    for (const auto& p : o.positional) roots.push_back(detectedRoot(p));
  if (!roots.empty()) return roots;
  roots = LibrarySettings::load(settingsFileOf(o)).roots;
  if (roots.empty())
    throw UsageError(
        "no library roots: give --a1111 DIR, --comfyui DIR or --folder [CATEGORY=]DIR, or store "
        "them with `lienzo library add`");
  return roots;
}

ModelLibrary scanRoots(const Options& o, const std::vector<LibraryRoot>& roots,
                       ScanReport& report) {
  HashCache cache(o.cacheFile ? *o.cacheFile : HashCache::defaultFile());
  if (const auto warning = cache.load()) std::cerr << "lienzo library: " << *warning << "\n";
  ScanOptions options;
  options.hash = o.hash;
  ModelLibrary library = ModelLibrary::scan(roots, cache, report, options);
  cache.save();
  return library;
}

void printTable(const ModelLibrary& library, const std::optional<ModelCategory>& only) {
  std::cout << pad("CATEGORY", 12) << pad("FAMILY", 18) << pad("HASH", 14) << pad("SIZE", 11)
            << pad("PREVIEW", 8) << "NAME  (PATH)\n";
  for (const auto& e : library.entries()) {
    if (only && e.category != *only) continue;
    const bool pickle = !e.loadable && e.note.rfind("pickle", 0) == 0;
    const std::string family = e.loadable ? e.family.label() : pickle ? "pickle" : "unreadable";
    const std::string hash = e.shortHash().empty() ? "-" : e.shortHash();
    std::cout << pad(categoryName(e.category), 12) << pad(family, 18) << pad(hash, 14)
              << pad(formatBytes(e.size), 11) << pad(e.preview.empty() ? "-" : "yes", 8)
              << e.relativeName << "  (" << e.path.string() << ")";
    if (!e.note.empty()) std::cout << "  — " << e.note;
    std::cout << "\n";
  }
}

int runScan(const Options& o) {
  const auto roots = rootsOf(o, true);
  ScanReport report;
  const ModelLibrary library = scanRoots(o, roots, report);
  printTable(library, o.category);
  std::size_t counts[kModelCategories.size()] = {};
  for (const auto& e : library.entries()) ++counts[static_cast<std::size_t>(e.category)];
  std::cout << "\n" << report.files << " files:";
  for (const auto c : kModelCategories)
    std::cout << " " << categoryName(c) << " " << counts[static_cast<std::size_t>(c)]
              << (c == kModelCategories.back() ? "" : ",");
  std::cout << "\nhashed " << report.hashed << " files, read " << report.headersRead
            << " headers (the rest came from the cache)\n";
  for (const auto& folder : report.missingFolders)
    std::cout << "missing folder (skipped): " << folder.string() << "\n";
  for (const auto& warning : report.warnings) std::cerr << "lienzo library: " << warning << "\n";
  return 0;
}

int runFind(const Options& o) {
  if (o.positional.size() != 1) throw UsageError("find takes one NAME or HASH");
  const std::string& key = o.positional[0];
  ScanReport report;
  const ModelLibrary library = scanRoots(o, rootsOf(o, false), report);
  int found = 0;
  for (const auto c : kModelCategories) {
    if (o.category && c != *o.category) continue;
    if (const auto* e = library.find(c, key)) {
      std::cout << categoryName(c) << "  " << e->name << "  " << e->path.string() << "\n"
                << "  family:  " << e->family.label() << "  (" << e->family.basis << ")\n"
                << "  sha256:  " << (e->sha256.empty() ? "-" : e->sha256) << "\n";
      if (!e->tensorSha256.empty())
        std::cout << "  tensors: " << e->tensorSha256 << "  (A1111 LoRA hash)\n";
      std::cout << "  short:   " << (e->shortHash().empty() ? "-" : e->shortHash()) << "\n";
      if (!e->preview.empty()) std::cout << "  preview: " << e->preview.string() << "\n";
      if (!e->note.empty()) std::cout << "  note:    " << e->note << "\n";
      ++found;
    }
  }
  if (found == 0) {
    std::cerr << "lienzo library: nothing named or hashed '" << key << "'\n";
    return 1;
  }
  return 0;
}

int runAdd(const Options& o) {
  std::vector<LibraryRoot> roots = o.roots;
  for (const auto& p : o.positional) roots.push_back(detectedRoot(p));
  if (roots.empty()) throw UsageError("add needs a ROOT, --a1111, --comfyui or --folder");
  const fs::path file = settingsFileOf(o);
  LibrarySettings settings = LibrarySettings::load(file);
  for (auto root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root.path, ec))
      std::cerr << "lienzo library: note: " << root.path.string()
                << " is not a folder (yet); stored anyway\n";
    const std::string text = describeRoot(root);
    std::cout << (settings.addRoot(root) ? "added:   " : "already: ") << text << "\n";
  }
  settings.save(file);
  std::cout << "saved " << file.string() << "\n";
  return 0;
}

int runRemove(const Options& o) {
  if (o.positional.empty()) throw UsageError("remove needs the folder of a stored root");
  const fs::path file = settingsFileOf(o);
  LibrarySettings settings = LibrarySettings::load(file);
  int status = 0;
  for (const auto& p : o.positional) {
    if (settings.removeRoot(p) == 0) {
      std::cerr << "lienzo library: no stored root at " << p << "\n";
      status = 1;
    } else {
      std::cout << "removed: " << p << "\n";
    }
  }
  settings.save(file);
  return status;
}

int runRoots(const Options& o) {
  const fs::path file = settingsFileOf(o);
  const LibrarySettings settings = LibrarySettings::load(file);
  std::cout << "library settings: " << file.string() << "\n";
  if (settings.roots.empty()) std::cout << "no roots stored\n";
  for (const auto& r : settings.roots) std::cout << "  " << describeRoot(r) << "\n";
  for (const auto& [checkpoint, vae] : settings.checkpointVae)
    std::cout << "  VAE for " << checkpoint << ": " << vae.string() << "\n";
  return 0;
}

int runSetVae(const Options& o) {
  if (o.positional.empty() || o.positional.size() > 2)
    throw UsageError("set-vae takes CHECKPOINT and, to choose one, VAE");
  const fs::path file = settingsFileOf(o);
  LibrarySettings settings = LibrarySettings::load(file);
  const fs::path checkpoint = o.positional[0];
  const fs::path vae = o.positional.size() == 2 ? fs::path(o.positional[1]) : fs::path();
  settings.setVaeFor(checkpoint, vae);
  settings.save(file);
  if (vae.empty())
    std::cout << checkpoint.string() << ": its own VAE\n";
  else
    std::cout << checkpoint.string() << ": VAE " << settings.vaeFor(checkpoint)->string() << "\n";
  return 0;
}

}  // namespace

int runLibrary(int argc, char** argv) {
  const std::string sub = argc > 0 ? argv[0] : "";
  if (sub.empty() || sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << kUsage;
    return sub.empty() ? 2 : 0;
  }
  try {
    const Options o = parseOptions(argc - 1, argv + 1);
    if (sub == "scan") return runScan(o);
    if (sub == "find") return runFind(o);
    if (sub == "add") return runAdd(o);
    if (sub == "remove") return runRemove(o);
    if (sub == "roots") return runRoots(o);
    if (sub == "set-vae") return runSetVae(o);
    throw UsageError("unknown library command '" + sub + "'");
  } catch (const UsageError& e) {
    std::cerr << "lienzo library: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lienzo library: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lienzo::cli
