// The optimiser component: many independent box-constrained minimisations solved together.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>

#include "blindspot/node.hpp"

namespace blindspot {

/// N independent problems: minimise f_i(x) over lower_i <= x <= upper_i, started at x0_i.
struct BoxProblem {
  at::Tensor x0;     // float64 [N, D]
  at::Tensor lower;  // float64 [N, D]
  at::Tensor upper;  // float64 [N, D]
};

/// Values and gradients of the objectives of problems `which` (int64 [M]) at points x
/// (float64 [M, D]); fills f (float64 [M]) and grad (float64 [M, D]). One call evaluates a
/// whole batch, so the model runs one forward/backward for all the problems that need it.
using BatchObjective = std::function<void(const at::Tensor& which, const at::Tensor& x,
                                          at::Tensor& f, at::Tensor& grad)>;

/// The best point found for each problem, and what it cost.
struct BoxResult {
  at::Tensor x;            // float64 [N, D], inside the bounds
  at::Tensor f;            // float64 [N]
  at::Tensor iterations;   // int64 [N]
  at::Tensor evaluations;  // int64 [N], objective evaluations
  at::Tensor converged;    // uint8 [N], 1 when the optimiser's convergence test was met
};

/// Base of optimiser plugins: used by attacks through make_component, never as a graph node.
class BLINDSPOT_API Optimiser : public Node {
 public:
  static constexpr PluginKind plugin_kind = PluginKind::optimiser;
  /// Solves every problem; objective calls gather all problems that need a value.
  virtual BoxResult minimise(const BoxProblem& problem, const BatchObjective& objective,
                             RunContext& ctx) const = 0;

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) final;
};

}  // namespace blindspot
