// A full disk: one line naming the file and the cause, exit 1, and the finished nodes kept.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "archive/archive.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveReader;
using blindspot::test_support::CommandResult;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;

namespace {

/// Two small nodes, then a 5 MB model that cannot fit (the file system holds 2 MB).
fs::path write_experiment(const fs::path& dir) {
  blindspot::test_support::write_random_pool(dir, 300, 5);
  const fs::path yaml = dir / "full.yaml";
  std::ofstream(yaml) << "experiment: full\nseed: 3\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << (dir / "pool").string() << ", train: 200, test: 100}\n"
                      << "  small:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 1}\n"
                      << "  big:\n    plugin: mlp\n    inputs: {data: data}\n"
                      << "    with: {hidden: [800, 800], epochs: 1}\n";
  return yaml;
}

/// `blindspot run` with files limited to `kilobytes` (ulimit -f counts 512-byte blocks in sh).
CommandResult run_limited(const fs::path& yaml, const fs::path& out, int kilobytes,
                          const std::string& extra = "") {
  return run_command("ulimit -f " + std::to_string(2 * kilobytes) + " && '" BLINDSPOT_EXE "' run " +
                     yaml.string() + " -o " + out.string() + " --threads 1" + extra);
}

std::vector<std::string> node_names(const fs::path& archive) {
  std::vector<std::string> names;
  for (const auto& node : ArchiveReader(archive).nodes()) names.push_back(node.name);
  return names;
}

/// Exit 1 and one line of complaint, naming the partial and the cause; no crash, no HDF5 dump.
void check_failed_cleanly(const CommandResult& result, const fs::path& partial,
                          const std::string& cause) {
  INFO(result.output);
  CHECK(result.exit_code == 1);
  std::istringstream lines(result.output);
  int complaints = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("running ", 0) == 0 || line.rfind("[", 0) == 0 || line.rfind("  ", 0) == 0)
      continue;  // progress
    ++complaints;
    CHECK(line.find("blindspot: run failed: " + partial.string() + ": cannot write node 'big'") ==
          0);
    CHECK(line.find(cause) != std::string::npos);
    CHECK(line.find("2 finished node(s) are kept in " + partial.string()) != std::string::npos);
    CHECK(line.find("--resume") != std::string::npos);
  }
  CHECK(complaints == 1);
}

/// Plain, again, then --resume: each fails on `big` and leaves the partial with data and small.
void check_three_runs(const fs::path& yaml, const fs::path& out, int kilobytes,
                      const std::string& cause) {
  const fs::path partial = blindspot::host::partial_path_for(out);
  const std::vector<std::string> kept = {"data", "small"};
  check_failed_cleanly(run_limited(yaml, out, kilobytes), partial, cause);
  REQUIRE(node_names(partial) == kept);
  check_failed_cleanly(run_limited(yaml, out, kilobytes), partial, cause);
  REQUIRE(node_names(partial) == kept);
  const CommandResult resumed = run_limited(yaml, out, kilobytes, " --resume");
  check_failed_cleanly(resumed, partial, cause);
  CHECK(resumed.output.find("small (softmax) restored from archive") != std::string::npos);
  CHECK(node_names(partial) == kept);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(partial.string() + ".tmp"));
}

/// A 2 MB tmpfs mounted on `dir` while this lives (if mounting is permitted).
struct SmallDisk {
  fs::path dir;
  bool mounted = false;
  explicit SmallDisk(fs::path where) : dir(std::move(where)) {
    fs::create_directories(dir);
    mounted = mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=2m") == 0;
  }
  ~SmallDisk() {
    if (mounted) umount(dir.c_str());
  }
};

}  // namespace

TEST_CASE("past the file size limit a run fails in one line, exit 1, keeping its partial") {
  TempDir tmp("fsize");
  const fs::path yaml = write_experiment(tmp.path());
  check_three_runs(yaml, tmp.path() / "out.h5", 600, "File too large");
}

TEST_CASE("on a full file system a run fails in one line, exit 1, keeping its partial") {
  TempDir tmp("full");
  const fs::path yaml = write_experiment(tmp.path());
  const SmallDisk disk(tmp.path() / "disk");
  if (!disk.mounted) {
    MESSAGE("skipped: mounting a 2 MB tmpfs is not permitted here");
    return;
  }
  check_three_runs(yaml, disk.dir / "out.h5", 100000, "No space left on device");
}
