// The lbfgspp optimiser plugin: LBFGSpp's L-BFGS-B (Qiu), one fiber per problem, batched.
#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"
#include "fiber_driver.hpp"

namespace {

using namespace blindspot;

/// The lbfgspp optimiser: each problem runs LBFGSpp's solver on a fiber; evaluations are batched.
class Lbfgspp final : public StreamingOptimiser {
 public:
  struct Params {
    std::int64_t m;
    std::int64_t max_iterations;
    double factr;
    double pgtol;
    std::int64_t max_submin;
    std::int64_t max_linesearch;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "L-BFGS-B of LBFGSpp (exact Cauchy point, bounded subspace minimisation, "
               "Moré-Thuente line search) on many box-constrained problems at once")
        .param(&Params::m, "m", 10, "memory: number of corrections kept")
        .range(1, 100)
        .param(&Params::max_iterations, "max_iterations", 500,
               "iterations (accepted points) per problem before it stops unconverged")
        .range(1, 1e9)
        .param(&Params::factr, "factr", 1e10,
               "stop when the relative reduction of f over one iteration is at most factr * "
               "machine epsilon (float64), as lbfgsb's factr")
        .at_least(0)
        .param(&Params::pgtol, "pgtol", 1e-5,
               "stop when the largest component of the projected gradient is at most pgtol")
        .at_least(0)
        .param(&Params::max_submin, "max_submin", 10,
               "iterations of the bounded subspace minimisation in each iteration")
        .range(0, 1000)
        .param(&Params::max_linesearch, "max_linesearch", 20,
               "trial points of one line search before the problem stops at its best point")
        .range(1, 1000);
  }

  explicit Lbfgspp(const Params& p)
      : settings_{static_cast<int>(p.m),
                  p.max_iterations,
                  p.factr,
                  p.pgtol,
                  static_cast<int>(p.max_submin),
                  static_cast<int>(p.max_linesearch)} {}

  void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
              RunContext&) const override {
    lbfgspp::stream(queue, capacity, objective, settings_);
  }

 private:
  const lbfgspp::Settings settings_;
};

}  // namespace

BLINDSPOT_PLUGIN(Lbfgspp, "lbfgspp", optimiser, "1")
