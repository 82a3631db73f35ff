// A bound on reading an archive: HDF5 can loop for minutes, or crash, on a damaged file.
#pragma once

#include <filesystem>
#include <string>

namespace blindspot::host {

/// While alive, a read of `file` that makes no progress (no HDF5 call returns) for the time
/// limit ends the process with "blindspot: FILE: damaged archive (reading WHAT did not finish
/// in N s); move it aside", exit 2; a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) ends it
/// with "... (reading WHAT crashed HDF5) ...", exit 2. The limit is BLINDSPOT_ARCHIVE_TIMEOUT
/// seconds (default 60). Watchdogs nest: the innermost one's WHAT is said.
class ReadWatchdog {
 public:
  explicit ReadWatchdog(const std::filesystem::path& file, const std::string& what = "it");
  ReadWatchdog(const ReadWatchdog&) = delete;
  ReadWatchdog& operator=(const ReadWatchdog&) = delete;
  ~ReadWatchdog();

 private:
  std::string crash_line_;               // said if a crash ends the process while this is alive
  const std::string* outer_crash_line_;  // the enclosing watchdog's, restored on destruction
  std::string outer_timeout_text_;       // likewise for the time limit's message
};

/// Called by check() after every HDF5 call: the read is making progress.
void note_progress() noexcept;

}  // namespace blindspot::host
