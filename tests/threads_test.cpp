// The thread count: at most the cores this process may use, which is also the default.
#include <doctest/doctest.h>
#include <sched.h>

#include <fstream>

#include "archive/archive.hpp"
#include "runner/cores.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// Writes a one-node experiment and returns its path.
fs::path one_node(const TempDir& tmp) {
  fs::path file = tmp.path() / "one.yaml";
  std::ofstream(file) << "experiment: one\nseed: 1\nnodes:\n  echo: {plugin: echo_table}\n";
  return file;
}

}  // namespace

TEST_CASE("usable_cores counts the affinity mask, not the machine") {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  CHECK(blindspot::host::usable_cores() == CPU_COUNT(&set));
}

TEST_CASE("--threads above the usable cores is capped to them with a note, and runs") {
  TempDir tmp("threads");
  fs::path out = tmp.path() / "one.h5";
  auto run = blindspot::test_support::run_command(
      "taskset -c 0 '" BLINDSPOT_EXE "' run " + one_node(tmp).string() + " -o " + out.string() +
      " --threads 100000 --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("note: --threads 100000 is more than the 1 cores this process may use; "
                        "using 1\n") == 0);
  REQUIRE(fs::exists(out));
  CHECK(blindspot::host::ArchiveReader(out).experiment().threads == 1);
}

TEST_CASE("the default thread count is the usable cores") {
  TempDir tmp("threads-default");
  fs::path out = tmp.path() / "one.h5";
  auto run = blindspot::test_support::run_command("taskset -c 0 '" BLINDSPOT_EXE "' run " +
                                                  one_node(tmp).string() + " -o " + out.string() +
                                                  " --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("note:") == std::string::npos);
  REQUIRE(fs::exists(out));
  CHECK(blindspot::host::ArchiveReader(out).experiment().threads == 1);
}
