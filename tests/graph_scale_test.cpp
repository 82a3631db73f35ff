// Experiments of thousands of nodes are checked, and their problems stay
// one short line each: no list of every node, no cycle spelled out in full.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::CommandResult;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;

namespace {

/// Runs `blindspot validate FILE` with the test plugins, ended after two minutes so that a
/// quadratic check fails the test by its exit code (124) instead of hanging the suite.
CommandResult validate(const fs::path& file) {
  return run_command("timeout 120 '" BLINDSPOT_EXE "' validate " + file.string() +
                     " --plugin-path " BLINDSPOT_TEST_PLUGIN_DIR);
}

/// The lines of `output` that report a problem in `file` (the test plugin folder also holds
/// broken libraries, each a warning line).
std::vector<std::string> problems_in(const std::string& output, const fs::path& file) {
  std::vector<std::string> found;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(file.string() + ":", 0) == 0) found.push_back(line);
  return found;
}

/// An experiment of `count` nodes: "n0: {plugin: echo_table}", then table_chain nodes n1, n2, ...
/// taking their table from the node `input(i)` names.
std::string chain(int count, const std::function<std::string(int)>& input) {
  std::string text = "experiment: chain\nseed: 1\nnodes:\n  n0: {plugin: echo_table}\n";
  for (int i = 1; i < count; ++i)
    text +=
        "  n" + std::to_string(i) + ": {plugin: table_chain, inputs: {table: " + input(i) + "}}\n";
  return text;
}

}  // namespace

TEST_CASE("an experiment of 2,000 chained nodes validates") {
  TempDir tmp("bounds-chain");
  fs::path file = tmp.path() / "chain.yaml";
  std::ofstream(file) << chain(2000, [](int i) { return "n" + std::to_string(i - 1); });
  auto result = validate(file);
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("is valid (2000 nodes)") != std::string::npos);
}

TEST_CASE("2,000 references to missing nodes give 2,000 short lines,") {
  TempDir tmp("bounds-missing");
  fs::path file = tmp.path() / "missing.yaml";
  // Each name is far from every node's name, so no "did you mean" applies.
  std::ofstream(file) << chain(2000, [](int i) { return "missing_" + std::to_string(i); });
  auto result = validate(file);
  CHECK(result.exit_code == 2);
  std::vector<std::string> problems = problems_in(result.output, file);
  CHECK(problems.size() == 1999);
  CHECK(std::all_of(problems.begin(), problems.end(),
                    [](const std::string& line) { return line.size() < 200; }));
}

TEST_CASE("a cycle through 2,000 nodes is one short line") {
  TempDir tmp("bounds-cycle");
  fs::path file = tmp.path() / "cycle.yaml";
  std::string text = chain(2000, [](int i) { return "n" + std::to_string(i - 1); });
  text.replace(text.find("n0: {plugin: echo_table}"), 24,
               "n0: {plugin: table_chain, inputs: {table: n1999}}");
  std::ofstream(file) << text;
  auto result = validate(file);
  INFO(result.output.substr(0, 2000));
  CHECK(result.exit_code == 2);
  std::vector<std::string> problems = problems_in(result.output, file);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == file.string() +
                           ":4:3: cycle: n0 -> n1999 -> n1998 -> n1997 -> ... -> n1 -> n0 (2000 "
                           "nodes)");
}

TEST_CASE("the longest chain the YAML bounds allow (12,000 nodes) is checked without trouble") {
  TempDir tmp("bounds-long-chain");
  fs::path file = tmp.path() / "chain.yaml";
  std::ofstream(file) << chain(12000, [](int i) { return "n" + std::to_string(i - 1); });
  auto result = validate(file);
  INFO(result.output.substr(0, 2000));
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("is valid (12000 nodes)") != std::string::npos);
}
