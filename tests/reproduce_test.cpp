// `blindspot reproduce`: an unchanged archive reproduces; a tampered one is caught.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "archive/h5_attribute.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::read_text;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;

namespace {

/// An archive of a small experiment (a pool of random images, a softmax, its errors).
fs::path make_archive(const fs::path& dir) {
  blindspot::test_support::write_random_pool(dir, 600, 3);
  std::ofstream(dir / "small.yaml")
      << "experiment: small\nseed: 9\nnodes:\n"
      << "  data:\n    plugin: dataset\n    with: {source: idx, path: " << (dir / "pool").string()
      << ", train: 400, test: 200}\n"
      << "  fc10:\n    plugin: softmax\n    inputs: {data: data}\n    with: {epochs: 2}\n"
      << "  errors:\n    plugin: evaluate\n    inputs: {model: fc10, data: data}\n";
  const fs::path archive = dir / "small.h5";
  auto run = run_blindspot("run " + (dir / "small.yaml").string() + " -o " + archive.string() +
                           " --threads 1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  return archive;
}

/// Adds `delta` to the first value of a float32 dataset of the archive.
void tamper_float(const fs::path& archive, const char* dataset, float delta) {
  hid_t file = H5Fopen(archive.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  hid_t data = H5Dopen2(file, dataset, H5P_DEFAULT);
  REQUIRE(data >= 0);
  hid_t space = H5Dget_space(data);
  std::vector<float> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  values[0] += delta;
  REQUIRE(H5Dwrite(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Sclose(space);
  H5Dclose(data);
  H5Fclose(file);
}

/// Rewrites an attribute of a group of the archive, as the archive writer stores it.
template <typename Value>
void tamper_attribute(const fs::path& archive, const char* group, const char* name,
                      const Value& value) {
  blindspot::host::H5Handle file = blindspot::host::open_file_for_update(archive);
  blindspot::host::write_attribute(blindspot::host::open_group(file, group), name, value);
  blindspot::host::close_file(file);
}

}  // namespace

TEST_CASE("an unchanged archive reproduces node for node") {
  TempDir tmp("reproduce-same");
  const fs::path archive = make_archive(tmp.path());
  auto result = run_blindspot("reproduce " + archive.string());
  INFO(result.output);
  CHECK(result.exit_code == 0);
  for (const char* node : {"data", "fc10", "errors"})
    CHECK(result.output.find(std::string("  ") + node) != std::string::npos);
  CHECK(result.output.find("identical") != std::string::npos);
  CHECK(result.output.find("3 of 3 nodes reproduced") != std::string::npos);
  CHECK(result.output.find("DIFFERS") == std::string::npos);
}

TEST_CASE("a tampered weight is caught, named, and fails the command") {
  TempDir tmp("reproduce-tampered");
  const fs::path archive = make_archive(tmp.path());
  tamper_float(archive, "/nodes/fc10/model/fc.weight", 0.25f);
  auto result = run_blindspot("reproduce " + archive.string());
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("fc10    DIFFERS: largest difference 0.25 in model/fc.weight") !=
        std::string::npos);
  CHECK(result.output.find("errors  identical") != std::string::npos);
  CHECK(result.output.find("2 of 3 nodes reproduced") != std::string::npos);
}

TEST_CASE("a plugin version that changed since the archive fails the command") {
  TempDir tmp("reproduce-version");
  const fs::path archive = make_archive(tmp.path());
  tamper_attribute(archive, "/nodes/errors", "plugin_version", std::string("0"));
  auto result = run_blindspot("reproduce " + archive.string());
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("plugin 'evaluate' changed version: 0 then, 1 now") !=
        std::string::npos);
}

TEST_CASE("reproduce refuses a file that is not an archive with one line and exit 2") {
  TempDir tmp("reproduce-bad");
  std::ofstream(tmp.path() / "not.h5") << "not hdf5";
  auto result = run_blindspot("reproduce " + (tmp.path() / "not.h5").string());
  CHECK(result.exit_code == 2);
  CHECK(result.output.find('\n') == result.output.size() - 1);
}

TEST_CASE("an archive whose experiment name is a path is refused; nothing is written outside") {
  TempDir tmp("reproduce-name");
  const fs::path archive = make_archive(tmp.path());
  const std::string escaped = "escaped-" + tmp.path().filename().string();
  tamper_attribute(archive, "/experiment", "name", std::string("../" + escaped));
  auto result = run_blindspot("reproduce " + archive.string());
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(result.output == "blindspot: " + archive.string() +
                             ": /experiment: unsafe experiment name '../" + escaped +
                             "': a name must be non-empty, without '/', '\\', '..' or control "
                             "characters; the archive is damaged: move it aside (a run with "
                             "--resume then recomputes what it held)\n");
  const fs::path outside = fs::temp_directory_path() / (escaped + ".yaml");
  CHECK_FALSE(fs::exists(outside));
  fs::remove(outside);
}

TEST_CASE("an archive that records 100,000 threads is refused before anything runs") {
  TempDir tmp("reproduce-threads");
  const fs::path archive = make_archive(tmp.path());
  tamper_attribute(archive, "/experiment", "threads", std::int64_t{100000});
  auto result = run_blindspot("reproduce " + archive.string());
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(result.output == "blindspot: " + archive.string() +
                             ": damaged archive: /experiment records 100000 threads, expected 1 "
                             "to 1024\n");
}

TEST_CASE("reproduce --json gives each node's verdict with the largest difference, exit 1") {
  TempDir tmp("reproduce-json");
  const fs::path archive = make_archive(tmp.path());
  tamper_float(archive, "/nodes/fc10/model/fc.weight", 0.25f);
  const fs::path out = tmp.path() / "verdicts.json";
  const auto result =
      run_command("'" BLINDSPOT_EXE "' reproduce --json " + archive.string() + " >" + out.string());
  INFO(result.output);
  CHECK(result.exit_code == 1);
  const nlohmann::json verdicts = nlohmann::json::parse(read_text(out));
  CHECK(verdicts["total"] == 3);
  CHECK(verdicts["reproduced"] == 2);
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& node : verdicts["nodes"]) by_name[node["name"]] = node;
  CHECK(by_name.at("data")["verdict"] == "identical");
  CHECK(by_name.at("fc10")["verdict"] == "differs");
  CHECK(by_name.at("fc10")["where"] == "model/fc.weight");
  // The tampered value moved by 0.25 in float32: that is the largest difference.
  CHECK(by_name.at("fc10")["largest_difference"].get<double>() == doctest::Approx(0.25));
}
