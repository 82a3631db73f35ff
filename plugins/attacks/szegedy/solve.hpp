// The Szegedy search: a line search over c per problem, its box solves streamed to drivers.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/optimiser.hpp"
#include "blindspot/search.hpp"

namespace blindspot::szegedy {

/// Problems to solve: push image x towards `label` (or away from it when untargeted).
struct Problems {
  at::Tensor x;      // float64 [P, D], clean images, flattened
  at::Tensor label;  // int64 [P], the target, or the true label when untargeted
  at::Tensor skip;   // bool [P], problems not attacked (already misclassified, target = label)
  bool untargeted = false;
  double margin = 0.0;  // logits by which a success must win, so rounding cannot undo it
};

/// How the solves are run.
struct Schedule {
  bool warm_start = true;     // start each solve from the problem's previous minimiser
  std::int64_t capacity = 1;  // problems each driver keeps in its batch
  int drivers = 1;            // batched drivers in this process, each on its own thread (0: none)
  int first = 0;              // the index of this process's first driver among all of them
  int total = 0;              // drivers in every process of the run (0: `drivers`)
};

/// Where the drivers' time went, in seconds summed over the drivers.
struct Timing {
  double model = 0.0;      // the objective: the model's forward and backward passes
  double judging = 0.0;    // classifying finished solves and moving their searches
  double optimiser = 0.0;  // everything else inside the drivers: L-BFGS-B and its bookkeeping
  double wall = 0.0;       // wall time of solve()
};

/// Per problem: the closest successful x' (the last minimiser if none), and what it cost.
struct Found {
  at::Tensor x;            // float64 [P, D], float32-representable, inside [0, 1]
  at::Tensor found;        // bool [P], some solve succeeded
  at::Tensor distance;     // float64 [P], squared L2 distance of x from the clean image
  at::Tensor c;            // float64 [P], the largest c whose solve succeeded (0: none)
  at::Tensor iterations;   // int64 [P], optimiser iterations summed over all solves
  at::Tensor evaluations;  // int64 [P], objective evaluations summed over all solves
  at::Tensor solves;       // int64 [P], box solves (values of c tried)
  Timing timing;
};

/// Runs `search` to the end for every problem this process's drivers own. Driver k of K (K =
/// `total`, counted over every process of an MPI run) owns problems k, k + K, ... (so results do
/// not depend on thread timing, nor on how the drivers are spread over processes); other rows of
/// the result keep their starting values (x, nothing found). A driver starts its problems as it has
/// room and streams their solves through `optimiser` (one objective call per step for its whole
/// batch); a finished solve is judged by the model and either starts the problem's next solve or
/// ends the problem. `shape` is one image's shape ([C, H, W]); `solved` is called (from any driver,
/// serialised) each time a problem ends.
Found solve(const Classifier& net, const std::vector<std::int64_t>& shape, const Problems& p,
            const Optimiser& optimiser, const Search& search, const Schedule& schedule,
            RunContext& ctx, const std::function<void()>& solved);

}  // namespace blindspot::szegedy
