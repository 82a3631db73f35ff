// blindspot starts with OpenMP's passive wait policy unless the user set one.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "support/process.hpp"

using blindspot::test_support::run_command;

namespace {

/// The GOMP_SPINCOUNT values GNU OpenMP reports at start-up (OMP_DISPLAY_ENV=verbose), one per
/// initialisation of the runtime.
std::vector<std::string> spin_counts(const std::string& environment) {
  const auto result = run_command("env -u OMP_WAIT_POLICY " + environment +
                                  " OMP_DISPLAY_ENV=verbose '" BLINDSPOT_EXE "' --help");
  REQUIRE(result.exit_code == 0);
  std::vector<std::string> counts;
  const std::regex line("GOMP_SPINCOUNT = '([0-9]+)'");
  for (auto it = std::sregex_iterator(result.output.begin(), result.output.end(), line);
       it != std::sregex_iterator(); ++it)
    counts.push_back((*it)[1].str());
  return counts;
}

}  // namespace

TEST_CASE("without OMP_WAIT_POLICY, idle OpenMP threads sleep at once (spin count 0)") {
  // One initialisation only: the restart happens before the runtime is first set up.
  CHECK(spin_counts("") == std::vector<std::string>{"0"});
}

TEST_CASE("a user's OMP_WAIT_POLICY is kept, even an empty one") {
  const auto active = spin_counts("OMP_WAIT_POLICY=active");
  REQUIRE(active.size() == 1);
  CHECK(active.front() != "0");
  const auto empty = spin_counts("OMP_WAIT_POLICY=");
  REQUIRE(empty.size() == 1);
  CHECK(empty.front() != "0");  // GNU OpenMP's own default: spin a while, then sleep
}
