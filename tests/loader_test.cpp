// The plugin loader: good libraries load, bad ones are refused with their path and reason.
#include <doctest/doctest.h>

#include <fstream>

#include "loader/registry.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::RefusedLibrary;
using blindspot::host::Registry;

namespace {

std::string reason_for(const Registry& registry, const std::string& file) {
  for (const RefusedLibrary& r : registry.refused())
    if (r.path.filename() == file) return r.reason;
  return "";
}

}  // namespace

TEST_CASE("the loader keeps good plugins and refuses each bad library with a reason") {
  blindspot::test_support::TempDir tmp("loader");
  std::ofstream(tmp.path() / "empty.so").close();
  std::ofstream(tmp.path() / "text.so") << std::string(200, '#') << " a text file, not a library\n";
  Registry registry;
  registry.load_directory(BLINDSPOT_TEST_PLUGIN_DIR);
  registry.load_directory(tmp.path());

  const blindspot::host::LoadedPlugin* good = registry.find("echo_table");
  REQUIRE(good != nullptr);
  CHECK(good->library.filename() == "libtest_good.so");
  CHECK(good->schema.find_param("value") != nullptr);
  CHECK(registry.find("dataset") != nullptr);  // built in
  CHECK(registry.find("wrong_abi") == nullptr);

  CHECK(reason_for(registry, "libtest_wrong_abi.so") ==
        "built for plugin ABI 999, this blindspot needs " +
            std::to_string(blindspot::kPluginAbiVersion) + "; rebuild it");
  CHECK(reason_for(registry, "libtest_no_entry.so") ==
        "exports no blindspot_plugin_entry(); not a blindspot plugin");
  CHECK(reason_for(registry, "empty.so").find("not a loadable library") == 0);
  CHECK(reason_for(registry, "text.so").find("invalid ELF header") != std::string::npos);
  CHECK(registry.refused().size() == 4);
}

TEST_CASE("a plugin name provided twice is refused, naming both libraries") {
  blindspot::test_support::TempDir tmp("loader-twice");
  fs::copy_file(fs::path(BLINDSPOT_TEST_PLUGIN_DIR) / "libtest_good.so", tmp.path() / "copy.so");
  Registry registry;
  registry.load_directory(BLINDSPOT_TEST_PLUGIN_DIR);
  registry.load_directory(tmp.path());
  std::string reason = reason_for(registry, "copy.so");
  CHECK(reason.find("'echo_table' is provided by both") == 0);
  CHECK(reason.find("libtest_good.so") != std::string::npos);
  CHECK(reason.find("remove one from the path") != std::string::npos);
}

TEST_CASE("a missing plugin folder is reported, not fatal") {
  Registry registry;
  registry.load_directory("/nonexistent/plugins");
  REQUIRE(registry.refused().size() == 1);
  CHECK(registry.refused()[0].reason == "plugin folder does not exist");
  CHECK(registry.find("dataset") != nullptr);
}

TEST_CASE("blindspot plugins lists loaded and refused libraries") {
  auto result = blindspot::test_support::run_blindspot(std::string("plugins --plugin-path ") +
                                                       BLINDSPOT_TEST_PLUGIN_DIR);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("analysis   echo_table       1.0.0") != std::string::npos);
  CHECK(result.output.find("model      softmax") != std::string::npos);
  CHECK(result.output.find("refused libraries:") != std::string::npos);
  CHECK(result.output.find("libtest_wrong_abi.so: built for plugin ABI 999") != std::string::npos);
}
