#include "core/library/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lienzo {

void writeFileAtomically(const std::filesystem::path& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw std::runtime_error("cannot create the folder " + path.parent_path().string() + ": " +
                             ec.message());
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  bool ok = true;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  const int savedErrno = errno;
  if (ok && ::fsync(fd) != 0) ok = false;
  if (::close(fd) != 0) ok = false;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return;
  const std::string reason = std::strerror(errno ? errno : savedErrno);
  ::unlink(tmp.c_str());
  throw std::runtime_error("cannot write " + path.string() + ": " + reason);
}

std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  return out.str();
}

std::filesystem::path lienzoUserDir(UserDir kind) {
  const char* xdg = std::getenv(kind == UserDir::Cache ? "XDG_CACHE_HOME" : "XDG_CONFIG_HOME");
  if (xdg && *xdg && std::filesystem::path(xdg).is_absolute())
    return std::filesystem::path(xdg) / "lienzo";
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    throw std::runtime_error(std::string("neither ") +
                             (kind == UserDir::Cache ? "XDG_CACHE_HOME" : "XDG_CONFIG_HOME") +
                             " nor HOME is set: give the file explicitly");
  return std::filesystem::path(home) / (kind == UserDir::Cache ? ".cache" : ".config") / "lienzo";
}

}  // namespace lienzo
