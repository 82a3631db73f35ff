// Tests of the lbfgsb optimiser's own behaviour (tests/optimiser_plugins_test.cpp holds it to
// what every optimiser plugin must do).
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "batch_driver.hpp"
#include "blindspot/optimiser.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;

/// The 2-D Rosenbrock function and its gradient at row k of x.
double rosenbrock(const at::Tensor& x, std::int64_t k, at::Tensor& grad) {
  const double a = x[k][0].item<double>(), b = x[k][1].item<double>();
  grad[k][0] = -2 * (1 - a) - 400 * a * (b - a * a);
  grad[k][1] = 200 * (b - a * a);
  return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
}

}  // namespace

TEST_CASE("an abnormal line search still returns the best iterate seen") {
  // Rosenbrock whose gradient turns to the wrong sign after 12 evaluations: every later line
  // search fails, and setulb ends abnormally.
  std::int64_t calls = 0;
  const BatchObjective broken = [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                    at::Tensor& grad) {
    f[0] = rosenbrock(x, 0, grad);
    if (++calls > 12) grad.neg_();
  };
  const BoxProblem p{at::tensor({-1.2, 1.0}, at::kDouble).view({1, 2}),
                     at::full({1, 2}, -2.0, at::kDouble), at::full({1, 2}, 2.0, at::kDouble)};
  double best = INFINITY;
  std::int64_t seen = 0;
  lbfgsb::Settings settings{10, 1000, 0.0, 0.0};
  BoxResult r = lbfgsb::solve(p, broken, settings, [&](std::int64_t, std::int64_t, double f) {
    best = std::min(best, f);
    ++seen;
  });
  CHECK(r.converged[0].item<int>() == 0);
  CHECK(r.iterations[0].item<std::int64_t>() >= 1);
  CHECK(r.iterations[0].item<std::int64_t>() < 1000);
  CHECK(seen == r.iterations[0].item<std::int64_t>() + 1);
  CHECK(r.f[0].item<double>() == best);
  at::Tensor g = at::zeros({1, 2}, at::kDouble);
  CHECK(rosenbrock(r.x, 0, g) == best);
}
