// `blindspot plugins describe NAME` output against golden files (tests/golden/NAME.txt).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support/process.hpp"

TEST_CASE("plugins describe prints each shipped plugin exactly as its golden file") {
  for (const char* name : {"dataset",         "softmax",  "mlp",      "autoencoder", "convnet",
                           "torchscript",     "fgsm",     "gaussian", "lbfgsb",      "lbfgspp",
                           "projected_lbfgs", "c_search", "szegedy",  "evaluate",    "transfer",
                           "amplify",         "units",    "saliency", "spectral",    "alexnet",
                           "szegedy2014",     "pgd",      "cw_l2",    "deepfool",    "robustness",
                           "compare_attacks"}) {
    std::ifstream in(std::string(BLINDSPOT_SOURCE_DIR "/tests/golden/") + name + ".txt");
    REQUIRE(in.good());
    std::ostringstream golden;
    golden << in.rdbuf();
    auto result = blindspot::test_support::run_blindspot(std::string("plugins describe ") + name);
    INFO(name, "\n", result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output == golden.str());
  }
}

TEST_CASE("plugins describe of an unknown plugin suggests the closest name and exits 2") {
  auto result = blindspot::test_support::run_blindspot("plugins describe sofmax");
  CHECK(result.exit_code == 2);
  CHECK(result.output == "blindspot: plugins: unknown plugin 'sofmax'; did you mean 'softmax'?\n");
}
