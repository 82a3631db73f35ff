// Which rank of an MPI run computes each node, in what order, and which ranks need its products.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.hpp"

namespace blindspot::host {

/// Every rank computes a node shared out across ranks (`.across_ranks()`).
inline constexpr int kEveryRank = -1;

/// Where each node of a graph runs in a run of `ranks` ranks, by graph index.
struct RankPlan {
  std::vector<int> owner;                // the rank that computes it, or kEveryRank
  std::vector<std::size_t> sequence;     // every node, inputs first: each rank's order of work
  std::vector<std::set<int>> receivers;  // ranks the owner sends its products to
  std::vector<std::vector<bool>> holds;  // [rank][node]: the rank needs the node's products

  /// Whether `rank` computes node `i`.
  bool computes(int rank, std::size_t i) const {
    return owner[i] == kEveryRank || owner[i] == rank;
  }
};

/// Places the nodes of `graph` on `ranks` ranks. `seconds[i]` is how long node i took in an
/// earlier run (0 when unknown: the mean of the known ones, or the same for every node when none
/// is known). Nodes that run across ranks run everywhere; nodes in `on_first` (reused from an
/// earlier archive, or loaded from one) run on rank 0 and take no time. The others are placed
/// longest chain first: of the nodes whose inputs are placed, the one with the most time from
/// its start to the graph's end goes to the rank that is free first. Each rank works through
/// `sequence`, the order they were placed in (graph order with one rank). Rank 0 receives every
/// node it does not compute (it writes the archive), and a rank that needs a node it does not
/// compute receives it and, to rebuild it, the nodes it was made from.
RankPlan plan_ranks(const Graph& graph, int ranks, const std::vector<std::string>& on_first,
                    const std::vector<double>& seconds);

}  // namespace blindspot::host
