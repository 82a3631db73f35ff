// Placing an experiment's nodes on the ranks of an MPI run.
#include "runner/rank_plan.hpp"

#include <algorithm>

namespace blindspot::host {

RankPlan plan_ranks(const Graph& graph, int ranks, const std::vector<std::string>& on_first) {
  const std::size_t n = graph.nodes.size();
  RankPlan plan;
  plan.owner.assign(n, 0);
  plan.receivers.assign(n, {});
  plan.holds.assign(static_cast<std::size_t>(ranks), std::vector<bool>(n, false));
  // Each node takes one unit of time and starts once its inputs are done and its rank is free.
  std::vector<double> free_at(static_cast<std::size_t>(ranks), 0.0), done_at(n, 0.0);
  for (std::size_t i : graph.order) {
    const GraphNode& node = graph.nodes[i];
    double ready = 0.0;
    for (const auto& [port, connections] : node.inputs)
      for (const Connection& c : connections) ready = std::max(ready, done_at[c.node]);
    const bool first =
        node.from || std::find(on_first.begin(), on_first.end(), node.decl->name) != on_first.end();
    if (ranks == 1 || first) {
      plan.owner[i] = 0;
    } else if (node.plugin->schema.across_ranks()) {
      plan.owner[i] = kEveryRank;
    } else {
      const auto earliest = std::min_element(free_at.begin(), free_at.end());
      plan.owner[i] = static_cast<int>(earliest - free_at.begin());
    }
    const double start = plan.owner[i] == kEveryRank
                             ? std::max(ready, *std::max_element(free_at.begin(), free_at.end()))
                             : std::max(ready, free_at[static_cast<std::size_t>(plan.owner[i])]);
    done_at[i] = start + 1.0;
    if (plan.owner[i] == kEveryRank)
      std::fill(free_at.begin(), free_at.end(), done_at[i]);
    else
      free_at[static_cast<std::size_t>(plan.owner[i])] = done_at[i];
  }
  // What each rank holds: the nodes it computes and, to rebuild received products, everything
  // they were made from. The order lists inputs first, so a backward pass closes the set.
  for (int r = 0; r < ranks; ++r) {
    std::vector<bool>& holds = plan.holds[static_cast<std::size_t>(r)];
    for (auto it = graph.order.rbegin(); it != graph.order.rend(); ++it) {
      const std::size_t i = *it;
      if (!holds[i] && !plan.computes(r, i)) continue;
      holds[i] = true;
      for (const auto& [port, connections] : graph.nodes[i].inputs)
        for (const Connection& c : connections) holds[c.node] = true;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (plan.owner[i] == kEveryRank) continue;
    for (int r = 0; r < ranks; ++r)
      if (r != plan.owner[i] && (r == 0 || plan.holds[static_cast<std::size_t>(r)][i]))
        plan.receivers[i].insert(r);
  }
  return plan;
}

}  // namespace blindspot::host
