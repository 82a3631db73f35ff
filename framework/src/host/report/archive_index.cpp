// An archive read for `report`: its experiment, the tables it reproduces, and the view of its
// nodes that product kinds and report plugins see.
#include "report/archive_index.hpp"

#include "graph/experiment.hpp"
#include "graph/yaml_value.hpp"

namespace blindspot::host {

namespace {

/// A node's edges as node names by port: "node.port" sources lose their port.
std::map<std::string, std::vector<std::string>> source_nodes(
    const std::map<std::string, std::vector<std::string>>& inputs) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [port, sources] : inputs) {
    std::vector<std::string>& nodes = out[port];
    for (const std::string& source : sources) nodes.push_back(source.substr(0, source.find('.')));
  }
  return out;
}

/// The edges of the experiment's YAML, by node (for archives without recorded edges).
std::map<std::string, std::map<std::string, std::vector<std::string>>> declared_edges(
    const Experiment& declared) {
  std::map<std::string, std::map<std::string, std::vector<std::string>>> out;
  for (const NodeDecl& decl : declared.nodes)
    for (const auto& [port, refs] : decl.inputs)
      for (const InputRef& ref : refs) out[decl.name][port].push_back(ref.node);
  return out;
}

/// The node's parameters as values, and the display name its plugin gives it (if loaded and
/// the parameters still validate).
void describe(ArchivedNode& node, const std::string& parameters, const Registry& registry) {
  try {
    node.parameters = parse_value_map(parameters);
  } catch (const Error&) {
    node.parameters.clear();  // unreadable parameters: look-ups give their fallbacks
  }
  node.display_name = node.name;
  const LoadedPlugin* plugin = registry.find(node.plugin);
  if (!plugin) return;
  std::vector<ParamProblem> problems;
  const ValidatedParams values = plugin->schema.validate(node.parameters, problems);
  if (!problems.empty()) return;
  node.parameters = values;
  if (const std::string name = plugin->schema.display_name(values); !name.empty())
    node.display_name = name;
}

}  // namespace

ArchiveIndex::ArchiveIndex(const ArchiveReader& reader, const Registry& registry)
    : experiment_(reader.experiment()), view_("", {}) {
  // The YAML says what the experiment reproduces; archives are written only from experiments
  // that parsed.
  Problems ignored;
  const Experiment declared = parse_experiment(experiment_.yaml, experiment_.name, ignored);
  for (const ReproducedTable& table : declared.reproduces) reproduces_.push_back(table.id);
  const auto edges = declared_edges(declared);
  std::vector<ArchivedNode> nodes;
  for (const NodeInfo& info : reader.nodes()) {
    ArchivedNode node;
    node.name = info.name;
    node.plugin = info.plugin;
    node.seed = info.seed;
    node.products = reader.products(info.name);
    if (info.inputs) {
      node.inputs = source_nodes(*info.inputs);
    } else if (const auto it = edges.find(info.name); it != edges.end()) {
      node.inputs = it->second;
    }
    describe(node, info.parameters, registry);
    nodes.push_back(std::move(node));
  }
  view_ = ArchiveView(experiment_.name, std::move(nodes));
}

}  // namespace blindspot::host
