// Tests of the lbfgsb optimiser's own behaviour (tests/optimiser_plugins_test.cpp holds it to
// what every optimiser plugin must do).
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "batch_driver.hpp"
#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;
namespace testing = blindspot::testing;
using Params = std::map<std::string, Value>;

const PluginEntry& entry() {
  return testing::plugin_entry("lbfgsb");
}

std::vector<ParamProblem> problems_of(const Params& given) {
  std::vector<ParamProblem> problems;
  entry().describe().validate(given, problems);
  return problems;
}

/// f and its gradient for one row: problem index, point x (D values), gradient out.
using RowFunction = std::function<double(std::int64_t, const double*, double*)>;

/// A batch objective evaluating `row` per row; records batch sizes and checks every point is
/// inside the problem's box. `index` renames problems (row i of a one-problem run is index[i]).
BatchObjective batched(RowFunction row, const BoxProblem& p, std::vector<std::int64_t>* sizes,
                       std::vector<std::int64_t> index = {}) {
  return [=](const at::Tensor& which, const at::Tensor& x, at::Tensor& f, at::Tensor& grad) {
    if (sizes) sizes->push_back(which.size(0));
    for (std::int64_t k = 0; k < which.size(0); ++k) {
      std::int64_t i = which[k].item<std::int64_t>();
      std::int64_t problem = index.empty() ? i : index[i];
      CHECK(((x[k] >= p.lower[i]) & (x[k] <= p.upper[i])).all().item<bool>());
      at::Tensor xk = x[k].contiguous(), gk = at::zeros_like(xk);
      f[k] = row(problem, xk.data_ptr<double>(), gk.data_ptr<double>());
      grad[k] = gk;
    }
  };
}

// A float64 matrix from its rows.
at::Tensor rows(std::vector<std::vector<double>> values) {
  at::Tensor out =
      at::empty({std::int64_t(values.size()), std::int64_t(values[0].size())}, at::kDouble);
  for (std::size_t i = 0; i < values.size(); ++i)
    for (std::size_t j = 0; j < values[i].size(); ++j) out[i][j] = values[i][j];
  return out;
}

// The chained Rosenbrock function in d dimensions and its gradient.
double rosenbrock(std::int64_t d, const double* x, double* g) {
  double f = 0;
  std::fill(g, g + d, 0.0);
  for (std::int64_t j = 0; j + 1 < d; ++j) {
    double a = 1 - x[j], b = x[j + 1] - x[j] * x[j];
    f += a * a + 100 * b * b;
    g[j] += -2 * a - 400 * x[j] * b;
    g[j + 1] += 200 * b;
  }
  return f;
}

}  // namespace

TEST_CASE("an abnormal line search still returns the best iterate seen") {
  // Rosenbrock whose gradient turns to the wrong sign after 12 evaluations: every later line
  // search fails, and setulb ends abnormally.
  std::int64_t calls = 0;
  auto broken = [&](std::int64_t, const double* x, double* g) {
    double f = rosenbrock(2, x, g);
    if (++calls > 12) std::for_each(g, g + 2, [](double& v) { v = -v; });
    return f;
  };
  BoxProblem p{rows({{-1.2, 1}}), rows({{-2, -2}}), rows({{2, 2}})};
  double best = INFINITY;
  std::int64_t seen = 0;
  lbfgsb::Settings settings{10, 1000, 0.0, 0.0};
  BoxResult r = lbfgsb::solve(p, batched(broken, p, nullptr), settings,
                              [&](std::int64_t, std::int64_t, double f) {
                                best = std::min(best, f);
                                ++seen;
                              });
  CHECK(r.converged[0].item<int>() == 0);
  CHECK(r.iterations[0].item<std::int64_t>() >= 1);
  CHECK(r.iterations[0].item<std::int64_t>() < 1000);
  CHECK(seen == r.iterations[0].item<std::int64_t>() + 1);
  CHECK(r.f[0].item<double>() == best);
  at::Tensor x = r.x[0].contiguous(), g = at::zeros_like(x);
  CHECK(rosenbrock(2, x.data_ptr<double>(), g.data_ptr<double>()) == best);
}

TEST_CASE("the schema fills defaults and rejects bad values") {
  CHECK(problems_of({}).empty());
  std::vector<ParamProblem> none;
  ValidatedParams defaults = entry().describe().validate({}, none);
  CHECK(defaults.at("m").integer == 10);
  CHECK(defaults.at("max_iterations").integer == 500);
  CHECK(defaults.at("factr").real == 1e10);
  CHECK(defaults.at("pgtol").real == 1e-5);
  CHECK(problems_of({{"m", Value::of(0)}}).size() == 1);
  CHECK(problems_of({{"m", Value::of(101)}}).size() == 1);
  CHECK(problems_of({{"pgtol", Value::of(-1e-3)}}).size() == 1);
  CHECK(problems_of({{"max_iterations", Value::of(0)}}).size() == 1);
  CHECK(std::string(entry().name) == "lbfgsb");
  CHECK(entry().kind == PluginKind::optimiser);
}
