#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace lienzo {

std::shared_ptr<MappedBytes> MappedBytes::map(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("not a regular file");
  }
  auto file = std::shared_ptr<MappedBytes>(new MappedBytes());
  file->m_size = static_cast<uint64_t>(st.st_size);
  if (file->m_size > 0) {
    void* p = ::mmap(nullptr, file->m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(std::string("cannot map: ") + std::strerror(err));
    }
    file->m_data = static_cast<uint8_t*>(p);
    file->m_mapped = true;
  }
  ::close(fd);
  return file;
}

std::shared_ptr<MappedBytes> MappedBytes::fromBytes(std::string bytes) {
  auto file = std::shared_ptr<MappedBytes>(new MappedBytes());
  file->m_bytes = std::move(bytes);
  file->m_size = file->m_bytes.size();
  file->m_data = reinterpret_cast<uint8_t*>(file->m_bytes.data());
  return file;
}

MappedBytes::~MappedBytes() {
  if (m_mapped) ::munmap(m_data, m_size);
}

void MappedBytes::releasePages(uint64_t begin, uint64_t end) const {
  if (!m_mapped || end > m_size || begin >= end) return;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  begin = (begin + page - 1) / page * page;  // only whole pages inside the span
  end = end / page * page;
  if (end > begin) ::madvise(m_data + begin, end - begin, MADV_DONTNEED);
}

}  // namespace lienzo
