// The projected_lbfgs optimiser plugin: projected L-BFGS on many box-constrained problems.
#include "batch_driver.hpp"
#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"

namespace {

using namespace blindspot;

/// The projected_lbfgs optimiser: one reverse-communication solver per problem, evaluations
/// batched.
class ProjectedLbfgs final : public StreamingOptimiser {
 public:
  struct Params {
    LbfgsOptions lbfgs;
    std::int64_t max_linesearch;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "projected L-BFGS (two-loop direction on the free variables, backtracking "
        "along the projected path) on many box-constrained problems at once");
    return lbfgs_params(schema, &Params::lbfgs)
        .param(&Params::max_linesearch, "max_linesearch", 20,
               "trial points of one line search before the problem stops at its last point")
        .range(1, 1000);
  }

  explicit ProjectedLbfgs(const Params& p)
      : settings_{static_cast<int>(p.lbfgs.m), p.lbfgs.max_iterations, p.lbfgs.factr, p.lbfgs.pgtol,
                  static_cast<int>(p.max_linesearch)} {}

  void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
              RunContext&) const override {
    projected_lbfgs::stream(queue, capacity, objective, settings_);
  }

 private:
  const projected_lbfgs::Settings settings_;
};

}  // namespace

BLINDSPOT_PLUGIN(ProjectedLbfgs, "projected_lbfgs", optimiser, "2")
