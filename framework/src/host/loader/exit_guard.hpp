// Saying which library ended the process when plugin code calls exit() while being loaded.
#pragma once

#include <filesystem>

namespace blindspot::host {

/// While alive, an exit() called by the library at `path` (its constructors, its entry or its
/// describe()) prints one line naming the library and ends the process with exit code 2.
/// The remaining plugins cannot be loaded then: that would need a separate process per library.
class ExitGuard {
 public:
  explicit ExitGuard(const std::filesystem::path& path);
  ExitGuard(const ExitGuard&) = delete;
  ExitGuard& operator=(const ExitGuard&) = delete;
  ~ExitGuard();
};

}  // namespace blindspot::host
