// blindspot starts with OpenMP's passive wait policy and OpenBLAS's kernels for the CPU's
// features, unless the user set them.
#include <doctest/doctest.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
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

/// The kernels OpenBLAS runs in blindspot started with `environment`, as --version prints them.
std::string blas_core(const std::string& environment) {
  const auto result =
      run_command("env -u OPENBLAS_CORETYPE " + environment + " '" BLINDSPOT_EXE "' --version");
  REQUIRE(result.exit_code == 0);
  std::smatch core;
  REQUIRE(std::regex_search(result.output, core, std::regex("\nBLAS core (\\S+)\n")));
  return core[1].str();
}

/// The CPU feature flags the kernel reports for the first processor.
std::set<std::string> cpu_flags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
  }
  return {};
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

TEST_CASE("without OPENBLAS_CORETYPE, OpenBLAS runs the kernels of the CPU's features") {
  const std::set<std::string> flags = cpu_flags();
  const auto has = [&](std::initializer_list<const char*> wanted) {
    for (const char* flag : wanted)
      if (!flags.count(flag)) return false;
    return true;
  };
  const std::string core = blas_core("");
  INFO("CPU flags name ", flags.size(), " features; OpenBLAS runs ", core);
  if (has({"avx512f", "avx512bw", "avx512dq", "avx512vl"}))
    CHECK(core == "SkylakeX");
  else if (has({"avx2", "fma"}))
    CHECK(core == "Haswell");
  else
    CHECK(core != "unknown");  // OpenBLAS's own choice
}

TEST_CASE("a user's OPENBLAS_CORETYPE is kept") {
  // Prescott's SSE3 kernels run on every x86-64 CPU.
  CHECK(blas_core("OPENBLAS_CORETYPE=Prescott") == "Prescott");
}
