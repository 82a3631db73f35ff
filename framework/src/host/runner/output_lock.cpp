// OutputLock: flock() on OUT.h5.lock; the holder's pid is written into the file for messages.
#include "runner/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// Whether `fd` is still the file at `path`: a holder removes the file when it lets go, so a
// lock taken on a file already removed protects nothing and must be taken again.
bool still_linked(int fd, const std::filesystem::path& path) {
  struct stat open_file {
  }, named{};
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 &&
         open_file.st_dev == named.st_dev && open_file.st_ino == named.st_ino;
}

std::string holder_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid.empty() ? "another process" : "process " + pid;
}

}  // namespace

std::filesystem::path lock_path_for(const std::filesystem::path& output) {
  return output.string() + ".lock";
}

OutputLock::OutputLock(const std::filesystem::path& output) : path_(lock_path_for(output)) {
  std::error_code failed;
  if (output.has_parent_path() &&
      !std::filesystem::create_directories(output.parent_path(), failed) && failed)
    throw Error(output.parent_path().string(),
                "cannot create the archive's folder: " + failed.message());
  for (;;) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw Error(output.string(), std::string("cannot create the lock file ") + path_.string() +
                                       ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      if (error != EWOULDBLOCK)
        throw Error(output.string(),
                    std::string("cannot lock ") + path_.string() + ": " + std::strerror(error));
      throw Error(output.string(),
                  "another blindspot run (" + holder_of(path_) +
                      ") is writing this archive; wait for it to finish or choose another -o");
    }
    if (still_linked(fd_, path_)) break;
    ::close(fd_);
  }
  // The pid is only for messages: if it cannot be recorded, the lock is held all the same.
  const std::string pid = std::to_string(::getpid()) + "\n";
  [[maybe_unused]] const bool recorded =
      ::ftruncate(fd_, 0) == 0 && ::write(fd_, pid.data(), pid.size()) > 0;
}

OutputLock::~OutputLock() {
  release();
}

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: nobody can lock this file and then lose it
  ::close(fd_);
  fd_ = -1;
}

}  // namespace blindspot::host
