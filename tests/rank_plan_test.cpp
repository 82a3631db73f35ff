// Placing an experiment's nodes on MPI ranks: graph order on one rank; longest chains first on
// several, balanced by an earlier run's times as well as a brute-force search balances them.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "graph/experiment.hpp"
#include "graph/graph.hpp"
#include "loader/registry.hpp"
#include "runner/rank_plan.hpp"

using blindspot::host::Experiment;
using blindspot::host::Graph;
using blindspot::host::kEveryRank;
using blindspot::host::plan_ranks;
using blindspot::host::Problems;
using blindspot::host::RankPlan;
using blindspot::host::Registry;

namespace {

/// A root node, four nodes made from it (trained models, say), one more after the last of them,
/// and a node that runs across ranks.
const char* const kExperiment =
    "experiment: plan\nseed: 1\nnodes:\n"
    "  root: {plugin: fails, with: {fail: false}}\n"
    "  t1: {plugin: fails, inputs: {after: root}, with: {fail: false}}\n"
    "  t2: {plugin: fails, inputs: {after: root}, with: {fail: false}}\n"
    "  t3: {plugin: fails, inputs: {after: root}, with: {fail: false}}\n"
    "  t4: {plugin: fails, inputs: {after: root}, with: {fail: false}}\n"
    "  after-t4: {plugin: fails, inputs: {after: t4}, with: {fail: false}}\n"
    "  shared: {plugin: rank_squares}\n";

/// The checked graph of kExperiment (the registry and experiment outlive it).
struct PlannedGraph {
  Registry registry;
  Experiment experiment;
  Graph graph;
  PlannedGraph() {
    registry.load_directory(BLINDSPOT_TEST_PLUGIN_DIR);
    Problems problems;
    experiment = blindspot::host::parse_experiment(kExperiment, "plan.yaml", problems);
    graph = blindspot::host::check_graph(experiment, registry, problems);
    REQUIRE(problems.empty());
  }
  std::size_t index(const std::string& name) const {
    for (std::size_t i = 0; i < graph.nodes.size(); ++i)
      if (graph.nodes[i].decl->name == name) return i;
    FAIL("no node " << name);
    return 0;
  }
  /// Seconds by graph index from seconds by name (0 for the others).
  std::vector<double> seconds(const std::map<std::string, double>& by_name) const {
    std::vector<double> s(graph.nodes.size(), 0.0);
    for (const auto& [name, value] : by_name) s[index(name)] = value;
    return s;
  }
};

/// Every node once, each after the nodes it is made from.
void check_inputs_first(const Graph& graph, const RankPlan& plan) {
  REQUIRE(plan.sequence.size() == graph.nodes.size());
  std::vector<std::size_t> at(graph.nodes.size(), graph.nodes.size());
  for (std::size_t k = 0; k < plan.sequence.size(); ++k) at[plan.sequence[k]] = k;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    REQUIRE(at[i] < graph.nodes.size());
    for (const auto& [port, connections] : graph.nodes[i].inputs)
      for (const auto& c : connections) CHECK(at[c.node] < at[i]);
  }
}

}  // namespace

TEST_CASE("rank plan: one rank computes every node in graph order") {
  PlannedGraph g;
  const RankPlan plan = plan_ranks(g.graph, 1, {}, g.seconds({{"t4", 30.0}}));
  CHECK(plan.sequence == g.graph.order);
  for (int owner : plan.owner) CHECK(owner == 0);
  for (const auto& receivers : plan.receivers) CHECK(receivers.empty());
}

TEST_CASE("rank plan: without earlier times, independent nodes alternate between two ranks") {
  PlannedGraph g;
  const RankPlan plan = plan_ranks(g.graph, 2, {}, {});
  check_inputs_first(g.graph, plan);
  CHECK(plan.owner[g.index("shared")] == kEveryRank);
  std::vector<int> on(2, 0);
  for (const char* node : {"t1", "t2", "t3", "t4"})
    ++on[static_cast<std::size_t>(plan.owner[g.index(node)])];
  CHECK(on[0] == 2);
  CHECK(on[1] == 2);
  // Rank 0 writes the archive: it receives every node computed elsewhere.
  for (std::size_t i = 0; i < plan.owner.size(); ++i)
    if (plan.owner[i] == 1) CHECK(plan.receivers[i].count(0) == 1);
}

TEST_CASE("rank plan: an earlier run's times balance two ranks as well as the best split") {
  PlannedGraph g;
  const std::map<std::string, double> took = {{"root", 0.1},  {"t1", 1.0},  {"t2", 12.0},
                                              {"t3", 20.0},   {"t4", 32.0}, {"after-t4", 3.0},
                                              {"shared", 0.5}};
  const RankPlan plan = plan_ranks(g.graph, 2, {}, g.seconds(took));
  check_inputs_first(g.graph, plan);
  // The single-rank work of each rank, and the best of all 2^6 splits of the six nodes after
  // the root (which rank 0 computes first either way).
  const std::vector<std::string> movable = {"t1", "t2", "t3", "t4", "after-t4"};
  std::vector<double> load(2, 0.0);
  for (const std::string& node : movable)
    load[static_cast<std::size_t>(plan.owner[g.index(node)])] += took.at(node);
  double best = 1e9;
  for (unsigned split = 0; split < (1u << movable.size()); ++split) {
    std::vector<double> side(2, 0.0);
    for (std::size_t k = 0; k < movable.size(); ++k) side[(split >> k) & 1u] += took.at(movable[k]);
    best = std::min(best, std::max(side[0], side[1]));
  }
  CAPTURE(load[0]);
  CAPTURE(load[1]);
  CHECK(std::max(load[0], load[1]) == doctest::Approx(best));
  // The longest chain (t4, then after-t4) is placed first after the root, the shortest node and
  // the node across ranks (the shortest chain) last.
  CHECK(plan.sequence[1] == g.index("t4"));
  CHECK(plan.sequence[5] == g.index("t1"));
  CHECK(plan.sequence[6] == g.index("shared"));
}

TEST_CASE("rank plan: reused nodes are rank 0's and take no time") {
  PlannedGraph g;
  const RankPlan plan = plan_ranks(g.graph, 3, {"t1", "t2", "t3", "t4"}, {});
  check_inputs_first(g.graph, plan);
  for (const char* node : {"t1", "t2", "t3", "t4"}) CHECK(plan.owner[g.index(node)] == 0);
  CHECK(plan.owner[g.index("shared")] == kEveryRank);
  // after-t4 is placed on the rank that is free first: not rank 0, which computes the root.
  CHECK(plan.owner[g.index("after-t4")] != 0);
  CHECK(plan.holds[static_cast<std::size_t>(plan.owner[g.index("after-t4")])][g.index("t4")]);
}
