// The Szegedy search for a batch of problems: a line search over c around batched box solves.
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
};

/// Per problem: the closest successful x' (the last minimiser if none), and what it cost.
struct Found {
  at::Tensor x;            // float64 [P, D], float32-representable, inside [0, 1]
  at::Tensor found;        // bool [P], some solve succeeded
  at::Tensor distance;     // float64 [P], squared L2 distance of x from the clean image
  at::Tensor c;            // float64 [P], the largest c whose solve succeeded (0: none)
  at::Tensor iterations;   // int64 [P], optimiser iterations summed over all solves
  at::Tensor evaluations;  // int64 [P], objective evaluations summed over all solves
};

/// Runs `search` to the end; each round solves every unfinished problem in one minimise call.
/// `shape` is one image's shape ([C, H, W]).
Found solve(const Classifier& net, const std::vector<std::int64_t>& shape, const Problems& p,
            const Optimiser& optimiser, const Search& search, bool warm_start, RunContext& ctx);

/// solve() on `batch` problems at a time, results concatenated; `advance` is told each batch's
/// size when it is done.
Found solve_in_batches(const Classifier& net, const std::vector<std::int64_t>& shape,
                       const Problems& p, const Optimiser& optimiser, const Search& search,
                       bool warm_start, std::int64_t batch, RunContext& ctx,
                       const std::function<void(std::int64_t)>& advance);

}  // namespace blindspot::szegedy
