// Building and testing plugins outside the tree: the build's CMake package and the test library's
// plugin folders.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "blindspot/testing.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;
namespace testing = blindspot::testing;

namespace {

// The quoted path of a program of the CMake that configured this build, as its cache records it
// under `entry` (CMAKE_COMMAND, CMAKE_CTEST_COMMAND); `fallback` if it does not.
std::string cmake_program(const std::string& entry, const std::string& fallback) {
  std::ifstream cache(BLINDSPOT_BUILD_DIR "/CMakeCache.txt");
  const std::string key = entry + ":INTERNAL=";
  for (std::string line; std::getline(cache, line);)
    if (line.rfind(key, 0) == 0) return "'" + line.substr(key.size()) + "'";
  return fallback;
}

// The ```cpp blocks of docs/writing-a-plugin.md between the headings `from` and `to`, joined.
std::string tutorial_code(const std::string& from, const std::string& to) {
  std::ifstream in(BLINDSPOT_SOURCE_DIR "/docs/writing-a-plugin.md");
  std::string line, code;
  bool inside_section = false, inside_block = false;
  while (std::getline(in, line)) {
    if (line.rfind(from, 0) == 0) inside_section = true;
    if (line.rfind(to, 0) == 0) break;
    if (!inside_section) continue;
    if (inside_block && line == "```") inside_block = false;
    if (inside_block) code += line + "\n";
    if (line == "```cpp") inside_block = true;
  }
  return code;
}

// A plugin project outside the tree: the test plugins echo_table and label_tally (whose
// product kind, LabelTally, the host has never heard of), the tutorial's my_fgsm with its
// test, and a test checking that the test library loads echo_table from this project's build.
void write_project(const fs::path& dir) {
  std::ofstream(dir / "CMakeLists.txt")
      << R"(cmake_minimum_required(VERSION 3.18)
project(outside LANGUAGES CXX)
find_package(Blindspot REQUIRED)
blindspot_add_plugin(echo_table SOURCES )"
      << BLINDSPOT_SOURCE_DIR "/tests/test_plugins/good.cpp"
      << R"( TESTS echo_test.cpp)
blindspot_add_plugin(my_fgsm SOURCES my_fgsm.cpp TESTS my_fgsm_test.cpp)
blindspot_add_plugin(label_tally SOURCES )"
      << BLINDSPOT_SOURCE_DIR "/tests/test_plugins/label_tally.cpp"
      << R"()
)";
  // The tutorial's plugin (steps 2 to 4) and its test (step 5), as the page prints them.
  std::ofstream(dir / "my_fgsm.cpp") << tutorial_code("## 2.", "## 5.");
  std::ofstream(dir / "my_fgsm_test.cpp") << tutorial_code("## 5.", "## 6.");
  std::ofstream(dir / "echo_test.cpp") << R"(#include <dlfcn.h>
#include <doctest/doctest.h>
#include <string>
#include "blindspot/testing.hpp"
TEST_CASE("echo_table runs from this project's plugin folder") {
  blindspot::testing::run_node("echo_table", "{value: 2.5}", {});
  Dl_info info{};
  REQUIRE(dladdr(&blindspot::testing::plugin_entry("echo_table"), &info) != 0);
  CHECK(std::string(info.dli_fname) == BLINDSPOT_TESTED_PLUGIN_DIR "/libecho_table.so");
}
)";
}

// `blindspot ARGS --plugin-path PLUGINS`, its output checked to hold each of `expected`.
void check_command(const std::string& args, const fs::path& plugins,
                   const std::vector<std::string>& expected, int exit_code = 0) {
  const auto result =
      blindspot::test_support::run_blindspot(args + " --plugin-path '" + plugins.string() + "'");
  INFO(args, "\n", result.output);
  CHECK(result.exit_code == exit_code);
  for (const std::string& text : expected) CHECK(result.output.find(text) != std::string::npos);
}

