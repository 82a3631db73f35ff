// The batched L-BFGS-B driver: one setulb state per problem, one objective call per step.
#pragma once

#include <cstdint>
#include <functional>

#include "blindspot/optimiser.hpp"

namespace blindspot::lbfgsb {

/// Solver settings shared by every problem.
struct Settings {
  int memory = 10;                    // corrections kept (setulb's m)
  std::int64_t max_iterations = 500;  // accepted iterates (NEW_X) per problem
  double factr = 1e10;                // stop when the relative reduction of f <= factr * eps
  double pgtol = 1e-5;                // stop when the projected gradient's max norm <= pgtol
};

/// Told every iterate of a problem: its first evaluated point (iteration 0) and every NEW_X.
using IterateObserver = std::function<void(std::int64_t problem, std::int64_t iteration, double f)>;

/// Minimises every problem with L-BFGS-B, single-threaded and deterministic. At each step
/// every problem that needs a value is evaluated in one call of `objective`; finished problems
/// drop out. Each result is the problem's best iterate (lowest f), since after an abnormal
/// line search setulb's last point need not be the best.
BoxResult solve(const BoxProblem& problem, const BatchObjective& objective,
                const Settings& settings, const IterateObserver& observer = {});

}  // namespace blindspot::lbfgsb
