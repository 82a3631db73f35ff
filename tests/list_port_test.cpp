// Inputs an experiment may leave empty or out: a list input connected to no node (`port: []`)
// gives the plugin an empty list, and a plugin that needs at least one says so in one line; an
// input the plugin declares optional may be left out, any other may not.
#include <doctest/doctest.h>

#include <fstream>

#include "archive/archive.hpp"
#include "blindspot/products.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;

TEST_CASE("transfer runs with baselines: [] and refuses to run with no set at all") {
  blindspot::test_support::TempDir tmp("list-port");
  const fs::path dir = tmp.path();
  blindspot::test_support::write_random_pool(dir, 200, 5);
  auto experiment =
      [&](const std::string& sets) {
        std::ofstream(dir / "e.yaml")
            << "experiment: l\nseed: 1\nnodes:\n"
            << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
            << (dir / "pool").string() << ", train: 100, test: 100}\n"
            << "  fc10: {plugin: softmax, inputs: {data: data}, with: {epochs: 1}}\n"
            << "  noise: {plugin: gaussian, inputs: {model: fc10, data: data}, with: {count: 4}}\n"
            << "  across:\n    plugin: transfer\n"
            << "    inputs: {sets: " << sets << ", baselines: [], models: [fc10]}\n";
        return run_blindspot("run " + (dir / "e.yaml").string() + " -o " + (dir / "e.h5").string() +
                             " --threads 1");
      };
  auto run = experiment("[noise]");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const blindspot::Table rates = blindspot::Table::load(
      blindspot::host::ArchiveReader(dir / "e.h5").products("across").at("transfer"));
  CHECK(rates.rows == std::vector<std::string>{"noise"});  // one row: the set, no baseline

  auto none = experiment("[]");
  INFO(none.output);
  CHECK(none.exit_code == 2);
  CHECK(none.output.find("node 'across'") != std::string::npos);
  CHECK(none.output.find("sets and baselines are both empty; give at least one set") !=
        std::string::npos);
}

TEST_CASE("an optional input may be left out; a required one may not") {
  blindspot::test_support::TempDir tmp("optional-input");
  auto validate = [&](const std::string& bounds) {
    std::ofstream(tmp.path() / "e.yaml")
        << "experiment: o\nseed: 1\nnodes:\n"
        << "  mnist: {plugin: dataset, with: {source: mnist, train: 100, test: 100}}\n"
        << "  fc10: {plugin: softmax, inputs: {data: mnist}}\n"
        << "  bounds: " << bounds << "\n";
    return run_blindspot("validate " + (tmp.path() / "e.yaml").string());
  };
  auto optional = validate("{plugin: spectral, inputs: {model: fc10}, with: {sample: uniform}}");
  INFO(optional.output);
  CHECK(optional.exit_code == 0);
  auto required = validate("{plugin: evaluate, inputs: {model: fc10}}");
  CHECK(required.exit_code == 2);
  CHECK(required.output.find("node 'bounds' (evaluate): input 'data' is not connected") !=
        std::string::npos);
  auto described = run_blindspot("plugins describe spectral");
  CHECK(described.output.find("data             Dataset          (optional) images") !=
        std::string::npos);
}