// Runs an experiment with label_tally from `plugins`, then shows, reports and reproduces it:
// the LabelTally kind's summary, table, figure and comparison are used throughout.
void check_new_kind(const fs::path& dir, const fs::path& plugins) {
  const fs::path pool = blindspot::test_support::write_random_pool(dir, 300, 5);
  const fs::path yaml = dir / "tally.yaml", archive = dir / "tally.h5";
  std::ofstream(yaml) << "experiment: tally\nseed: 1\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << pool.string() << ", train: 200, test: 100}\n"
                      << "  tally:\n    plugin: label_tally\n    inputs: {data: data}\n";
  check_command("run '" + yaml.string() + "' -o '" + archive.string() + "'", plugins, {});
  // 100 test images whose labels cycle through 0..9: 10 labels, 100 samples in all.
  check_command("show '" + archive.string() + "'", plugins,
                {"tally: LabelTally of 'test': 10 labels, 100 samples"});
  check_command("report '" + archive.string() + "' --markdown '" + (dir / "r.md").string() + "'",
                plugins, {"1 figures"});
  std::ifstream markdown(dir / "r.md");
  std::ostringstream text;
  text << markdown.rdbuf();
  CHECK(text.str().find("Samples per label in 'test'") != std::string::npos);
  CHECK(fs::file_size(dir / "r_figures/tally-tally.png") > 0);
  check_command("reproduce '" + archive.string() + "'", plugins, {"tally  identical"});
  // Without the plugin the kind is unknown: `show` names it and reads on.
  const auto alone = blindspot::test_support::run_blindspot("show '" + archive.string() + "'");
  CHECK(alone.exit_code == 0);
  CHECK(alone.output.find("LabelTally (a kind no loaded plugin defines)") != std::string::npos);
}

}  // namespace

// Configures, builds (one job: the machine may be shared) and tests a plugin project, then uses
// its new product kind from the command line; about 90 s.
TEST_CASE("a plugin project outside the tree builds, passes its test, and adds a product kind") {
  TempDir tmp("sdk-package");
  write_project(tmp.path());
  const std::string src = "'" + tmp.path().string() + "'";
  const std::string build = "'" + (tmp.path() / "build").string() + "'";
  const std::string cmake = cmake_program("CMAKE_COMMAND", "cmake");
  const std::string ctest = cmake_program("CMAKE_CTEST_COMMAND", "ctest");
  const auto result = run_command(
      cmake + " -S " + src + " -B " + build + " -DBlindspot_DIR='" BLINDSPOT_BUILD_DIR "' && " +
      cmake + " --build " + build + " -j1 && " + ctest + " --test-dir " + build);
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK(fs::exists(tmp.path() / "build/plugins/libecho_table.so"));
  CHECK(result.output.find("100% tests passed, 0 tests failed out of 3") != std::string::npos);
  check_new_kind(tmp.path(), tmp.path() / "build/plugins");
}

TEST_CASE("tests load plugins from an added folder") {
  testing::add_plugin_folder(BLINDSPOT_TEST_PLUGIN_DIR);
  CHECK(std::string(testing::plugin_entry("echo_table").name) == "echo_table");
  CHECK((testing::plugin_entry("fgsm").kind == blindspot::PluginKind::attack));  // the build's
}

TEST_CASE("a missing plugin names the folders searched and why its library was refused") {
  TempDir tmp("sdk-refused");
  fs::copy_file(BLINDSPOT_TEST_PLUGIN_DIR "/libtest_wrong_abi.so", tmp.path() / "libold.so");
  testing::add_plugin_folder(tmp.path().string());
  const std::string message = testing::error_of([] { testing::plugin_entry("old"); });
  CHECK(message.find("plugin not found in ") != std::string::npos);
  CHECK(message.find(tmp.path().filename().string()) != std::string::npos);
  CHECK(message.find(BLINDSPOT_BUILD_DIR "/plugins") != std::string::npos);
  CHECK(message.find("libold.so was refused: built for plugin ABI 999") != std::string::npos);
}
