#include "core/library/model_library.h"

#include "core/io/gguf.h"

#include "core/io/safetensors_header.h"
#include "core/io/sha256.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <system_error>

namespace lienzo {

const std::string& LibraryEntry::a1111Hash() const {
  if (category == ModelCategory::Lora) {
    if (!metadataHash.empty()) return metadataHash;
    if (!tensorSha256.empty()) return tensorSha256;
  }
  return sha256;
}

std::string LibraryEntry::shortHash() const {
  const bool twelve = category == ModelCategory::Lora || category == ModelCategory::Embedding;
  return a1111Hash().substr(0, twelve ? 12 : 10);
}

namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool isPickleExtension(const std::string& ext) {
  return ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin";
}

bool isModelExtension(const std::string& ext) {
  return ext == ".safetensors" || ext == ".gguf" || isPickleExtension(ext);
}

/// The facts of a GGUF file (core/io/gguf.h): a diffusion model of a known family is a
/// checkpoint (the ComfyUI-GGUF / sd.cpp files); text-encoder and unknown GGUFs are not listed
/// unless their folder says what they are. Throws GgufError.
void readGgufFacts(const std::filesystem::path& path, std::optional<ModelCategory> folderCategory,
                   CachedFileFacts& facts) {
  const GgufFile file = GgufFile::open(path);
  const ModelFamily family = file.family();
  std::optional<ModelCategory> category = folderCategory;
  const bool diffusion = family == ModelFamily::SD1 || family == ModelFamily::SD2 ||
                         family == ModelFamily::SDXL || family == ModelFamily::SD3 ||
                         family == ModelFamily::Flux;
  if (!category && diffusion) category = ModelCategory::Checkpoint;
  if (!category) return;
  if (*category == ModelCategory::Checkpoint && !diffusion)
    facts.error = path.string() + ": a GGUF of architecture \"" + file.architecture() +
                  "\", not a diffusion model Lienzo knows";
  facts.category = categoryName(*category);
  facts.family = familyName(family);
  facts.familyBasis = file.familyFromNames()
                          ? std::string("GGUF tensor names")
                          : "GGUF general.architecture \"" + file.architecture() + "\"";
  facts.familyAssumed = false;
}

/// One model file found by the walk.
struct Found {
  fs::path path;
  std::string relativeName;
  const LibraryFolder* folder = nullptr;
  fs::path preview;
};

/// A1111 ui_extra_networks find_preview order: for each extension, `name.ext` then
/// `name.preview.ext`.
fs::path findPreview(const fs::path& dir, const std::string& stem,
                     const std::set<std::string>& names) {
  for (const char* ext : {"png", "jpg", "jpeg", "webp", "gif"}) {
    for (const std::string& candidate : {stem + "." + ext, stem + ".preview." + ext}) {
      if (names.count(candidate)) return dir / candidate;
    }
  }
  return {};
}

class Walker {
 public:
  Walker(std::vector<Found>& out, ScanReport& report) : m_out(out), m_report(report) {}

  void walk(const LibraryFolder& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder.path, ec)) {
      m_report.missingFolders.push_back(folder.path);
      return;
    }
    walkDir(folder, folder.path, "", 0);
  }

 private:
  void walkDir(const LibraryFolder& folder, const fs::path& dir, const std::string& relDir,
               int depth) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(dir, ec);
    if (ec || !m_visitedDirs.insert(canonical.string()).second) return;  // loop or seen
    if (depth > 32) {
      m_report.warnings.push_back(dir.string() + ": nested too deep, not scanned further");
      return;
    }
    // One readdir: the entry types come from it (d_type), so only symlinks cost a stat here.
    struct Item {
      std::string name;
      bool isDir = false;
      bool isFile = false;
    };
    std::vector<Item> items;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      m_report.warnings.push_back(dir.string() + ": cannot be listed (" + ec.message() + ")");
      return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      Item item;
      item.name = it->path().filename().string();
      std::error_code tec;
      item.isDir = it->is_directory(tec);  // follows symlinks
      item.isFile = !item.isDir && it->is_regular_file(tec);
      items.push_back(std::move(item));
    }
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return a.name < b.name; });
    std::set<std::string> nameSet;
    for (const auto& item : items) nameSet.insert(item.name);
    std::vector<std::string> subdirs;
    for (const auto& item : items) {
      if (item.name.empty() || item.name[0] == '.') continue;
      if (item.isDir) {
        subdirs.push_back(item.name);
        continue;
      }
      if (!item.isFile) continue;
      const fs::path p = dir / item.name;
      if (!isModelExtension(lower(p.extension().string()))) continue;
      // The folder is canonical already: a file reached twice through linked folders has one key.
      if (!m_seenFiles.insert((canonical / item.name).string()).second) continue;
      const std::string stem = p.stem().string();
      Found f;
      f.path = p;
      f.relativeName = relDir + stem;
      f.folder = &folder;
      f.preview = findPreview(dir, stem, nameSet);
      m_out.push_back(std::move(f));
    }
    for (const auto& name : subdirs) walkDir(folder, dir / name, relDir + name + "/", depth + 1);
  }

  std::vector<Found>& m_out;
  ScanReport& m_report;
  std::set<std::string> m_visitedDirs;
  std::set<std::string> m_seenFiles;
};

