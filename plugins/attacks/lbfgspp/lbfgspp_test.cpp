// Tests of the lbfgspp optimiser's own behaviour (tests/optimiser_plugins_test.cpp holds it to
// what every optimiser plugin must do).
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
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
  return testing::plugin_entry("lbfgspp");
}

std::vector<ParamProblem> problems_of(const Params& given) {
  std::vector<ParamProblem> problems;
  entry().describe().validate(given, problems);
  return problems;
}

/// The 2-D Rosenbrock function and its gradient at row k of x.
double rosenbrock(const at::Tensor& x, std::int64_t k, at::Tensor& grad) {
  const double a = x[k][0].item<double>(), b = x[k][1].item<double>();
  grad[k][0] = -2 * (1 - a) - 400 * a * (b - a * a);
  grad[k][1] = 200 * (b - a * a);
  return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
}

/// Solves one 2-D Rosenbrock problem from (-1.2, 1) in [-2, 2]^2 with `objective`.
BoxResult solve_rosenbrock(const BatchObjective& objective, const Params& given = {}) {
  const BoxProblem p{at::tensor({-1.2, 1.0}, at::kDouble).view({1, 2}),
                     at::full({1, 2}, -2.0, at::kDouble), at::full({1, 2}, 2.0, at::kDouble)};
  auto context = testing::context();
  return testing::make_component<Optimiser>("lbfgspp", given)->minimise(p, objective, *context);
}

}  // namespace

TEST_CASE("a non-finite value ends the problem at its best point, unconverged") {
  std::int64_t calls = 0;
  double best = std::numeric_limits<double>::infinity();
  const BatchObjective poisoned = [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                      at::Tensor& grad) {
    const double value = rosenbrock(x, 0, grad);
    best = std::min(best, value);
    f[0] = ++calls > 8 ? std::numeric_limits<double>::quiet_NaN() : value;
  };
  const BoxResult r = solve_rosenbrock(poisoned);
  CHECK(calls == 9);
  CHECK(r.evaluations[0].item<std::int64_t>() == 8);
  CHECK(r.converged[0].item<int>() == 0);
  // The best accepted iterate: no worse than the start (24.2), no better than any point seen.
  CHECK(r.f[0].item<double>() < 24.2);
  CHECK(r.f[0].item<double>() >= best);
  at::Tensor g = at::zeros({1, 2}, at::kDouble);
  CHECK(rosenbrock(r.x, 0, g) == r.f[0].item<double>());
}

TEST_CASE("a line search that cannot succeed ends the problem at its best iterate") {
  // After 12 evaluations the gradient turns to the wrong sign: the next line search fails.
  std::int64_t calls = 0;
  const BatchObjective broken = [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                    at::Tensor& grad) {
    f[0] = rosenbrock(x, 0, grad);
    if (++calls > 12) grad.neg_();
  };
  const BoxResult r = solve_rosenbrock(broken, {{"max_iterations", Value::of(1000)}});
  CHECK(r.converged[0].item<int>() == 0);
  CHECK(r.iterations[0].item<std::int64_t>() >= 1);
  CHECK(r.iterations[0].item<std::int64_t>() < 1000);
  CHECK(r.f[0].item<double>() < 24.2);
  at::Tensor g = at::zeros({1, 2}, at::kDouble);
  CHECK(rosenbrock(r.x, 0, g) == r.f[0].item<double>());
}

TEST_CASE("an objective that throws stops the stream with its error; paused fibers unwind") {
  std::int64_t calls = 0;
  const BatchObjective failing = [&](const at::Tensor& which, const at::Tensor& x, at::Tensor& f,
                                     at::Tensor& grad) {
    if (++calls == 5) throw Error("model", "out of memory");
    for (std::int64_t k = 0; k < which.size(0); ++k) f[k] = rosenbrock(x, k, grad);
  };
  const BoxProblem p{at::tensor({-1.2, 1.0, 0.5, 0.5, 1.5, -1.0}, at::kDouble).view({3, 2}),
                     at::full({3, 2}, -2.0, at::kDouble), at::full({3, 2}, 2.0, at::kDouble)};
  auto context = testing::context();
  auto optimiser = testing::make_component<Optimiser>("lbfgspp", {});
  CHECK_THROWS_WITH(optimiser->minimise(p, failing, *context), "model: out of memory");
  CHECK(calls == 5);
  // The optimiser is still usable afterwards.
  const BoxResult r = solve_rosenbrock([&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                           at::Tensor& grad) { f[0] = rosenbrock(x, 0, grad); });
  CHECK(r.converged[0].item<int>() == 1);
}

TEST_CASE("the schema fills defaults and rejects bad values") {
  CHECK(problems_of({}).empty());
  std::vector<ParamProblem> none;
  ValidatedParams defaults = entry().describe().validate({}, none);
  CHECK(defaults.at("m").integer == 10);
  CHECK(defaults.at("max_iterations").integer == 500);
  CHECK(defaults.at("factr").real == 1e10);
  CHECK(defaults.at("pgtol").real == 1e-5);
  CHECK(defaults.at("max_submin").integer == 10);
  CHECK(defaults.at("max_linesearch").integer == 20);
  CHECK(problems_of({{"m", Value::of(0)}}).size() == 1);
  CHECK(problems_of({{"max_linesearch", Value::of(0)}}).size() == 1);
  CHECK(problems_of({{"factr", Value::of(-1.0)}}).size() == 1);
  CHECK(std::string(entry().name) == "lbfgspp");
  CHECK(entry().kind == PluginKind::optimiser);
}
