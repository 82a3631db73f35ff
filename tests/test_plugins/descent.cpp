// A test optimiser ("descent"): projected gradient descent with a fixed step, batched.
#include <ATen/ATen.h>

#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"

namespace {

/// x <- clamp(x - step * grad, lower, upper), `steps` times, all problems at once.
class Descent final : public blindspot::Optimiser {
 public:
  struct Params {
    std::int64_t steps;
    double step;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test optimiser: projected gradient descent")
        .param(&Params::steps, "steps", 100, "iterations")
        .at_least(1)
        .param(&Params::step, "step", 0.1, "step size")
        .above(0);
  }
  explicit Descent(const Params& p) : p_(p) {}

  blindspot::BoxResult minimise(const blindspot::BoxProblem& problem,
                                const blindspot::BatchObjective& objective,
                                blindspot::RunContext&) const override {
    const std::int64_t n = problem.x0.size(0);
    at::Tensor which = at::arange(n, at::kLong), x = problem.x0.clone(), f, grad;
    for (std::int64_t i = 0; i < p_.steps; ++i) {
      objective(which, x, f, grad);
      x = at::min(at::max(x - p_.step * grad, problem.lower), problem.upper);
    }
    objective(which, x, f, grad);
    at::Tensor count = at::full({n}, p_.steps, at::kLong);
    return {x, f, count, count + 1, at::zeros({n}, at::kByte)};
  }

 private:
  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Descent, "descent", optimiser, "1")
