// Placing an experiment's nodes on the ranks of an MPI run.
#include "runner/rank_plan.hpp"

#include <algorithm>
#include <set>

namespace blindspot::host {

namespace {

/// Each node's expected seconds: as measured, the mean of the measured ones where unknown (1
/// when none is known), and none for a node that is restored or loaded instead of computed.
std::vector<double> expected_seconds(const Graph& graph, const std::vector<bool>& first,
                                     const std::vector<double>& seconds) {
  double known = 0.0;
  std::size_t count = 0;
  for (double s : seconds)
    if (s > 0.0) known += s, ++count;
  const double unknown = count ? known / static_cast<double>(count) : 1.0;
  std::vector<double> expected(graph.nodes.size(), unknown);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (first[i])
      expected[i] = 0.0;
    else if (i < seconds.size() && seconds[i] > 0.0)
      expected[i] = seconds[i];
  }
  return expected;
}

/// Each node's time from its start to the end of the graph: its own seconds and the longest
/// chain of nodes made from it.
std::vector<double> time_to_end(const Graph& graph, const std::vector<double>& expected) {
  std::vector<double> to_end(expected);
  for (auto it = graph.order.rbegin(); it != graph.order.rend(); ++it) {
    const std::size_t i = *it;
    for (const auto& [port, connections] : graph.nodes[i].inputs)
      for (const Connection& c : connections)
        to_end[c.node] = std::max(to_end[c.node], expected[c.node] + to_end[i]);
  }
  return to_end;
}

}  // namespace

RankPlan plan_ranks(const Graph& graph, int ranks, const std::vector<std::string>& on_first,
                    const std::vector<double>& seconds) {
  const std::size_t n = graph.nodes.size();
  RankPlan plan;
  plan.owner.assign(n, 0);
  plan.receivers.assign(n, {});
  plan.holds.assign(static_cast<std::size_t>(ranks), std::vector<bool>(n, false));
  std::vector<bool> first(n, false);
  for (std::size_t i = 0; i < n; ++i)
    first[i] = graph.nodes[i].from || std::find(on_first.begin(), on_first.end(),
                                                graph.nodes[i].decl->name) != on_first.end();
  const std::vector<double> expected = expected_seconds(graph, first, seconds);
  const std::vector<double> to_end = time_to_end(graph, expected);
  std::vector<std::size_t> position(n);  // in graph order
  for (std::size_t k = 0; k < n; ++k) position[graph.order[k]] = k;

  // Nodes whose inputs are all placed, longest time to the end first, then in graph order.
  std::vector<std::size_t> waiting_on(n, 0);  // inputs not placed yet
  std::vector<std::vector<std::size_t>> made_into(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& [port, connections] : graph.nodes[i].inputs)
      for (const Connection& c : connections) {
        ++waiting_on[i];
        made_into[c.node].push_back(i);
      }
  const auto before = [&](std::size_t a, std::size_t b) {
    if (ranks > 1 && to_end[a] != to_end[b]) return to_end[a] > to_end[b];
    return position[a] < position[b];
  };
  std::set<std::size_t, decltype(before)> ready(before);
  for (std::size_t i = 0; i < n; ++i)
    if (waiting_on[i] == 0) ready.insert(i);

  std::vector<double> free_at(static_cast<std::size_t>(ranks), 0.0), done_at(n, 0.0);
  while (!ready.empty()) {
    const std::size_t i = *ready.begin();
    ready.erase(ready.begin());
    double inputs_done = 0.0;
    for (const auto& [port, connections] : graph.nodes[i].inputs)
      for (const Connection& c : connections) inputs_done = std::max(inputs_done, done_at[c.node]);
    if (ranks == 1 || first[i])
      plan.owner[i] = 0;
    else if (graph.nodes[i].plugin->schema.across_ranks())
      plan.owner[i] = kEveryRank;
    else
      plan.owner[i] =
          static_cast<int>(std::min_element(free_at.begin(), free_at.end()) - free_at.begin());
    const double start =
        plan.owner[i] == kEveryRank
            ? std::max(inputs_done, *std::max_element(free_at.begin(), free_at.end()))
            : std::max(inputs_done, free_at[static_cast<std::size_t>(plan.owner[i])]);
    done_at[i] = start + expected[i];
    if (plan.owner[i] == kEveryRank)
      std::fill(free_at.begin(), free_at.end(), done_at[i]);
    else
      free_at[static_cast<std::size_t>(plan.owner[i])] = done_at[i];
    plan.sequence.push_back(i);
    for (std::size_t next : made_into[i])
      if (--waiting_on[next] == 0) ready.insert(next);
  }
  // What each rank holds: the nodes it computes and, to rebuild received products, everything
  // they were made from. The sequence lists inputs first, so a backward pass closes the set.
  for (int r = 0; r < ranks; ++r) {
    std::vector<bool>& holds = plan.holds[static_cast<std::size_t>(r)];
    for (auto it = plan.sequence.rbegin(); it != plan.sequence.rend(); ++it) {
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
