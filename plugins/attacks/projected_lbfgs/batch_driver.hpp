// The batched projected L-BFGS driver: one solver per problem, one objective call per step.
#pragma once

#include <cstdint>

#include "blindspot/optimiser.hpp"
#include "solver.hpp"

namespace blindspot::projected_lbfgs {

/// Minimises the problems of `queue` on the calling thread, deterministically, keeping up to
/// `capacity` solvers busy: at each step every problem is evaluated at its next point in one
/// call of `objective`; a finished problem is handed back and its place refilled at once.
void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings);

}  // namespace blindspot::projected_lbfgs
