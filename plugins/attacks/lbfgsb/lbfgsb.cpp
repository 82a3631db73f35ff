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
    std::int64_t m;
    std::int64_t max_iterations;
    double factr;
    double pgtol;
  };

  static Schema describe() {
    return Schema::of<Params>("L-BFGS-B 3.0 (setulb) on many box-constrained problems at once")
        .param(&Params::m, "m", 10, "memory: number of corrections kept")
        .range(1, 100)
        .param(&Params::max_iterations, "max_iterations", 500,
               "iterations (accepted points) "
               "per problem before it stops unconverged")
        .range(1, 1e9)
        .param(&Params::factr, "factr", 1e10,
               "stop when the relative reduction of f is at most factr * machine epsilon "
               "(float64); 1e7 asks for precision a float32 model cannot give")
        .at_least(0)
        .param(&Params::pgtol, "pgtol", 1e-5,
               "stop when the largest component of the projected gradient is at most pgtol")
        .at_least(0);
  }

  explicit Lbfgsb(const Params& p)
      : settings_{static_cast<int>(p.m), p.max_iterations, p.factr, p.pgtol} {}

  void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
              RunContext&) const override {
    lbfgsb::stream(queue, capacity, objective, settings_);
  }

 private:
  const lbfgsb::Settings settings_;
};

}  // namespace

BLINDSPOT_PLUGIN(Lbfgsb, "lbfgsb", optimiser, "1")
