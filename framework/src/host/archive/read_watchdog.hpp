// A bound on the time spent reading an archive: HDF5 can loop for minutes on a damaged file.
#pragma once

#include <filesystem>

namespace blindspot::host {

/// While alive, a read of `file` that makes no progress (no HDF5 call returns) for the time
/// limit ends the process with "blindspot: FILE: damaged archive (reading it did not finish in
/// N s) ...", exit 2. The limit is BLINDSPOT_ARCHIVE_TIMEOUT seconds (default 60).
class ReadWatchdog {
 public:
  explicit ReadWatchdog(const std::filesystem::path& file);
  ReadWatchdog(const ReadWatchdog&) = delete;
  ReadWatchdog& operator=(const ReadWatchdog&) = delete;
  ~ReadWatchdog();
};

/// Called by check() after every HDF5 call: the read is making progress.
void note_progress() noexcept;

}  // namespace blindspot::host
