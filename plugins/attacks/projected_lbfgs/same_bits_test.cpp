// projected_lbfgs's loops reach the same bits whichever version the CPU picks (lanes.hpp).
#include <doctest/doctest.h>

#include <string>

std::string run_x86_64();
std::string run_x86_64_v3();
std::string run_x86_64_v4();

TEST_CASE("the baseline, AVX2 and AVX-512 versions of the solver reach the same bits") {
  const std::string baseline = run_x86_64();
  CAPTURE(baseline);
  CHECK(baseline.rfind("0 iterations", 0) != 0);
  if (__builtin_cpu_supports("x86-64-v3"))
    CHECK(run_x86_64_v3() == baseline);
  else
    MESSAGE("this CPU has no AVX2: that version is not compared");
  if (__builtin_cpu_supports("x86-64-v4"))
    CHECK(run_x86_64_v4() == baseline);
  else
    MESSAGE("this CPU has no AVX-512: that version is not compared");
}
