// Every shipped experiment under experiments/ passes `blindspot validate`.
#include <doctest/doctest.h>

#include <filesystem>

#include "support/process.hpp"

TEST_CASE("every shipped experiment is valid") {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(BLINDSPOT_SOURCE_DIR "/experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    auto result = blindspot::test_support::run_blindspot("validate " + entry.path().string());
    INFO(result.output);
    CHECK(result.exit_code == 0);
    ++checked;
  }
  CHECK(checked >= 5);
}
