// The optimiser component: many independent box-constrained minimisations solved together.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "blindspot/node.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// N independent problems: minimise f_i(x) over lower_i <= x <= upper_i, started at x0_i.
struct BoxProblem {
  at::Tensor x0;     // float64 [N, D]
  at::Tensor lower;  // float64 [N, D]
  at::Tensor upper;  // float64 [N, D]
};

/// One problem of a stream: minimise f(x) over lower <= x <= upper, started at x0.
struct BoxStart {
  at::Tensor x0;     // float64 [D]
  at::Tensor lower;  // float64 [D]
  at::Tensor upper;  // float64 [D]
};

/// What solving one problem of a stream gave.
struct BoxOutcome {
  at::Tensor x;  // float64 [D], the best point found, inside the bounds
  double f = 0.0;
  std::int64_t iterations = 0;
  std::int64_t evaluations = 0;  // objective evaluations
  bool converged = false;        // the optimiser's convergence test was met
};

/// Values and gradients of the objectives of problems `which` (int64 [M]: row numbers for
/// minimise(), ids for stream()) at points x (float64 [M, D]); fills f (float64 [M]) and grad
/// (float64 [M, D]), whose values on entry are unspecified, or assigns new tensors of those
/// shapes to them. One call evaluates a whole batch: one forward/backward of the model.
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

/// Hands problems to Optimiser::stream one at a time and takes back each result.
class BLINDSPOT_API ProblemQueue {
 public:
  virtual ~ProblemQueue();
  /// The next problem to start and the id the objective will know it by; false when no
  /// problem is ready. Results handed to finish() may make new problems ready.
  virtual bool next(std::int64_t& id, BoxStart& start) = 0;
  /// The result of problem `id`.
  virtual void finish(std::int64_t id, const BoxOutcome& outcome) = 0;
};

/// A queue over the rows of a BoxProblem, in order, that collects what comes back as a BoxResult:
/// how an optimiser built on stream() solves minimise()'s problems.
class BLINDSPOT_API RowQueue final : public ProblemQueue {
 public:
  explicit RowQueue(const BoxProblem& problem);
  bool next(std::int64_t& id, BoxStart& start) override;
  void finish(std::int64_t id, const BoxOutcome& outcome) override;
  /// Every row's result (rows not yet finished hold garbage).
  const BoxResult& result() const { return result_; }

 private:
  const BoxProblem& problem_;
  std::int64_t next_ = 0;
  BoxResult result_;
};

/// Base of optimiser plugins: used by attacks through make_component, never as a graph node.
class BLINDSPOT_API Optimiser : public Node {
 public:
  static constexpr PluginKind plugin_kind = PluginKind::optimiser;
  /// Solves every problem; objective calls gather all problems that need a value.
  virtual BoxResult minimise(const BoxProblem& problem, const BatchObjective& objective,
                             RunContext& ctx) const = 0;
  /// Solves the problems of `queue`, at most `capacity` at a time, until it has none left.
  /// An optimiser that can refill a finished problem's place at once overrides this; the
  /// default runs rounds: it takes up to `capacity` problems, minimise()s them, and repeats.
  virtual void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
                      RunContext& ctx) const;

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) final;
};

/// The memory and stopping tests every L-BFGS optimiser plugin takes, with lbfgsb's meanings.
struct LbfgsOptions {
  std::int64_t m = 10;                // corrections kept
  std::int64_t max_iterations = 500;  // accepted iterates per problem
  double factr = 1e10;                // stop when the relative reduction of f <= factr * eps
  double pgtol = 1e-5;                // stop when the projected gradient's max norm <= pgtol
};

/// Declares m, max_iterations, factr and pgtol, bound to the LbfgsOptions member `options` of P,
/// with LbfgsOptions' defaults, so every optimiser can stand in for another.
template <class P>
Schema::For<P>& lbfgs_params(Schema::For<P>& schema, LbfgsOptions P::*options) {
  const LbfgsOptions defaults;
  return schema
      .param(options, &LbfgsOptions::m, "m", defaults.m, "memory: number of corrections kept")
      .range(1, 100)
      .param(options, &LbfgsOptions::max_iterations, "max_iterations", defaults.max_iterations,
             "iterations (accepted points) per problem before it stops unconverged")
      .range(1, 1e9)
      .param(options, &LbfgsOptions::factr, "factr", defaults.factr,
             "stop when the relative reduction of f over one iteration is at most factr * "
             "machine epsilon (float64); 1e7 asks for precision a float32 model cannot give")
      .at_least(0)
      .param(options, &LbfgsOptions::pgtol, "pgtol", defaults.pgtol,
             "stop when the largest component of the projected gradient is at most pgtol")
      .at_least(0);
}

/// Base of optimisers built on stream(): minimise() streams a problem's rows, all at once.
class BLINDSPOT_API StreamingOptimiser : public Optimiser {
 public:
  BoxResult minimise(const BoxProblem& problem, const BatchObjective& objective,
                     RunContext& ctx) const final;
  void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
              RunContext& ctx) const override = 0;
};

}  // namespace blindspot
