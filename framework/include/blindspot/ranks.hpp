// The MPI ranks that share a node's work (`mpirun -n R blindspot run`; one rank otherwise).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// The processes that run one node together. A node whose schema declares `.across_ranks()`
/// runs on every rank of an MPI run at once, with the same inputs: each rank computes its share
/// and combine() puts the shares together, so that every rank ends with the same products.
/// Outside mpirun, and for every other node, this is rank 0 of 1 and combine() returns `rows`.
class BLINDSPOT_API Ranks {
 public:
  virtual ~Ranks();
  /// This process's rank, 0 to size() - 1.
  virtual int rank() const = 0;
  /// How many ranks share the node.
  virtual int size() const = 0;
  /// Row i of the result is row i of `rows` on the rank whose `mine[i]` is true (bool [N];
  /// exactly one rank owns each row); every rank gets the whole tensor. Every rank calls it, in
  /// the same order, with `rows` of the same shape and type (any type, contiguous or not).
  virtual at::Tensor combine(const at::Tensor& rows, const at::Tensor& mine) const = 0;
};

/// Ranks::combine() of several tensors with the same rows (one per entry of `mine`, any types
/// and shapes) in one exchange, so that between each pair of ranks one message carries them all:
/// each tensor is replaced by its combined rows.
BLINDSPOT_API void combine_together(const Ranks& ranks, const std::vector<at::Tensor*>& tensors,
                                    const at::Tensor& mine);

/// The one rank of a run without MPI: combine() returns `rows` as they are.
BLINDSPOT_API const Ranks& single_rank();

/// Items 0..n-1 shared out round-robin, item i to rank i % size(): this rank's mask (bool [n]).
BLINDSPOT_API at::Tensor round_robin(const Ranks& ranks, std::int64_t n);

/// Maps `compute` over items 0..n-1 shared out round-robin, and gathers the results in order:
/// `compute` gets this rank's item indices (int64 [k]) and returns one row per item ([k, ...]);
/// every rank gets all n rows. An empty share still calls `compute` (with k = 0) for the shape.
BLINDSPOT_API at::Tensor map_rows(const Ranks& ranks, std::int64_t n,
                                  const std::function<at::Tensor(const at::Tensor&)>& compute);

}  // namespace blindspot
