// Resource bombs in experiment files are refused with one line: oversized files,
// files of too many values, aliases that expand ("billion laughs"), and huge graphs.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::CommandResult;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;

namespace {

/// Runs `blindspot ARGS`, ended after two minutes: a bomb that is expanded instead of refused
/// fails the test by its exit code (124) rather than hanging the suite. No time is asserted.
CommandResult bounded(const std::string& args) {
  return run_command("timeout 120 '" BLINDSPOT_EXE "' " + args);
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("a 50 MB experiment file is refused unread,") {
  TempDir tmp("bounds-size");
  fs::path file = tmp.path() / "big.yaml";
  {
    std::ofstream out(file);
    out << "experiment: big\nseed: 1\nnodes:\n  mnist: {plugin: dataset}\nlist:\n";
    std::string line(63, 'x');
    for (int i = 0; i < 800000; ++i) out << "  - " << line << "\n";  // 53.6 MB
  }
  auto result = bounded("validate " + file.string());
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(result.output == file.string() + ": the file has " + std::to_string(fs::file_size(file)) +
                             " bytes; an experiment file may have at most 1048576 (1 MiB)\n");
}

TEST_CASE("a folder is not an experiment file") {
  auto result = run_blindspot("validate /tmp");
  CHECK(result.exit_code == 2);
  CHECK(result.output == "/tmp: is a folder, not an experiment file\n");
}

TEST_CASE("an endless file such as /dev/zero is refused after 1 MiB") {
  auto result = bounded("validate /dev/zero");
  CHECK(result.exit_code == 2);
  CHECK(result.output ==
        "/dev/zero: the file has more than 1048576 bytes; an experiment file may "
        "have at most 1048576 (1 MiB)\n");
}

TEST_CASE("a file of more than 100,000 values is refused while parsing,") {
  TempDir tmp("bounds-values");
  fs::path file = tmp.path() / "values.yaml";
  std::string list = "[1";
  for (int i = 0; i < 300000; ++i) list += ",1";  // 600 KB: under the size limit
  std::ofstream(file) << "experiment: many\nseed: 1\nnodes:\n  mnist: {plugin: dataset}\n"
                      << "list: " << list << "]\n";
  auto result = bounded("validate " + file.string());
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(lines(result.output) == 1);
  CHECK(result.output.find(file.string() + ":5:") == 0);
  CHECK(result.output.find("the file holds more than 100000 YAML values") != std::string::npos);
}

TEST_CASE("the billion-laughs files of the corpus are refused") {
  for (const char* name : {"billion_laughs.yaml", "billion_laughs_maps.yaml", "self_alias.yaml"}) {
    CAPTURE(name);
    auto result = bounded(std::string("validate " BLINDSPOT_SOURCE_DIR "/tests/bad_input/") + name);
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(lines(result.output) == 1);
  }
}
