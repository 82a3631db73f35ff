// What every box optimiser plugin must do, checked for each one (lbfgsb, lbfgspp, projected_lbfgs)
// loaded through its plugin entry: problems with known minimisers, batches equal to separate runs,
// streams that refill at once, the iteration cap, progress on a gradient that never flattens,
// and how a problem ends when its line search or its objective fails.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;
namespace testing = blindspot::testing;
using Params = std::map<std::string, Value>;

/// The optimiser plugins these tests hold to the same behaviour.
const std::vector<std::string> kOptimisers{"lbfgsb", "lbfgspp", "projected_lbfgs"};

std::unique_ptr<Optimiser> load_optimiser(const std::string& name, const Params& given) {
  return testing::make_component<Optimiser>(name, given);
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

// Largest absolute difference.
double max_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

const Params kPrecise{{"factr", Value::of(1e7)}, {"pgtol", Value::of(1e-10)}};

/// The 2-D Rosenbrock function and its gradient at row k of x, in place.
double rosenbrock_row(const at::Tensor& x, std::int64_t k, at::Tensor& grad) {
  const double a = x[k][0].item<double>(), b = x[k][1].item<double>();
  grad[k][0] = -2 * (1 - a) - 400 * a * (b - a * a);
  grad[k][1] = 200 * (b - a * a);
  return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
}

/// Solves one 2-D Rosenbrock problem from (-1.2, 1) in [-2, 2]^2 with `objective`.
BoxResult solve_rosenbrock(const std::string& name, const BatchObjective& objective,
                           const Params& given = {}) {
  const BoxProblem p{at::tensor({-1.2, 1.0}, at::kDouble).view({1, 2}),
                     at::full({1, 2}, -2.0, at::kDouble), at::full({1, 2}, 2.0, at::kDouble)};
  auto context = testing::context();
  return testing::make_component<Optimiser>(name, given)->minimise(p, objective, *context);
}

}  // namespace

TEST_CASE("a bounded quadratic ends at its minimiser clamped to the box") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    const std::vector<double> a{1, 2, 3, 4}, c{-2, 0.5, 3, 0.2};
    BoxProblem p{rows({{0.9, -0.9, 0, 0.5}, {1.5, 0.1, 0.1, 1.9}}),
                 rows({{-1, -1, -1, -1}, {0, 0, 0, 0}}), rows({{1, 1, 1, 1}, {2, 2, 2, 2}})};
    auto quadratic = [&](std::int64_t, const double* x, double* g) {
      double f = 0;
      for (int j = 0; j < 4; ++j) f += a[j] * (x[j] - c[j]) * (x[j] - c[j]);
      for (int j = 0; j < 4; ++j) g[j] = 2 * a[j] * (x[j] - c[j]);
      return f;
    };
    auto context = testing::context();
    RunContext& ctx = *context;
    BoxResult r = load_optimiser(name, kPrecise)->minimise(p, batched(quadratic, p, nullptr), ctx);
    at::Tensor expected = at::max(at::min(rows({c, c}), p.upper), p.lower);
    CHECK(max_error(r.x, expected) <= 1e-6);
    CHECK(r.converged.sum().item<std::int64_t>() == 2);
    CHECK(r.f[0].item<double>() == doctest::Approx(1 * 1 + 3 * 4).epsilon(1e-9));
    CHECK(r.f[1].item<double>() == doctest::Approx(1 * 4 + 3 * 1).epsilon(1e-9));
  }
}

TEST_CASE("bounded Rosenbrock: on the boundary when the box excludes (1, 1), else (1, 1)") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    BoxProblem p{rows({{-1.2, 1}, {-1.2, 1}}), rows({{-2, -2}, {-5, -5}}),
                 rows({{0.5, 2}, {5, 5}})};
    auto context = testing::context();
    RunContext& ctx = *context;
    BoxResult r = load_optimiser(name, kPrecise)
                      ->minimise(p,
                                 batched([](std::int64_t, const double* x,
                                            double* g) { return rosenbrock(2, x, g); },
                                         p, nullptr),
                                 ctx);
    CHECK(max_error(r.x[0], at::tensor({0.5, 0.25}, at::kDouble)) <= 1e-5);
    CHECK(max_error(r.x[1], at::tensor({1.0, 1.0}, at::kDouble)) <= 1e-5);
    CHECK(r.f[0].item<double>() == doctest::Approx(0.25).epsilon(1e-9));
  }
}

