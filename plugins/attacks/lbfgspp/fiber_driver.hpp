// The fiber L-BFGS-B driver: LBFGSpp's solver on one fiber per problem, evaluations batched.
#pragma once

#include <cstdint>

#include "blindspot/optimiser.hpp"

namespace blindspot::lbfgspp {

/// Solver settings shared by every problem.
struct Settings {
  int memory = 10;                    // corrections kept (m)
  std::int64_t max_iterations = 500;  // accepted iterates (line searches) per problem
  double factr = 1e10;                // stop when the relative reduction of f <= factr * eps
  double pgtol = 1e-5;                // stop when the projected gradient's max norm <= pgtol
  int max_submin = 10;                // iterations of the bounded subspace minimisation
  int max_linesearch = 20;            // trials of one line search before the problem stops
};

/// Minimises the problems of `queue` on the calling thread, deterministically, keeping up to
/// `capacity` solvers busy. Each solver is LBFGSpp's L-BFGS-B running on its own fiber: it
/// pauses whenever it needs a value, and every paused problem is evaluated in one call of
/// `objective`; a finished problem is handed back and its place refilled from the queue at once.
/// Each result is the problem's best accepted iterate (lowest f); a line search that fails or a
/// non-finite value ends a problem there, unconverged.
void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings);

}  // namespace blindspot::lbfgspp
