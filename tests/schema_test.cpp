// Parameter schemas: defaults, coercion, ranges, choices, lists, unknown keys, binding.
#include <doctest/doctest.h>

#include "blindspot/schema.hpp"

using blindspot::ParamProblem;
using blindspot::Schema;
using blindspot::Value;

namespace {

struct Params {
  double rate = 0;
  std::int64_t steps = 0;
  std::string mode;
  std::vector<std::int64_t> sizes;
  bool verbose = false;
};

Schema schema() {
  return Schema::of<Params>("a test schema")
      .param(&Params::rate, "rate", 0.5, "a rate")
      .range(0.0, 1.0)
      .param(&Params::steps, "steps", 10, "a count")
      .at_least(1)
      .param(&Params::mode, "mode", "fast", "a mode")
      .choices({"fast", "slow"})
      .param(&Params::sizes, "sizes", std::vector<std::int64_t>{100, 100}, "layer sizes")
      .at_least(1)
      .param(&Params::verbose, "verbose", false, "chatty")
      .untracked();
}

std::vector<ParamProblem> problems_for(const std::map<std::string, Value>& given) {
  std::vector<ParamProblem> problems;
  schema().validate(given, problems);
  return problems;
}

}  // namespace

TEST_CASE("defaults fill every missing key and bind to the struct") {
  std::vector<ParamProblem> problems;
  blindspot::ValidatedParams values = schema().validate({}, problems);
  CHECK(problems.empty());
  Params p;
  schema().assign(&p, values);
  CHECK(p.rate == 0.5);
  CHECK(p.steps == 10);
  CHECK(p.mode == "fast");
  CHECK(p.sizes == std::vector<std::int64_t>{100, 100});
  CHECK_FALSE(p.verbose);
}

TEST_CASE("an int is accepted where a float is expected, and an integral float for an int") {
  std::vector<ParamProblem> problems;
  auto values = schema().validate({{"rate", Value::of(1)}, {"steps", Value::of(3.0)}}, problems);
  CHECK(problems.empty());
  Params p;
  schema().assign(&p, values);
  CHECK(p.rate == 1.0);
  CHECK(p.steps == 3);
}

TEST_CASE("each kind of bad value gives one problem naming the key") {
  auto wrong_type = problems_for({{"steps", Value::of(2.5)}});
  REQUIRE(wrong_type.size() == 1);
  CHECK(wrong_type[0].key == "steps");
  CHECK(wrong_type[0].message == "parameter 'steps' expects an int, got float 2.5");

  auto range = problems_for({{"rate", Value::of(1.5)}});
  REQUIRE(range.size() == 1);
  CHECK(range[0].message == "parameter 'rate' = 1.5 is out of range; expected [0, 1]");

  auto choice = problems_for({{"mode", Value::of("medium")}});
  REQUIRE(choice.size() == 1);
  CHECK(choice[0].message ==
        "parameter 'mode' = 'medium' is not allowed; expected one of: fast, slow");

  auto unknown = problems_for({{"stpes", Value::of(3)}});
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].message == "unknown parameter 'stpes'; did you mean 'steps'?");

  auto far = problems_for({{"zzzzzz", Value::of(3)}});
  REQUIRE(far.size() == 1);
  CHECK(far[0].message ==
        "unknown parameter 'zzzzzz'; expected one of: rate, steps, mode, sizes, verbose");

  auto list = problems_for({{"sizes", Value::of(std::vector<std::int64_t>{100, 0})}});
  REQUIRE(list.size() == 1);
  CHECK(list[0].message == "parameter 'sizes' = 0 is out of range; expected >= 1");

  auto scalar_for_list = problems_for({{"sizes", Value::of(5)}});
  REQUIRE(scalar_for_list.size() == 1);
  CHECK(scalar_for_list[0].message == "parameter 'sizes' expects a list of int, got int 5");

  auto several = problems_for({{"rate", Value::of(-1.0)}, {"mode", Value::of(true)}});
  CHECK(several.size() == 2);
}

TEST_CASE("an exclusive lower bound refuses the bound itself") {
  struct Positive {
    double step = 0;
  };
  Schema positive =
      Schema::of<Positive>("x").param(&Positive::step, "step", 1.0, "a step").above(0);
  std::vector<ParamProblem> problems;
  positive.validate({{"step", Value::of(1e-9)}}, problems);
  CHECK(problems.empty());
  positive.validate({{"step", Value::of(0.0)}}, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message == "parameter 'step' = 0.0 is out of range; expected > 0");
}

TEST_CASE("untracked parameters stay out of the cache-key text") {
  std::vector<ParamProblem> problems;
  auto quiet = schema().tracked_text(schema().validate({{"verbose", Value::of(false)}}, problems));
  auto loud = schema().tracked_text(schema().validate({{"verbose", Value::of(true)}}, problems));
  auto faster = schema().tracked_text(schema().validate({{"rate", Value::of(0.25)}}, problems));
  CHECK(quiet == loud);
  CHECK(quiet != faster);
  CHECK(quiet == "{mode: fast, rate: 0.5, sizes: [100, 100], steps: 10}");
}

TEST_CASE("canonical YAML text of values reads back unambiguously") {
  CHECK(Value::of(1e-4).to_yaml() == "0.0001");
  CHECK(Value::of(3.0).to_yaml() == "3.0");
  CHECK(Value::of("10").to_yaml() == "\"10\"");
  CHECK(Value::of("true").to_yaml() == "\"true\"");
  CHECK(Value::of("fashion-mnist").to_yaml() == "fashion-mnist");
}
