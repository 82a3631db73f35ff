// The plugin loader: good libraries load, bad ones are refused with their path and reason.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

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

TEST_CASE("files dlopen would crash or hang on are refused before it; good plugins still load") {
  blindspot::test_support::TempDir tmp("loader-files");
  const fs::path good = fs::path(BLINDSPOT_TEST_PLUGIN_DIR) / "libtest_good.so";
  fs::copy_file(good, tmp.path() / "libtruncated.so");
  fs::resize_file(tmp.path() / "libtruncated.so", fs::file_size(good) / 2);
  fs::create_directory(tmp.path() / "libdir.so");
  REQUIRE(mkfifo((tmp.path() / "libfifo.so").c_str(), 0600) == 0);
  fs::create_symlink("libloop.so", tmp.path() / "libloop.so");
  Registry registry;
  registry.load_directory(tmp.path());
  registry.load_directory(BLINDSPOT_TEST_PLUGIN_DIR);

  CHECK(registry.find("echo_table") != nullptr);
  CHECK(reason_for(registry, "libtruncated.so")
            .find("not a loadable library (truncated: its "
                  "section header table ends at byte") == 0);
  CHECK(reason_for(registry, "libdir.so") == "is a directory, not a library");
  CHECK(reason_for(registry, "libfifo.so") ==
        "is not a regular file (a FIFO, socket or device), not a library");
  CHECK(reason_for(registry, "libloop.so") ==
        "cannot be opened: Too many levels of symbolic links");
}

TEST_CASE("an ELF file of another kind or machine is refused by its header") {
  blindspot::test_support::TempDir tmp("loader-elf");
  const fs::path good = fs::path(BLINDSPOT_TEST_PLUGIN_DIR) / "libtest_good.so";
  auto patched = [&](const std::string& name, std::streamoff at, std::string bytes) {
    fs::copy_file(good, tmp.path() / name);
    std::fstream f(tmp.path() / name, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  patched("class32.so", 4, std::string(1, '\x01'));          // EI_CLASS: ELFCLASS32
  patched("executable.so", 16, std::string("\x02\x00", 2));  // e_type: ET_EXEC
  patched("arm32.so", 18, std::string("\x28\x00", 2));       // e_machine: EM_ARM
  Registry registry;
  registry.load_directory(tmp.path());
  CHECK(reason_for(registry, "class32.so").find("wrong ELF class") != std::string::npos);
  CHECK(reason_for(registry, "executable.so") ==
        "not a loadable library (ELF type 2, expected a shared object (ET_DYN))");
  CHECK(reason_for(registry, "arm32.so").find("built for ELF machine 40, this machine is") !=
        std::string::npos);
}

TEST_CASE("an entry that is data, throws or returns nonsense is refused with the reason") {
  Registry registry;
  registry.load_directory(fs::path(BLINDSPOT_TEST_PLUGIN_DIR) / "broken");
  registry.load_directory(BLINDSPOT_TEST_PLUGIN_DIR);
  CHECK(registry.find("echo_table") != nullptr);
  CHECK(reason_for(registry, "libtest_broken_data_entry.so") ==
        "blindspot_plugin_entry is not a function (a data symbol?); not a blindspot plugin");
  CHECK(reason_for(registry, "libtest_broken_throws_int.so") ==
        "blindspot_plugin_entry() threw something that is not a std::exception");
  CHECK(reason_for(registry, "libtest_broken_null_name.so") ==
        "the entry blindspot_plugin_entry() returned has no name (null or empty)");
  CHECK(reason_for(registry, "libtest_broken_unknown_kind.so") ==
        "the entry blindspot_plugin_entry() returned has an unknown kind 77");
  CHECK(reason_for(registry, "libtest_broken_null_create.so") ==
        "the entry blindspot_plugin_entry() returned has no create() (null)");
  CHECK(reason_for(registry, "libtest_broken_describe_throws_int.so") ==
        "describe() threw something that is not a std::exception");
  CHECK(reason_for(registry, "libtest_broken_wild_pointer.so") ==
        "blindspot_plugin_entry() returned a pointer outside every loaded library");
}

TEST_CASE("a plugin folder that is a symlink loop, a file or unreadable is refused by path") {
  blindspot::test_support::TempDir tmp("loader-folders");
  fs::create_symlink("loop", tmp.path() / "loop");
  std::ofstream(tmp.path() / "file").close();
  Registry registry;
  registry.load_directory(tmp.path() / "loop");
  registry.load_directory(tmp.path() / "file");
  REQUIRE(registry.refused().size() == 2);
  CHECK(registry.refused()[0].path == tmp.path() / "loop");
  CHECK(registry.refused()[0].reason ==
        "cannot read plugin folder: Too many levels of symbolic links");
  CHECK(registry.refused()[1].reason == "plugin folder is not a folder");
  if (geteuid() == 0) return;  // root reads a folder without permissions
  fs::create_directory(tmp.path() / "closed");
  fs::permissions(tmp.path() / "closed", fs::perms::none);
  Registry closed;
  closed.load_directory(tmp.path() / "closed");
  REQUIRE(closed.refused().size() == 1);
  CHECK(closed.refused()[0].reason == "cannot read plugin folder: Permission denied");
}

TEST_CASE("a library that calls exit() while loaded ends the process with its path, exit 2") {
  const std::string folder = std::string(BLINDSPOT_TEST_PLUGIN_DIR) + "/exits";
  auto result = blindspot::test_support::run_blindspot("plugins --plugin-path " + folder);
  CHECK(result.exit_code == 2);
  CHECK(result.output == "blindspot: " + folder +
                             "/libtest_exits.so: the library called exit() while being loaded; "
                             "remove it from the plugin path\n");
}
