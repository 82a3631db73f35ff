// Building and testing plugins outside the tree: the build's CMake package and the test library's
// plugin folders.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "blindspot/testing.hpp"
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

// A plugin project outside the tree: the test plugin echo_table, and a test checking that the
// test library loads it from this project's build.
void write_project(const fs::path& dir) {
  std::ofstream(dir / "CMakeLists.txt") << R"(cmake_minimum_required(VERSION 3.18)
project(outside LANGUAGES CXX)
find_package(Blindspot REQUIRED)
blindspot_add_plugin(echo_table KIND analysis SOURCES )"
                                        << BLINDSPOT_SOURCE_DIR "/tests/test_plugins/good.cpp"
                                        << R"( TESTS echo_test.cpp)
)";
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

}  // namespace

// Configures, builds (one job: the machine may be shared) and tests a plugin project; about 45 s.
TEST_CASE("a plugin project outside the tree builds against this build and passes its test") {
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
  CHECK(result.output.find("100% tests passed, 0 tests failed out of 1") != std::string::npos);
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
