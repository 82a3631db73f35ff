// The lbfgsb optimiser plugin: box-constrained L-BFGS-B 3.0 (Nocedal-Morales), batched.
#include "batch_driver.hpp"
#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"

namespace {

using namespace blindspot;

/// The lbfgsb optimiser: every problem gets its own setulb state; evaluations are batched.
class Lbfgsb final : public StreamingOptimiser {
 public:
  struct Params {
    LbfgsOptions lbfgs;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("L-BFGS-B 3.0 (setulb) on many box-constrained problems at once");
    return lbfgs_params(schema, &Params::lbfgs);
  }

  explicit Lbfgsb(const Params& p)
      : settings_{static_cast<int>(p.lbfgs.m), p.lbfgs.max_iterations, p.lbfgs.factr,
                  p.lbfgs.pgtol} {}

  void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
              RunContext&) const override {
    lbfgsb::stream(queue, capacity, objective, settings_);
  }

 private:
  const lbfgsb::Settings settings_;
};

}  // namespace

BLINDSPOT_PLUGIN(Lbfgsb, "lbfgsb", optimiser, "1")
