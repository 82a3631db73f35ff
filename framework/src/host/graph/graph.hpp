// An experiment checked against the loaded plugins: typed edges, validated parameters, an order.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/experiment.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

/// An edge's source: the producing node (index into Graph::nodes) and its output port.
struct Connection {
  std::size_t node = 0;
  std::string port;
};

/// A node's products taken from an earlier archive (`from:`) instead of being computed.
struct ArchivedSource {
  std::string archive;  // path of the archive
  std::string node;     // node name inside it
  std::string key;      // that node's key there
};

/// A node ready to run: its plugin, validated parameters and resolved inputs.
struct GraphNode {
  const NodeDecl* decl = nullptr;
  const LoadedPlugin* plugin = nullptr;
  ValidatedParams params;
  std::map<std::string, std::vector<Connection>> inputs;
  std::optional<ArchivedSource> from;
};

/// A whole checked experiment; `order` lists node indices so that inputs come first.
struct Graph {
  const Experiment* experiment = nullptr;
  const Registry* registry = nullptr;
  std::vector<GraphNode> nodes;
  std::vector<std::size_t> order;
};

/// Checks every node (plugin, parameters, inputs and their kinds) and the absence of cycles.
/// Appends one problem per finding; the graph is usable only if none were added.
Graph check_graph(const Experiment& experiment, const Registry& registry, Problems& problems);

}  // namespace blindspot::host
