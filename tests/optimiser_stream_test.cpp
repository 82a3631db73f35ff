// The default Optimiser::stream: rounds of at most `capacity` problems through minimise().
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "blindspot/optimiser.hpp"
#include "blindspot/testing.hpp"

namespace {

using namespace blindspot;

/// One projected gradient step per problem, recording the size of each minimise() call.
class OneStep final : public Optimiser {
 public:
  BoxResult minimise(const BoxProblem& p, const BatchObjective& objective,
                     RunContext&) const override {
    const std::int64_t n = p.x0.size(0);
    rounds.push_back(n);
    at::Tensor f, grad;
    objective(at::arange(n, at::kLong), p.x0, f, grad);
    const at::Tensor x = at::min(at::max(p.x0 - grad, p.lower), p.upper);
    const at::Tensor one = at::ones({n}, at::kLong);
    return {x, f, one, one, at::zeros({n}, at::kByte)};
  }
  mutable std::vector<std::int64_t> rounds;
};

/// Five problems with ids 10..14 in one dimension: x0 = id / 100, box [0, 1].
class FiveProblems final : public ProblemQueue {
 public:
  bool next(std::int64_t& id, BoxStart& start) override {
    if (next_ == 15) return false;
    id = next_++;
    start = {at::full({1}, id / 100.0, at::kDouble), at::zeros({1}, at::kDouble),
             at::ones({1}, at::kDouble)};
    return true;
  }
  void finish(std::int64_t id, const BoxOutcome& outcome) override {
    results[id] = outcome.x.item<double>();
  }
  std::map<std::int64_t, double> results;

 private:
  std::int64_t next_ = 10;
};

}  // namespace

TEST_CASE("the default stream runs rounds of at most `capacity` problems, known by their ids") {
  OneStep optimiser;
  FiveProblems queue;
  std::vector<std::int64_t> seen;
  // f = (x - id / 20)^2 / 2: one step from anywhere lands on id / 20, clamped to [0, 1].
  const BatchObjective objective = [&](const at::Tensor& which, const at::Tensor& x, at::Tensor& f,
                                       at::Tensor& grad) {
    for (std::int64_t k = 0; k < which.size(0); ++k) seen.push_back(which[k].item<std::int64_t>());
    const at::Tensor target = which.to(at::kDouble).unsqueeze(1) / 20.0;
    grad = x - target;
    f = (grad * grad).sum(1) / 2;
  };
  auto ctx = testing::context();
  optimiser.stream(queue, 2, objective, *ctx);
  CHECK(optimiser.rounds == std::vector<std::int64_t>{2, 2, 1});
  CHECK(seen == std::vector<std::int64_t>{10, 11, 12, 13, 14});
  REQUIRE(queue.results.size() == 5);
  for (const auto& [id, x] : queue.results) CHECK(x == doctest::Approx(std::min(id / 20.0, 1.0)));
}
