// Whole-file replacement that never leaves a half-written file: write `<path>.tmp.<pid>`, flush
// it to disk, rename it over `path` (atomic on POSIX file systems). Used for the hash cache and
// the library settings.
//
// Contract: creates missing parent folders; on any failure removes the temporary file and throws
// std::runtime_error naming the path and the reason; `path` then still holds its old content.
// Thread-safe for distinct paths; two writers of one path: the last rename wins, whole.
#pragma once

#include <filesystem>
#include <string>

namespace lienzo {

void writeFileAtomically(const std::filesystem::path& path, const std::string& bytes);

/// The whole file as bytes; throws std::runtime_error when it cannot be read.
std::string readWholeFile(const std::filesystem::path& path);

/// $XDG_CACHE_HOME/lienzo or, when unset or not absolute, $HOME/.cache/lienzo (kind = Cache);
/// $XDG_CONFIG_HOME/lienzo or $HOME/.config/lienzo (kind = Config). Throws std::runtime_error
/// when neither the XDG variable nor HOME is set.
enum class UserDir { Cache, Config };
std::filesystem::path lienzoUserDir(UserDir kind);

}  // namespace lienzo
