// Tests of the c_search plugin, loaded through its plugin entry, against threshold oracles.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/plugin.hpp"
#include "blindspot/search.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;
namespace testing = blindspot::testing;
using Params = std::map<std::string, Value>;

const PluginEntry& entry() {
  return testing::plugin_entry("c_search");
}

std::vector<ParamProblem> problems_of(const Params& given) {
  std::vector<ParamProblem> problems;
  entry().describe().validate(given, problems);
  return problems;
}

std::unique_ptr<Search> load(const Params& given) {
  return testing::make_component<Search>("c_search", given);
}

/// Runs the search to the end with the oracle "success iff c <= threshold"; returns the state.
SearchState search(const Search& s, const at::Tensor& thresholds) {
  SearchState state = s.begin(thresholds.size(0));
  for (int guard = 0; guard < 1000 && !state.done.all().item<bool>(); ++guard)
    s.update(state, state.c.le(thresholds).to(at::kByte));
  REQUIRE(state.done.all().item<bool>());
  return state;
}

}  // namespace

TEST_CASE("begin starts every sample at the initial c with nothing known") {
  const SearchState s = load({{"initial", Value::of(0.5)}})->begin(3);
  CHECK(at::equal(s.c, at::full({3}, 0.5, at::kDouble)));
  CHECK(at::equal(s.low, at::zeros({3}, at::kDouble)));
  CHECK(s.high.isinf().all().item<bool>());
  CHECK(at::equal(s.steps, at::zeros({3}, at::kLong)));
  CHECK(at::equal(s.done, at::zeros({3}, at::kByte)));
}

TEST_CASE("low converges from below to thresholds from 1e-4 to 1e4") {
  const auto s = load({{"steps", Value::of(40)}});
  const at::Tensor t = at::tensor({1.7e-4, 3.3e-2, 0.5, 1.0, 7.0, 123.0, 9.1e3}, at::kDouble);
  const SearchState state = search(*s, t);
  CHECK((state.low <= t).all().item<bool>());  // low always succeeded
  CHECK((state.high > t).all().item<bool>());  // high always failed
  CHECK((state.high / state.low < 1.01).all().item<bool>());
  CHECK((t / state.low < 1.01).all().item<bool>());
  CHECK((state.steps < 40).all().item<bool>());  // stopped by the tolerance, not the cap
}

TEST_CASE("the step cap bounds the tries, and an unbounded success keeps raising c") {
  const auto s = load({{"steps", Value::of(4)}, {"factor", Value::of(2.0)}});
  const SearchState state = search(*s, at::tensor({1e9, 1e-9}, at::kDouble));
  CHECK(at::equal(state.steps, at::full({2}, 4, at::kLong)));
  CHECK(state.low[0].item<double>() == 8.0);  // 1, 2, 4, 8 all succeeded
  CHECK(state.high[0].item<double>() == std::numeric_limits<double>::infinity());
  CHECK(state.low[1].item<double>() == 0.0);  // 1, 1/2, 1/4, 1/8 all failed
  CHECK(state.high[1].item<double>() == 0.125);
}

TEST_CASE("samples are independent: a batch equals separate runs") {
  const auto s = load({{"steps", Value::of(12)}, {"tolerance", Value::of(1e-3)}});
  const at::Tensor t = at::tensor({2e-3, 40.0, 0.9, 5e3}, at::kDouble);
  const SearchState batch = search(*s, t);
  for (std::int64_t i = 0; i < t.size(0); ++i) {
    const SearchState alone = search(*s, t.narrow(0, i, 1));
    CHECK(at::equal(alone.c, batch.c.narrow(0, i, 1)));
    CHECK(at::equal(alone.low, batch.low.narrow(0, i, 1)));
    CHECK(at::equal(alone.high, batch.high.narrow(0, i, 1)));
    CHECK(at::equal(alone.steps, batch.steps.narrow(0, i, 1)));
  }
}

TEST_CASE("finished samples do not move") {
  const auto s = load({{"steps", Value::of(3)}});
  SearchState state = s->begin(2);
  const at::Tensor t = at::tensor({5.0, 0.2}, at::kDouble);
  state.done[1] = 1;  // sample 1 is finished from the start
  for (int i = 0; i < 5; ++i) s->update(state, state.c.le(t).to(at::kByte));
  CHECK(state.done.all().item<bool>());
  CHECK(state.c[1].item<double>() == 1.0);
  CHECK(state.low[1].item<double>() == 0.0);
  CHECK(state.steps[1].item<std::int64_t>() == 0);
  CHECK(state.steps[0].item<std::int64_t>() == 3);
  const SearchState before{state.c.clone(), state.low.clone(), state.high.clone(),
                           state.steps.clone(), state.done.clone()};
  s->update(state, at::ones({2}, at::kByte));
  CHECK(at::equal(before.c, state.c));
  CHECK(at::equal(before.low, state.low));
  CHECK(at::equal(before.high, state.high));
  CHECK(at::equal(before.steps, state.steps));
}

TEST_CASE("bad parameters are rejected, naming them") {
  CHECK(problems_of({}).empty());
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, Value>>{{"initial", Value::of(-1.0)},
                                                  {"initial", Value::of(0.0)},
                                                  {"factor", Value::of(1.0)},
                                                  {"steps", Value::of(0)},
                                                  {"tolerance", Value::of(0.0)}}) {
    CAPTURE(key);
    const auto problems = problems_of({{key, value}});
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == key);
  }
}
