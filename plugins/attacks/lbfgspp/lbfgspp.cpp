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
    LbfgsOptions lbfgs;
    std::int64_t max_submin;
    std::int64_t max_linesearch;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "L-BFGS-B of LBFGSpp (exact Cauchy point, bounded subspace minimisation, "
        "Moré-Thuente line search) on many box-constrained problems at once");
    return lbfgs_params(schema, &Params::lbfgs)
        .param(&Params::max_submin, "max_submin", 10,
               "iterations of the bounded subspace minimisation in each iteration")
        .range(0, 1000)
        .param(&Params::max_linesearch, "max_linesearch", 20,
               "trial points of one line search before the problem stops at its best point")
        .range(1, 1000);
  }

  explicit Lbfgspp(const Params& p)
      : settings_{static_cast<int>(p.lbfgs.m),
                  p.lbfgs.max_iterations,
                  p.lbfgs.factr,
                  p.lbfgs.pgtol,
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
