// Archives are untrusted input: a damaged product is one line naming file and node, exit 2,
// and is never carried into a new archive.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>

#include "archive/h5_dataset.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::CommandResult;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// A small experiment whose last node makes an adversarial set of 5 samples; returns its YAML.
fs::path write_experiment(const fs::path& dir) {
  blindspot::test_support::write_random_pool(dir, 300, 4);
  const fs::path yaml = dir / "d.yaml";
  std::ofstream(yaml) << "experiment: d\nseed: 2\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << (dir / "pool").string() << ", train: 200, test: 100}\n"
                      << "  fc10:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 1}\n"
                      << "  noise:\n    plugin: gaussian\n    inputs: {model: fc10, data: data}\n"
                      << "    with: {count: 5, stddev: 0.05}\n";
  return yaml;
}

/// Replaces /nodes/noise/adversarial/labels by 3 labels: shorter than the set's 5 images.
void shorten_labels(const fs::path& archive) {
  blindspot::host::H5Handle file = blindspot::host::open_file_for_update(archive);
  {
    const blindspot::host::H5Handle set =
        blindspot::host::open_group(file, "nodes/noise/adversarial");
    blindspot::host::remove_link(set, "labels");
    blindspot::host::write_tensor(set, "labels", at::zeros({3}, at::kLong));
  }
  blindspot::host::close_file(file);
}

/// One line, exit 2, naming the archive, the node and what is wrong.
void check_refused(const CommandResult& result, const fs::path& archive) {
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(result.output.find(archive.string()) != std::string::npos);
  CHECK(result.output.find("node 'noise'") != std::string::npos);
  CHECK(result.output.find("'labels'") != std::string::npos);
  CHECK(result.output.find("move") != std::string::npos);
  CHECK(std::count(result.output.begin(), result.output.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("an adversarial set whose labels are shorter than its images is refused by name") {
  TempDir tmp("damaged");
  const fs::path yaml = write_experiment(tmp.path());
  const fs::path archive = tmp.path() / "d.h5";
  auto run = run_blindspot("run " + yaml.string() + " -o " + archive.string() + " --threads 1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  shorten_labels(archive);

  check_refused(run_blindspot("show " + archive.string()), archive);
  check_refused(run_blindspot("report " + archive.string()), archive);

  const auto before = fs::last_write_time(archive);
  const auto resumed =
      run_blindspot("run " + yaml.string() + " -o " + archive.string() + " --resume");
  INFO(resumed.output);
  CHECK(resumed.exit_code == 2);
  CHECK(resumed.output.find(archive.string() + ": node 'noise'") != std::string::npos);
  CHECK(fs::last_write_time(archive) == before);  // no broken OUT.h5 written over it
  CHECK_FALSE(fs::exists(archive.string() + ".partial"));
}
