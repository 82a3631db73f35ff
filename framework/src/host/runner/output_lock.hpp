// One run at a time per archive: an exclusive lock on OUT.h5.lock, holding the owner's pid.
#pragma once

#include <filesystem>

namespace blindspot::host {

/// Holds the lock of an output archive for a run's lifetime. Taking it throws blindspot::Error
/// naming the process that holds it; the lock file is removed when the lock is released.
class OutputLock {
 public:
  explicit OutputLock(const std::filesystem::path& output);
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();
  /// Removes the lock file and lets the lock go (also safe from another thread before _exit).
  void release() noexcept;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

/// The lock file of an output archive: "OUT.h5" -> "OUT.h5.lock".
std::filesystem::path lock_path_for(const std::filesystem::path& output);

}  // namespace blindspot::host
