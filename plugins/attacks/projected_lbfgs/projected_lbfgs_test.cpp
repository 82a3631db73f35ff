// Tests of the projected_lbfgs optimiser's own behaviour (tests/optimiser_plugins_test.cpp holds it
// to what every optimiser plugin must do).
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;
namespace testing = blindspot::testing;
using Params = std::map<std::string, Value>;

const PluginEntry& entry() {
  return testing::plugin_entry("projected_lbfgs");
}

std::vector<ParamProblem> problems_of(const Params& given) {
  std::vector<ParamProblem> problems;
  entry().describe().validate(given, problems);
  return problems;
}

}  // namespace

TEST_CASE("the schema fills defaults and rejects bad values") {
  CHECK(problems_of({}).empty());
  std::vector<ParamProblem> none;
  ValidatedParams defaults = entry().describe().validate({}, none);
  CHECK(defaults.at("m").integer == 10);
  CHECK(defaults.at("max_iterations").integer == 500);
  CHECK(defaults.at("factr").real == 1e10);
  CHECK(defaults.at("pgtol").real == 1e-5);
  CHECK(defaults.at("max_linesearch").integer == 20);
  CHECK(problems_of({{"m", Value::of(0)}}).size() == 1);
  CHECK(problems_of({{"max_linesearch", Value::of(0)}}).size() == 1);
  CHECK(problems_of({{"factr", Value::of(-1.0)}}).size() == 1);
  CHECK(std::string(entry().name) == "projected_lbfgs");
  CHECK(entry().kind == PluginKind::optimiser);
}
