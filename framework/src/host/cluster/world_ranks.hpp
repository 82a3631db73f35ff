// The ranks of an MPI run, as a node run across them sees them.
#pragma once

#include "blindspot/ranks.hpp"

namespace blindspot::host {

/// Every rank of the run (RunContext::ranks() of a node that declares `.across_ranks()`).
class WorldRanks final : public Ranks {
 public:
  int rank() const override;
  int size() const override;
  /// Sends this rank's rows to every other rank and puts theirs in place; checks that every
  /// row has exactly one owner.
  at::Tensor combine(const at::Tensor& rows, const at::Tensor& mine) const override;
};

}  // namespace blindspot::host
