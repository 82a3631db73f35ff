// Checking an experiment against plugin schemas: parameters, inputs, product kinds, cycles.
#include "graph/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "archive/archive.hpp"
#include "blindspot/suggest.hpp"
#include "graph/params.hpp"

namespace blindspot::host {

namespace {

/// "Did you mean" hints for references to missing nodes. Each compares a name with every node's
/// name, so an experiment gets at most kMaxHints of them; and the list of every node is given
/// only when it is short.
class NodeHints {
 public:
  explicit NodeHints(const std::map<std::string, std::size_t>& index) {
    for (const auto& [name, i] : index) names_.push_back(name);
  }
  std::string operator()(const std::string& name) {
    if (names_.size() <= kMaxListed) return suggestion(name, names_);
    if (left_ == 0) return "";
    --left_;
    std::string hint = suggestion(name, names_);
    return hint.rfind("; did you mean", 0) == 0 ? hint : "";
  }

 private:
  static constexpr std::size_t kMaxHints = 100;
  static constexpr std::size_t kMaxListed = 10;
  std::vector<std::string> names_;
  std::size_t left_ = kMaxHints;
};

/// Checks one node's plugin and parameters.
void check_node(const Experiment& exp, const Registry& registry, GraphNode& node,
                Problems& problems) {
  const NodeDecl& decl = *node.decl;
  node.plugin = registry.find(decl.plugin);
  if (!node.plugin) {
    if (!decl.plugin.empty())
      problems.push_back({exp.file, decl.plugin_mark,
                          fmt::format("node '{}': unknown plugin '{}'{}", decl.name, decl.plugin,
                                      registry.suggest(decl.plugin))});
    return;
  }
  PluginKind kind = node.plugin->entry->kind;
  if (kind == PluginKind::optimiser || kind == PluginKind::search)
    problems.push_back(
        {exp.file, decl.plugin_mark,
         fmt::format("node '{}': '{}' is {} {}, used inside an attack "
                     "({}: {{plugin: {}}}), not as a node",
                     decl.name, decl.plugin, kind == PluginKind::optimiser ? "an" : "a",
                     kind_name(kind), kind_name(kind), decl.plugin)});

  std::vector<ParamProblem> found;
  node.params = validate_params(registry, node.plugin->schema, decl.with, found);
  for (const ParamProblem& p : found) {
    auto mark = decl.with_marks.find(p.key);
    problems.push_back({exp.file, mark != decl.with_marks.end() ? mark->second : decl.with_mark,
                        fmt::format("node '{}' ({}): {}", decl.name, decl.plugin, p.message)});
  }
}

/// Checks a `from: ARCHIVE.h5#/nodes/NAME` source: readable, holding that node, same plugin.
void check_from(const Experiment& exp, GraphNode& node, Problems& problems) {
  const NodeDecl& decl = *node.decl;
  auto problem = [&](const std::string& message) {
    problems.push_back(
        {exp.file, decl.from_mark, fmt::format("node '{}': 'from' {}", decl.name, message)});
  };
  std::size_t hash = decl.from.find("#/nodes/");
  std::string archive = decl.from.substr(0, hash);
  std::string name = hash == std::string::npos ? decl.name : decl.from.substr(hash + 8);
  try {
    ArchiveReader reader(archive);
    for (const NodeInfo& info : reader.nodes()) {
      if (info.name != name) continue;
      if (info.plugin != decl.plugin)
        return problem(
            fmt::format("names a node of plugin '{}', not '{}'", info.plugin, decl.plugin));
      node.from = ArchivedSource{archive, name, info.key};
      return;
    }
    problem(fmt::format("archive {} holds no node '{}'", archive, name));
  } catch (const Error& e) {
    problem(e.what());
  }
}

/// Resolves one reference to the output of another node that has the kind `port` needs.
bool resolve(const Experiment& exp, const std::map<std::string, std::size_t>& index,
             NodeHints& hints, const std::vector<GraphNode>& nodes, const NodeDecl& decl,
             const PortSpec& port, const InputRef& ref, Connection& out, Problems& problems) {
  auto problem = [&](const std::string& message) {
    problems.push_back({exp.file, ref.mark,
                        fmt::format("node '{}': input '{}' {}", decl.name, port.name, message)});
    return false;
  };
  auto it = index.find(ref.node);
  if (it == index.end())
    return problem(fmt::format("refers to no node '{}'{}", ref.node, hints(ref.node)));
  const GraphNode& source = nodes[it->second];
  if (!source.plugin) return false;  // already reported
  std::vector<const PortSpec*> candidates;
  for (const PortSpec& output : source.plugin->schema.outputs())
    if (ref.port.empty() ? output.kind == port.kind : output.name == ref.port)
      candidates.push_back(&output);
  std::string produces;
  for (const PortSpec& output : source.plugin->schema.outputs())
    produces +=
        fmt::format("{}{} ({})", produces.empty() ? "" : ", ", kind_name(output.kind), output.name);
  if (candidates.empty() && !ref.port.empty())
    return problem(fmt::format("refers to no output '{}' of node '{}'; it produces {}", ref.port,
                               ref.node, produces));
  if (candidates.empty() || candidates.front()->kind != port.kind)
    return problem(fmt::format("needs a {}; node '{}' produces {}", kind_name(port.kind), ref.node,
                               produces.empty() ? "nothing" : produces));
  if (candidates.size() > 1)
    return problem(fmt::format("is ambiguous: node '{}' has several {} outputs; write '{}.PORT'",
                               ref.node, kind_name(port.kind), ref.node));
  out = {it->second, candidates.front()->name};
  return true;
}

/// Resolves every input port of one node; reports unknown, missing and mis-shaped ports.
void connect(const Experiment& exp, const std::map<std::string, std::size_t>& index,
             NodeHints& hints, std::vector<GraphNode>& nodes, GraphNode& node, Problems& problems) {
  const NodeDecl& decl = *node.decl;
  const Schema& schema = node.plugin->schema;
  std::vector<std::string> port_names;
  for (const PortSpec& p : schema.inputs()) port_names.push_back(p.name);
  for (const auto& [port, refs] : decl.inputs) {
    const PortSpec* spec = schema.find_input(port);
    if (!spec) {
      problems.push_back(
          {exp.file, decl.input_marks.at(port),
           fmt::format("node '{}' ({}): unknown input '{}'{}", decl.name, decl.plugin, port,
                       suggestion(port, port_names, "; it takes no inputs"))});
      continue;
    }
    if (!spec->many && decl.input_lists.at(port)) {
      problems.push_back(
          {exp.file, decl.input_marks.at(port),
           fmt::format("node '{}': input '{}' takes one node, not a list", decl.name, port)});
      continue;
    }
    node.inputs[port];  // a list port may be connected to no node: `port: []`
    for (const InputRef& ref : refs) {
      Connection c;
      if (resolve(exp, index, hints, nodes, decl, *spec, ref, c, problems))
        node.inputs[port].push_back(c);
    }
  }
  for (const PortSpec& spec : schema.inputs())
    if (!decl.inputs.count(spec.name) && !spec.optional)
      problems.push_back(
          {exp.file, decl.mark,
           fmt::format("node '{}' ({}): input '{}' is not connected; it needs {} "
                       "{} ({})",
                       decl.name, decl.plugin, spec.name, spec.many ? "a list of" : "a",
                       kind_name(spec.kind), spec.doc)});
}

/// "cycle: a -> b -> a"; a long cycle shows its first four nodes, its last and its length.
std::string cycle_text(const std::vector<GraphNode>& nodes, const std::vector<std::size_t>& cycle) {
  constexpr std::size_t kShown = 8;
  std::string text = "cycle: ";
  for (std::size_t k = 0; k < cycle.size(); ++k) {
    if (cycle.size() > kShown && k == kShown / 2) {
      text += "... -> ";
      k = cycle.size() - 1;
    }
    text += nodes[cycle[k]].decl->name + " -> ";
  }
  text += nodes[cycle.front()].decl->name;
  if (cycle.size() > kShown) text += fmt::format(" ({} nodes)", cycle.size());
  return text;
}

/// Depth-first topological order; reports the first cycle found through each node.
std::vector<std::size_t> order_nodes(const Experiment& exp, const std::vector<GraphNode>& nodes,
                                     Problems& problems) {
  enum class State { unseen, active, done };
  std::vector<State> state(nodes.size(), State::unseen);
  std::vector<std::size_t> order, path;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (state[i] == State::done) return;
    if (state[i] == State::active) {
      std::vector<std::size_t> cycle(std::find(path.begin(), path.end(), i), path.end());
      problems.push_back({exp.file, nodes[i].decl->mark, cycle_text(nodes, cycle)});
      return;
    }
    state[i] = State::active;
    path.push_back(i);
    for (const auto& [port, connections] : nodes[i].inputs)
      for (const Connection& c : connections) visit(c.node);
    path.pop_back();
    state[i] = State::done;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) visit(i);
  return order;
}

/// Checks that one loaded report plugin provides each table the experiment reproduces.
void check_reproduced(const Experiment& exp, const Registry& registry, Problems& problems) {
  std::vector<std::string> provided;
  for (const LoadedPlugin* plugin : registry.plugins())
    for (const auto& [id, title] : plugin->schema.provides()) provided.push_back(id);
  for (const ReproducedTable& table : exp.reproduces) {
    const std::vector<const LoadedPlugin*> providers = registry.reports_providing(table.id);
    if (providers.empty())
      problems.push_back({exp.file, table.mark,
                          fmt::format("'reproduces': no report plugin provides '{}'{}", table.id,
                                      suggestion(table.id, provided, "; none is loaded"))});
    else if (providers.size() > 1)
      problems.push_back(
          {exp.file, table.mark,
           fmt::format("'reproduces': '{}' is provided by both {} and {}; remove "
                       "one from the plugin path",
                       table.id, providers[0]->entry->name, providers[1]->entry->name)});
  }
}

}  // namespace

Graph check_graph(const Experiment& exp, const Registry& registry, Problems& problems) {
  Graph graph;
  graph.experiment = &exp;
  graph.registry = &registry;
  std::map<std::string, std::size_t> index;
  for (const NodeDecl& decl : exp.nodes) {
    if (index.count(decl.name)) {
      problems.push_back(
          {exp.file, decl.mark, fmt::format("node '{}' is declared twice", decl.name)});
      continue;
    }
    index[decl.name] = graph.nodes.size();
    GraphNode node;
    node.decl = &decl;
    graph.nodes.push_back(std::move(node));
  }
  for (GraphNode& node : graph.nodes) {
    check_node(exp, registry, node, problems);
    if (node.plugin && !node.decl->from.empty()) check_from(exp, node, problems);
  }
  NodeHints hints(index);
  for (GraphNode& node : graph.nodes)
    if (node.plugin) connect(exp, index, hints, graph.nodes, node, problems);
  graph.order = order_nodes(exp, graph.nodes, problems);
  check_reproduced(exp, registry, problems);
  return graph;
}

}  // namespace blindspot::host
