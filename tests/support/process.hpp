// Running the blindspot executable from tests, capturing what it prints, and the files tests
// read and write.
#pragma once

#include <filesystem>
#include <string>

namespace blindspot::test_support {

/// Exit code and combined stdout+stderr of a finished command.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs a shell command and waits for it.
CommandResult run_command(const std::string& command);

/// Runs `blindspot ARGS` (a shell-quoted argument string) and waits for it.
CommandResult run_blindspot(const std::string& args);

/// A file's whole contents ("" when it cannot be read).
std::string read_text(const std::filesystem::path& file);

/// A fresh, empty temporary folder, removed when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace blindspot::test_support