/// Whole-file SHA-256 and, when `tensors`, the SHA-256 of the bytes after the safetensors header
/// (kohya / A1111 addnet hash). One pass over the file.
struct FileHashes {
  std::string whole;
  std::string tensors;
};
FileHashes hashFile(const fs::path& path, bool tensors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  Sha256 whole, data;
  std::vector<char> buffer(1 << 20);
  uint64_t offset = 0;
  uint64_t dataStart = UINT64_MAX;
  unsigned char lengthBytes[8];
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    whole.update(buffer.data(), n);
    for (std::size_t i = 0; i < n && offset + i < 8; ++i)
      lengthBytes[offset + i] = static_cast<unsigned char>(buffer[i]);
    if (tensors && dataStart == UINT64_MAX && offset + n >= 8) {
      uint64_t len = 0;
      for (int i = 7; i >= 0; --i) len = (len << 8) | lengthBytes[i];
      dataStart = len > UINT64_MAX - 8 ? UINT64_MAX - 1 : len + 8;
    }
    if (tensors && dataStart != UINT64_MAX && offset + n > dataStart) {
      const uint64_t skip = dataStart > offset ? dataStart - offset : 0;
      data.update(buffer.data() + skip, n - skip);
    }
    offset += n;
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  FileHashes out;
  out.whole = Sha256::hex(whole.finish());
  if (tensors && dataStart != UINT64_MAX && dataStart <= offset)
    out.tensors = Sha256::hex(data.finish());
  return out;
}

bool statFile(const fs::path& path, uint64_t& size, int64_t& mtimeNs) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  size = static_cast<uint64_t>(st.st_size);
  mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

/// Lists one found file: cache first, then header and bytes as needed. Returns false when the
/// file is not listed (gone, or not a model of a known category).
bool listFile(const Found& found, HashCache& cache, ScanReport& report, const ScanOptions& options,
              LibraryEntry& entry) {
  entry.path = found.path;
  entry.name = found.path.stem().string();
  entry.relativeName = found.relativeName;
  entry.folderOrigin = found.folder->origin;
  entry.preview = found.preview;
  if (!statFile(found.path, entry.size, entry.mtimeNs)) {
    report.warnings.push_back(found.path.string() + ": vanished during the scan");
    return false;
  }
  if (isPickleExtension(lower(found.path.extension().string()))) {
    if (!found.folder->category) return false;  // no header to tell what it is
    entry.category = *found.folder->category;
    entry.loadable = false;
    entry.note = "pickle — not loadable (convert it to .safetensors)";
    return true;
  }

  CachedFileFacts facts;
  bool changed = false;
  if (const auto* cached = cache.find(found.path, entry.size, entry.mtimeNs)) facts = *cached;
  facts.size = entry.size;
  facts.mtimeNs = entry.mtimeNs;
  const std::string wanted =
      found.folder->category ? categoryName(*found.folder->category) : std::string();
  if (!facts.headerRead || (!wanted.empty() && facts.category != wanted)) {
    ++report.headersRead;
    changed = true;
    facts.headerRead = true;
    facts.error.clear();
    facts.category.clear();
    try {
      if (lower(found.path.extension().string()) == ".gguf") {
        readGgufFacts(found.path, found.folder->category, facts);
      } else {
        const SafetensorsHeader header = readSafetensorsHeader(found.path);
        std::optional<ModelCategory> category = found.folder->category;
        if (!category) category = classifyHeader(header);
        if (category) {
          facts.category = categoryName(*category);
          const FamilyGuess guess = guessFamily(*category, header);
          facts.family = familyName(guess.family);
          facts.familyBasis = guess.basis;
          facts.familyAssumed = guess.assumed;
        }
        const auto meta = header.metadata.find("sshs_model_hash");
        facts.metadataHash = meta != header.metadata.end() ? lower(meta->second) : std::string();
      }
    } catch (const SafetensorsHeaderError& e) {
      facts.error = e.what();
      if (found.folder->category) facts.category = wanted;
    } catch (const GgufError& e) {
      facts.error = e.what();
      if (found.folder->category) facts.category = wanted;
    }
  }
  const auto category = parseCategory(facts.category);
  if (!category) {
    if (changed) cache.store(found.path, facts);
    return false;
  }
  entry.category = *category;
  entry.metadataHash = facts.metadataHash;
  entry.family.family = familyFromName(facts.family).value_or(ModelFamily::Unknown);
  entry.family.basis = facts.familyBasis;
  entry.family.assumed = facts.familyAssumed;
  if (!facts.error.empty()) {
    entry.loadable = false;
    entry.note = facts.error;
    report.warnings.push_back(facts.error);
  }
  const bool wantsTensorHash = entry.category == ModelCategory::Lora;
  if (options.hash && facts.error.empty() &&
      (facts.sha256.empty() || (wantsTensorHash && facts.tensorSha256.empty()))) {
    try {
      const FileHashes hashes = hashFile(found.path, wantsTensorHash);
      ++report.hashed;
      facts.sha256 = hashes.whole;
      facts.tensorSha256 = hashes.tensors;
      changed = true;
    } catch (const std::exception& e) {
      report.warnings.push_back(e.what());
    }
  }
  entry.sha256 = facts.sha256;
  entry.tensorSha256 = wantsTensorHash ? facts.tensorSha256 : std::string();
  if (changed) cache.store(found.path, facts);
  return true;
}

