// Archives are untrusted input: a damaged product is one line naming file and node, exit 2,
// and is never carried into a new archive.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <hdf5.h>

#include <fstream>
#include <utility>
#include <vector>

#include "archive/archive.hpp"
#include "archive/h5_dataset.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "blindspot/error.hpp"
#include "support/child.hpp"
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

/// The byte ranges of a file that hold datasets' values (not HDF5's own structures).
std::vector<std::pair<haddr_t, hsize_t>> value_ranges(const fs::path& archive) {
  std::vector<std::pair<haddr_t, hsize_t>> ranges;
  const hid_t file = H5Fopen(archive.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const auto visit = [](hid_t root, const char* name, const H5O_info_t* info, void* out) {
    if (info->type != H5O_TYPE_DATASET) return 0;
    const hid_t dataset = H5Dopen2(root, name, H5P_DEFAULT);
    const haddr_t offset = H5Dget_offset(dataset);
    if (offset != HADDR_UNDEF)
      static_cast<std::vector<std::pair<haddr_t, hsize_t>>*>(out)->emplace_back(
          offset, H5Dget_storage_size(dataset));
    H5Dclose(dataset);
    return 0;
  };
  REQUIRE(H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &ranges, H5O_INFO_BASIC) >= 0);
  H5Fclose(file);
  return ranges;
}

/// What reading every part of `archive` in a child process gave: its exit code (minus the
/// signal number if a signal ended it) and its stderr, an Error said as `blindspot show` says it.
std::pair<int, std::string> read_in_child(const fs::path& archive) {
  return blindspot::test_support::run_in_child([&] {
    setenv("BLINDSPOT_ARCHIVE_TIMEOUT", "2", 1);
    try {
      const blindspot::host::ArchiveReader reader(archive);
      reader.experiment();
      for (const auto& node : reader.nodes()) reader.products(node.name);
    } catch (const blindspot::Error& e) {
      std::fprintf(stderr, "blindspot: %s: %s\n", e.where().c_str(), e.message().c_str());
      _exit(2);
    }
  });
}

#ifdef __SANITIZE_ADDRESS__
// HDF5 1.10.8 copies a damaged global heap object (a string) without checking its length;
// AddressSanitizer reports that memcpy and exits before the crash it leads to reaches the
// read guard, so this case only holds in a build without it.
constexpr bool kHdf5CopiesAreChecked = true;
#else
constexpr bool kHdf5CopiesAreChecked = false;
#endif

}  // namespace

TEST_CASE("one flipped bit in any of an archive's structures is read, or refused in one line" *
          doctest::skip(kHdf5CopiesAreChecked)) {
  TempDir tmp("flipped");
  const fs::path yaml = write_experiment(tmp.path());
  const fs::path archive = tmp.path() / "d.h5";
  auto run = run_blindspot("run " + yaml.string() + " -o " + archive.string() + " --threads 1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  std::ifstream in(archive, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), {});
  std::vector<bool> is_value(original.size(), false);
  for (const auto& [offset, size] : value_ranges(archive))
    for (hsize_t i = 0; i < size && offset + i < original.size(); ++i) is_value[offset + i] = true;

  // Every 17th byte of HDF5's structures, each time a different bit: over 1,000 damaged files.
  // (Every 7th byte of the old file format crashed the reader 59 times in 3,733.)
  const fs::path damaged = tmp.path() / "damaged.h5";
  int tried = 0, refused = 0;
  std::vector<std::string> failures;
  for (std::size_t offset = 0; offset < original.size(); offset += 17) {
    if (is_value[offset]) continue;
    std::string bytes = original;
    bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << (offset % 8)));
    std::ofstream(damaged, std::ios::binary | std::ios::trunc) << bytes;
    const auto [code, text] = read_in_child(damaged);
    ++tried;
    refused += code == 2 ? 1 : 0;
    const bool one_line = text.rfind("blindspot: " + damaged.string() + ": ", 0) == 0 &&
                          std::count(text.begin(), text.end(), '\n') == 1;
    if (code == 0 ? !text.empty() : code != 2 || !one_line)
      failures.push_back("byte " + std::to_string(offset) + ": exit " + std::to_string(code) +
                         ", " + text.substr(0, 200));
  }
  MESSAGE(tried << " damaged files, " << refused << " refused, " << failures.size()
                << " not handled");
  CHECK(tried > 1000);
  for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 10); ++i)
    CHECK_MESSAGE(false, failures[i]);
  CHECK(failures.empty());
}

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
