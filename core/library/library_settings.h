// The user's library configuration: the roots to scan and, per checkpoint, the external VAE to
// use instead of the one inside it.
//
// Contract
// - Stored as JSON (version 1) in $XDG_CONFIG_HOME/lienzo/library.json (fallback
//   ~/.config/lienzo; defaultFile()), written atomically (atomic_file.h).
// - load(): a missing file gives empty settings; a file that exists but cannot be read or parsed
//   throws LibrarySettingsError naming it — the user's roots are never dropped silently (the
//   caller shows the message; saving over it is the caller's choice).
// - save() throws LibrarySettingsError when the file cannot be written (the old file stays).
// - A value type: no locking; copy it between threads.
#pragma once

#include "core/library/library_layout.h"

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class LibrarySettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LibrarySettings {
  std::vector<LibraryRoot> roots;
  /// Checkpoint path (absolute, lexically normal) → external VAE path.
  std::map<std::string, std::filesystem::path> checkpointVae;

  /// library.json in lienzoUserDir(UserDir::Config). Throws std::runtime_error without HOME.
  static std::filesystem::path defaultFile();
  static LibrarySettings load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;

  /// Adds `root` (its path made absolute); false when an equal root is already there.
  bool addRoot(LibraryRoot root);
  /// Removes every root at `path`; returns how many.
  std::size_t removeRoot(const std::filesystem::path& path);

  /// The external VAE chosen for `checkpoint`; std::nullopt = the checkpoint's own.
  std::optional<std::filesystem::path> vaeFor(const std::filesystem::path& checkpoint) const;
  /// Chooses `vae` for `checkpoint`; an empty `vae` goes back to the checkpoint's own.
  void setVaeFor(const std::filesystem::path& checkpoint, const std::filesystem::path& vae);
};

}  // namespace lienzo