TEST_CASE("N problems batched equal N separate runs, and finished problems leave the batch") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    const std::int64_t n = 6, d = 5;
    at::Tensor x0 = at::empty({n, d}, at::kDouble);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < d; ++j) x0[i][j] = -1.5 + 0.4 * i + 0.13 * j * (i % 3);
    BoxProblem p{x0, at::full({n, d}, -2.0, at::kDouble), at::full({n, d}, 1.8, at::kDouble)};
    auto scaled = [&](std::int64_t i, const double* x, double* g) {  // a scale per problem
      double f = (1 + 0.5 * i) * rosenbrock(d, x, g);
      std::for_each(g, g + d, [&](double& v) { v *= 1 + 0.5 * i; });
      return f;
    };
    auto optimiser = load_optimiser(name, {{"factr", Value::of(1e7)}});
    auto context = testing::context();
    RunContext& ctx = *context;
    std::vector<std::int64_t> sizes;
    BoxResult all = optimiser->minimise(p, batched(scaled, p, &sizes), ctx);
    CHECK(sizes.front() == n);
    CHECK(*std::max_element(sizes.begin(), sizes.end()) == n);
    CHECK(sizes.back() < n);
    CHECK(std::is_sorted(sizes.rbegin(), sizes.rend()));
    CHECK(all.iterations.min().item<std::int64_t>() < all.iterations.max().item<std::int64_t>());
    for (std::int64_t i = 0; i < n; ++i) {
      BoxProblem one{p.x0.narrow(0, i, 1), p.lower.narrow(0, i, 1), p.upper.narrow(0, i, 1)};
      BoxResult r = optimiser->minimise(one, batched(scaled, one, nullptr, {i}), ctx);
      CHECK(at::equal(r.x[0], all.x[i]));
      CHECK(r.f[0].item<double>() == all.f[i].item<double>());
      CHECK(r.iterations[0].item<std::int64_t>() == all.iterations[i].item<std::int64_t>());
      CHECK(r.evaluations[0].item<std::int64_t>() == all.evaluations[i].item<std::int64_t>());
    }
    MESSAGE("iterations per problem: " << all.iterations << " objective calls: " << sizes.size());
  }
}

/// Hands out the rows of a BoxProblem in order and records what comes back.
class RecordingQueue final : public ProblemQueue {
 public:
  explicit RecordingQueue(const BoxProblem& p) : p_(p) {}
  bool next(std::int64_t& id, BoxStart& start) override {
    if (started == p_.x0.size(0)) return false;
    id = started++;
    start = {p_.x0[id], p_.lower[id], p_.upper[id]};
    return true;
  }
  void finish(std::int64_t id, const BoxOutcome& outcome) override {
    outcomes.emplace(id, outcome);
  }
  std::int64_t started = 0;
  std::map<std::int64_t, BoxOutcome> outcomes;

 private:
  const BoxProblem& p_;
};

