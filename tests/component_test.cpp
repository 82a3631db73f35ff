// Component parameters: an analysis runs the optimiser its YAML names, with validated params.
#include <doctest/doctest.h>

#include <fstream>

#include "archive/archive.hpp"
#include "blindspot/products.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;

namespace {

/// Runs uses_optimiser with `optimiser` as its parameter; returns (minimiser, evaluations).
std::pair<double, double> minimise(const std::string& optimiser) {
  blindspot::test_support::TempDir tmp("component");
  std::ofstream(tmp.path() / "e.yaml")
      << "experiment: c\nseed: 1\nnodes:\n  use:\n"
      << "    plugin: uses_optimiser\n    with: {optimiser: " << optimiser << "}\n";
  fs::path out = tmp.path() / "out.h5";
  auto run = run_blindspot("run " + (tmp.path() / "e.yaml").string() + " -o " + out.string() +
                           " --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto table =
      blindspot::Table::load(blindspot::host::ArchiveReader(out).products("use").at("result"));
  return {table.at(0, 0), table.at(0, 1)};
}

}  // namespace

TEST_CASE("a component parameter creates the named optimiser with its own parameters") {
  // (x - 2)^2 over [0, 1]: the minimiser is the bound 1.
  auto [x, evaluations] = minimise("{plugin: descent}");
  CHECK(x == doctest::Approx(1.0));
  CHECK(evaluations == 101);  // the default 100 steps, plus the final value
  auto [x5, evaluations5] = minimise("{plugin: descent, steps: 5}");
  CHECK(x5 == doctest::Approx(1.0));
  CHECK(evaluations5 == 6);
}

TEST_CASE("component parameters are validated against the component's schema") {
  blindspot::test_support::TempDir tmp("component-bad");
  auto validate = [&](const std::string& nodes) {
    std::ofstream(tmp.path() / "e.yaml") << "experiment: c\nseed: 1\nnodes:\n" << nodes;
    return run_blindspot("validate " + (tmp.path() / "e.yaml").string() +
                         " --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
  };
  auto inner = validate(
      "  use:\n    plugin: uses_optimiser\n    with: {optimiser: {plugin: "
      "descent, stpes: 3}}\n");
  CHECK(inner.exit_code == 2);
  CHECK(inner.output.find("e.yaml:6:12: node 'use' (uses_optimiser): optimiser (descent): "
                          "unknown parameter 'stpes'; did you mean 'steps'?") != std::string::npos);
  auto kind = validate(
      "  use:\n    plugin: uses_optimiser\n    with: {optimiser: {plugin: "
      "echo_table}}\n");
  CHECK(kind.exit_code == 2);
  CHECK(kind.output.find("parameter 'optimiser': 'echo_table' is not a known optimiser") !=
        std::string::npos);
  auto as_node = validate("  opt:\n    plugin: descent\n");
  CHECK(as_node.exit_code == 2);
  CHECK(as_node.output.find("node 'opt': 'descent' is an optimiser, used inside an attack") !=
        std::string::npos);
}

TEST_CASE(
    "a plugin that breaks its declared output fails the run (exit 1), keeping finished nodes") {
  blindspot::test_support::TempDir tmp("forgetful");
  for (const std::string mistake : {"nothing", "empty"}) {
    std::ofstream(tmp.path() / "e.yaml")
        << "experiment: f\nseed: 1\nnodes:\n  first:\n    plugin: echo_table\n"
        << "  second:\n    plugin: forgetful\n    with: {mistake: " << mistake << "}\n";
    // The archive's folder does not exist yet: run creates it.
    const fs::path out = tmp.path() / mistake / "out.h5";
    auto run = run_blindspot("run " + (tmp.path() / "e.yaml").string() + " -o " + out.string() +
                             " --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
    INFO(run.output);
    CHECK(run.exit_code == 1);
    CHECK(run.output.find(mistake == "nothing"
                              ? "node 'second': plugin 'forgetful' produced no output 'set'"
                              : "node 'second': plugin 'forgetful' left 'adversarial' of output "
                                "'set' empty") != std::string::npos);
    const blindspot::host::ArchiveReader partial(blindspot::host::partial_path_for(out));
    CHECK(partial.products("first").count("table") == 1);
  }
}
