// A test analysis ("uses_optimiser") that minimises (x - 2)^2 over [0, 1] with its optimiser.
#include <ATen/ATen.h>

#include "blindspot/optimiser.hpp"
#include "blindspot/plugin.hpp"

namespace {

/// Writes the minimiser and the evaluation count its optimiser component reports.
class UsesOptimiser final : public blindspot::Node {
 public:
  struct Params {
    blindspot::Value optimiser;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: runs an optimiser component")
        .component(&Params::optimiser, "optimiser", blindspot::PluginKind::optimiser, "descent",
                   "the optimiser")
        .output<blindspot::Table>("result", "minimiser and evaluations");
  }
  explicit UsesOptimiser(const Params& p) : optimiser_(p.optimiser) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext& ctx) override {
    auto optimiser = blindspot::make_component<blindspot::Optimiser>(ctx, optimiser_);
    blindspot::BoxProblem problem{at::zeros({1, 1}, at::kDouble), at::zeros({1, 1}, at::kDouble),
                                  at::ones({1, 1}, at::kDouble)};
    auto objective = [](const at::Tensor&, const at::Tensor& x, at::Tensor& f, at::Tensor& g) {
      f = (x - 2).pow(2).sum(1);
      g = 2 * (x - 2);
    };
    blindspot::BoxResult result = optimiser->minimise(problem, objective, ctx);
    blindspot::Table table("result", {"x"}, {"minimiser", "evaluations"});
    table.set(0, 0, result.x.item<double>());
    table.set(0, 1, static_cast<double>(result.evaluations.item<std::int64_t>()));
    out.put("result", table);
  }
  const blindspot::Value optimiser_;
};

}  // namespace

BLINDSPOT_PLUGIN(UsesOptimiser, "uses_optimiser", analysis, "1")