bool isHex(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool hasPrefix(const std::string& hash, const std::string& prefix) {
  return !hash.empty() && hash.compare(0, prefix.size(), prefix) == 0 &&
         hash.size() >= prefix.size();
}

}  // namespace

ModelLibrary ModelLibrary::scan(const std::vector<LibraryRoot>& roots, HashCache& cache,
                                ScanReport& report, const ScanOptions& options) {
  std::vector<LibraryFolder> folders;
  for (const auto& root : roots) {
    LayoutReport layout = expandRoot(root);
    folders.insert(folders.end(), layout.folders.begin(), layout.folders.end());
    report.warnings.insert(report.warnings.end(), layout.warnings.begin(), layout.warnings.end());
  }
  return scanFolders(folders, cache, report, options);
}

ModelLibrary ModelLibrary::scanFolders(const std::vector<LibraryFolder>& folders, HashCache& cache,
                                       ScanReport& report, const ScanOptions& options) {
  report.folders = folders;
  std::vector<Found> found;
  Walker walker(found, report);
  for (const auto& folder : report.folders) walker.walk(folder);

  ModelLibrary library;
  library.m_entries.reserve(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (options.cancel && options.cancel->load()) {
      report.cancelled = true;
      break;
    }
    LibraryEntry entry;
    if (!listFile(found[i], cache, report, options, entry)) continue;
    library.m_entries.push_back(std::move(entry));
    if (options.progress) options.progress(library.m_entries.back(), i, found.size());
  }
  report.files = library.m_entries.size();
  return library;
}

std::vector<const LibraryEntry*> ModelLibrary::list(ModelCategory category) const {
  std::vector<const LibraryEntry*> out;
  for (const auto& e : m_entries)
    if (e.category == category) out.push_back(&e);
  return out;
}

const LibraryEntry* ModelLibrary::findByName(ModelCategory category,
                                             const std::string& name) const {
  std::string key = name;
  const std::string ext = lower(fs::path(key).extension().string());
  if (isModelExtension(ext)) key.resize(key.size() - ext.size());
  if (key.empty()) return nullptr;
  const std::string keyLower = lower(key);
  using Match = bool (*)(const LibraryEntry&, const std::string&, const std::string&);
  const Match passes[] = {
      [](const LibraryEntry& e, const std::string& k, const std::string&) { return e.name == k; },
      [](const LibraryEntry& e, const std::string& k, const std::string&) {
        return e.relativeName == k;
      },
      [](const LibraryEntry& e, const std::string&, const std::string& kl) {
        return lower(e.name) == kl;
      },
      [](const LibraryEntry& e, const std::string&, const std::string& kl) {
        return lower(e.relativeName) == kl;
      },
  };
  for (const Match match : passes) {
    const LibraryEntry* firstAny = nullptr;
    for (const auto& e : m_entries) {
      if (e.category != category || !match(e, key, keyLower)) continue;
      if (e.loadable) return &e;  // a loadable file wins over a pickle of the same name
      if (!firstAny) firstAny = &e;
    }
    if (firstAny) return firstAny;
  }
  return nullptr;
}

const LibraryEntry* ModelLibrary::findByHash(ModelCategory category, const std::string& hex) const {
  if (hex.size() < 8 || hex.size() > 64 || !isHex(hex)) return nullptr;
  const std::string prefix = lower(hex);
  for (const auto& e : m_entries) {
    if (e.category != category) continue;
    if (hasPrefix(e.a1111Hash(), prefix) || hasPrefix(e.sha256, prefix) ||
        hasPrefix(e.tensorSha256, prefix) || hasPrefix(e.metadataHash, prefix))
      return &e;
  }
  return nullptr;
}

const LibraryEntry* ModelLibrary::find(ModelCategory category,
                                       const std::string& nameOrHash) const {
  if (const auto* byName = findByName(category, nameOrHash)) return byName;
  return findByHash(category, nameOrHash);
}

}  // namespace lienzo
