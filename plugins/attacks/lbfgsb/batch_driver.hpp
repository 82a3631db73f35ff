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
using IterateObserver = std::function<void(std::int64_t id, std::int64_t iteration, double f)>;

/// Minimises the problems of `queue` with L-BFGS-B on the calling thread, deterministically,
/// keeping up to `capacity` solvers busy: at each step every problem that needs a value is
/// evaluated in one call of `objective`; a finished problem is handed back and its place
/// refilled from the queue at once. Each result is the problem's best iterate (lowest f),
/// since after an abnormal line search setulb's last point need not be the best.
void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings, const IterateObserver& observer = {});

/// stream() over the rows of `problem`, all at once.
BoxResult solve(const BoxProblem& problem, const BatchObjective& objective,
                const Settings& settings, const IterateObserver& observer = {});

}  // namespace blindspot::lbfgsb