TEST_CASE("a stream refills each finished problem's place at once and matches separate runs") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    const std::int64_t n = 7, d = 4, capacity = 3;
    at::Tensor x0 = at::empty({n, d}, at::kDouble);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < d; ++j) x0[i][j] = -1.4 + 0.3 * i - 0.2 * j * (i % 2);
    BoxProblem p{x0, at::full({n, d}, -2.0, at::kDouble), at::full({n, d}, 1.5, at::kDouble)};
    auto scaled = [&](std::int64_t i, const double* x, double* g) {
      double f = (1 + 0.3 * i) * rosenbrock(d, x, g);
      std::for_each(g, g + d, [&](double& v) { v *= 1 + 0.3 * i; });
      return f;
    };
    auto optimiser = load_optimiser(name, {{"factr", Value::of(1e7)}});
    auto context = testing::context();
    RecordingQueue queue(p);
    // Each call's batch size, and how many problems were unfinished when it was made.
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    const BatchObjective counted = [&](const at::Tensor& which, const at::Tensor& x, at::Tensor& f,
                                       at::Tensor& grad) {
      calls.emplace_back(which.size(0), n - static_cast<std::int64_t>(queue.outcomes.size()));
      batched(scaled, p, nullptr)(which, x, f, grad);
    };
    optimiser->stream(queue, capacity, counted, *context);
    REQUIRE(queue.outcomes.size() == std::size_t(n));
    for (const auto& [size, unfinished] : calls) CHECK(size == std::min(capacity, unfinished));
    for (std::int64_t i = 0; i < n; ++i) {
      BoxProblem one{p.x0.narrow(0, i, 1), p.lower.narrow(0, i, 1), p.upper.narrow(0, i, 1)};
      BoxResult r = optimiser->minimise(one, batched(scaled, one, nullptr, {i}), *context);
      const BoxOutcome& o = queue.outcomes.at(i);
      CHECK(at::equal(r.x[0], o.x));
      CHECK(r.f[0].item<double>() == o.f);
      CHECK(r.evaluations[0].item<std::int64_t>() == o.evaluations);
    }
    MESSAGE("objective calls: " << calls.size());
  }
}

TEST_CASE("max_iterations is respected and results stay inside the bounds") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    BoxProblem p{rows({{-1.2, 1}}), rows({{-2, -2}}), rows({{2, 2}})};
    auto context = testing::context();
    RunContext& ctx = *context;
    BoxResult r = load_optimiser(name, {{"max_iterations", Value::of(3)}})
                      ->minimise(p,
                                 batched([](std::int64_t, const double* x,
                                            double* g) { return rosenbrock(2, x, g); },
                                         p, nullptr),
                                 ctx);
    CHECK(r.iterations[0].item<std::int64_t>() == 3);
    CHECK(r.converged[0].item<int>() == 0);
    CHECK(((r.x >= p.lower) & (r.x <= p.upper)).all().item<bool>());
  }
}

TEST_CASE("a non-finite value ends the problem at its best point, unconverged") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    std::int64_t calls = 0;
    double best = std::numeric_limits<double>::infinity();
    const BatchObjective poisoned = [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                        at::Tensor& grad) {
      const double value = rosenbrock_row(x, 0, grad);
      best = std::min(best, value);
      f[0] = ++calls > 8 ? std::numeric_limits<double>::quiet_NaN() : value;
    };
    const BoxResult r = solve_rosenbrock(name, poisoned);
    CHECK(calls == 9);
    CHECK(r.evaluations[0].item<std::int64_t>() == 9);
    CHECK(r.converged[0].item<int>() == 0);
    // The best accepted iterate: no worse than the start (24.2), no better than any point seen.
    CHECK(r.f[0].item<double>() < 24.2);
    CHECK(r.f[0].item<double>() >= best);
    at::Tensor g = at::zeros({1, 2}, at::kDouble);
    CHECK(rosenbrock_row(r.x, 0, g) == r.f[0].item<double>());
  }
}

TEST_CASE("a line search that cannot succeed ends the problem at its best iterate") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    // After 12 evaluations the gradient turns to the wrong sign: the next line search fails.
    std::int64_t calls = 0;
    const BatchObjective broken = [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                      at::Tensor& grad) {
      f[0] = rosenbrock_row(x, 0, grad);
      if (++calls > 12) grad.neg_();
    };
    const BoxResult r = solve_rosenbrock(name, broken, {{"max_iterations", Value::of(1000)}});
    CHECK(r.converged[0].item<int>() == 0);
    CHECK(r.iterations[0].item<std::int64_t>() >= 1);
    CHECK(r.iterations[0].item<std::int64_t>() < 1000);
    CHECK(r.f[0].item<double>() < 24.2);
    at::Tensor g = at::zeros({1, 2}, at::kDouble);
    CHECK(rosenbrock_row(r.x, 0, g) == r.f[0].item<double>());
  }
}

