// Which rank of an MPI run computes each node, and which ranks need its products.
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
  std::vector<std::set<int>> receivers;  // ranks the owner sends its products to
  std::vector<std::vector<bool>> holds;  // [rank][node]: the rank needs the node's products

  /// Whether `rank` computes node `i`.
  bool computes(int rank, std::size_t i) const {
    return owner[i] == kEveryRank || owner[i] == rank;
  }
};

/// Places the nodes of `graph` on `ranks` ranks. Nodes that run across ranks run everywhere;
/// nodes in `on_first` (reused from an earlier archive, or loaded from one) run on rank 0; every
/// other node goes to the rank that would be free first if each node took the same time, in
/// graph order, so that independent nodes run at once. Rank 0 receives every node it does not
/// compute (it writes the archive), and a rank that needs a node it does not compute receives it
/// and, to rebuild it, the nodes it was made from.
RankPlan plan_ranks(const Graph& graph, int ranks, const std::vector<std::string>& on_first);

}  // namespace blindspot::host
