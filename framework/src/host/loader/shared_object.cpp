// Reads an ELF header and its program and section header tables with <elf.h>.
#include "loader/shared_object.hpp"

#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace blindspot::host {
namespace {

#if defined(__x86_64__)
constexpr std::uint16_t kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr std::uint16_t kMachine = EM_AARCH64;
#else
#error "blindspot's plugin loader knows the ELF machine of x86-64 and AArch64 only"
#endif

/// A file descriptor, closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

/// Whether `count` bytes at `offset` were read in full.
bool read_at(int fd, void* out, std::size_t count, std::uint64_t offset) {
  return ::pread(fd, out, count, static_cast<off_t>(offset)) == static_cast<ssize_t>(count);
}

std::string not_loadable(const std::string& why) {
  return fmt::format("not a loadable library ({})", why);
}

/// Why a table of `count` entries of `size` bytes at `offset` does not fit in `file_size`.
std::optional<std::string> table_problem(const char* what, std::uint64_t offset,
                                         std::uint64_t count, std::uint64_t size,
                                         std::uint64_t file_size) {
  const std::uint64_t bytes = count * size;  // both at most 65535: no overflow
  if (offset <= file_size && bytes <= file_size - offset) return std::nullopt;
  return not_loadable(fmt::format("truncated: its {} ends at byte {}, the file has {} bytes", what,
                                  offset + bytes, file_size));
}

/// Why the ELF header `h` of a file of `file_size` bytes is not a shared object of this machine.
std::optional<std::string> header_problem(const Elf64_Ehdr& h, std::uint64_t file_size) {
  if (std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
    return not_loadable("invalid ELF header: it does not start with \\x7fELF");
  if (h.e_ident[EI_CLASS] != ELFCLASS64)
    return not_loadable("wrong ELF class: not ELFCLASS64, this blindspot is a 64-bit program");
  if (h.e_ident[EI_DATA] != ELFDATA2LSB)
    return not_loadable("wrong ELF data encoding: not little-endian");
  if (h.e_machine != kMachine)
    return not_loadable(
        fmt::format("built for ELF machine {}, this machine is {}", h.e_machine, kMachine));
  if (h.e_type != ET_DYN)
    return not_loadable(fmt::format("ELF type {}, expected a shared object (ET_DYN)", h.e_type));
  if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0)
    return not_loadable("no valid program header table");
  if (h.e_shnum != 0 && h.e_shentsize != sizeof(Elf64_Shdr))
    return not_loadable("section header entries of the wrong size");
  if (auto p =
          table_problem("program header table", h.e_phoff, h.e_phnum, h.e_phentsize, file_size))
    return p;
  return table_problem("section header table", h.e_shoff, h.e_shnum, h.e_shentsize, file_size);
}

/// Why a loadable segment of the program headers at `h.e_phoff` reaches past the file's end.
std::optional<std::string> segment_problem(int fd, const Elf64_Ehdr& h, std::uint64_t file_size) {
  std::vector<Elf64_Phdr> segments(h.e_phnum);
  if (!read_at(fd, segments.data(), segments.size() * sizeof(Elf64_Phdr), h.e_phoff))
    return not_loadable("cannot read its program header table");
  for (const Elf64_Phdr& s : segments) {
    if (s.p_type != PT_LOAD) continue;
    if (s.p_offset > file_size || s.p_filesz > file_size - s.p_offset)
      return not_loadable(
          fmt::format("truncated: a loadable segment ends at byte {}, the file "
                      "has {} bytes",
                      s.p_offset + s.p_filesz, file_size));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> shared_object_problem(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return fmt::format("cannot be opened: {}", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fmt::format("cannot be read: {}", std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return "is a directory, not a library";
  if (!S_ISREG(st.st_mode))
    return "is not a regular file (a FIFO, socket or device), not a library";
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  Elf64_Ehdr header{};
  if (file_size < sizeof header)
    return not_loadable(
        fmt::format("file too short: {} bytes, an ELF header takes {}", file_size, sizeof header));
  if (!read_at(fd.get(), &header, sizeof header, 0))
    return fmt::format("cannot be read: {}", std::strerror(errno));
  if (auto problem = header_problem(header, file_size)) return problem;
  return segment_problem(fd.get(), header, file_size);
}

}  // namespace blindspot::host