TEST_CASE("a gradient that never flattens still leads every optimiser towards the minimiser") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    // f = (x - 1)^2 on [-10, 10] from 5, told a gradient of constant size 8 (its size at the
    // start) pointing the right way: the strong Wolfe curvature condition can never hold, as
    // near a float32 model's minimum, yet every step towards 1 lowers f.
    const BoxProblem p{rows({{5.0}}), rows({{-10.0}}), rows({{10.0}})};
    const BatchObjective sign_only = [](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                        at::Tensor& grad) {
      const double at = x[0][0].item<double>();
      f[0] = (at - 1) * (at - 1);
      grad[0][0] = at > 1 ? 8.0 : at < 1 ? -8.0 : 0.0;
    };
    auto context = testing::context();
    const BoxResult r = load_optimiser(name, {})->minimise(p, sign_only, *context);
    CHECK(r.iterations[0].item<std::int64_t>() >= 1);
    CHECK(std::abs(r.x[0][0].item<double>() - 1) < 0.5);
  }
}

TEST_CASE(
    "an objective that throws stops the run with its error, and the optimiser can run again") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    std::int64_t calls = 0;
    const BatchObjective failing = [&](const at::Tensor& which, const at::Tensor& x, at::Tensor& f,
                                       at::Tensor& grad) {
      if (++calls == 5) throw Error("model", "out of memory");
      for (std::int64_t k = 0; k < which.size(0); ++k) f[k] = rosenbrock_row(x, k, grad);
    };
    const BoxProblem p{at::tensor({-1.2, 1.0, 0.5, 0.5, 1.5, -1.0}, at::kDouble).view({3, 2}),
                       at::full({3, 2}, -2.0, at::kDouble), at::full({3, 2}, 2.0, at::kDouble)};
    auto context = testing::context();
    auto optimiser = load_optimiser(name, {});
    CHECK_THROWS_WITH(optimiser->minimise(p, failing, *context), "model: out of memory");
    CHECK(calls == 5);
    // The optimiser is still usable afterwards.
    const BoxResult r =
        solve_rosenbrock(name, [&](const at::Tensor&, const at::Tensor& x, at::Tensor& f,
                                   at::Tensor& grad) { f[0] = rosenbrock_row(x, 0, grad); });
    CHECK(r.converged[0].item<int>() == 1);
  }
}

TEST_CASE("every optimiser plugin declares lbfgsb's parameters with its defaults and ranges") {
  for (const std::string& name : kOptimisers) {
    CAPTURE(name);
    const PluginEntry& entry = testing::plugin_entry(name);
    CHECK(std::string(entry.name) == name);
    CHECK(entry.kind == PluginKind::optimiser);
    const auto problems_of = [&](const Params& given) {
      std::vector<ParamProblem> problems;
      entry.describe().validate(given, problems);
      return problems.size();
    };
    std::vector<ParamProblem> none;
    const ValidatedParams defaults = entry.describe().validate({}, none);
    CHECK(none.empty());
    CHECK(defaults.at("m").integer == 10);
    CHECK(defaults.at("max_iterations").integer == 500);
    CHECK(defaults.at("factr").real == 1e10);
    CHECK(defaults.at("pgtol").real == 1e-5);
    CHECK(problems_of({{"m", Value::of(0)}}) == 1);
    CHECK(problems_of({{"m", Value::of(101)}}) == 1);
    CHECK(problems_of({{"max_iterations", Value::of(0)}}) == 1);
    CHECK(problems_of({{"factr", Value::of(-1.0)}}) == 1);
    CHECK(problems_of({{"pgtol", Value::of(-1e-3)}}) == 1);
  }
}
