// Reading an experiment file: top-level keys, nodes, inputs and parameters, with locations.
#include "graph/experiment.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "blindspot/suggest.hpp"
#include "graph/names.hpp"
#include "graph/yaml_load.hpp"
#include "graph/yaml_value.hpp"

namespace blindspot::host {

namespace {

const std::vector<std::string> kTopKeys = {"experiment", "description", "reproduces", "seed",
                                           "nodes"};
const std::vector<std::string> kNodeKeys = {"plugin", "inputs", "with", "from"};

/// Whether a map key is a name; the others were reported when the YAML was loaded.
bool named(const YAML::Node& key) {
  return key.IsScalar() && !key.Scalar().empty();
}

/// Collects problems for one file.
struct Reader {
  const std::string& file;
  Problems& problems;

  void problem(const YAML::Node& at, const std::string& message) {
    problems.push_back({file, mark_of(at), message});
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& context) {
    for (const auto& item : map) {
      if (!named(item.first)) continue;
      const std::string& key = item.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        problem(item.first,
                fmt::format("{}unknown key '{}'{}", context, key, suggestion(key, allowed)));
    }
  }

  InputRef reference(const YAML::Node& node, const std::string& context) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      problem(node, context + "an input must name a node (\"node\" or \"node.port\")");
      return {};
    }
    std::string text = node.Scalar();
    std::size_t dot = text.find('.');
    if (dot == std::string::npos) return {text, "", mark_of(node)};
    return {text.substr(0, dot), text.substr(dot + 1), mark_of(node)};
  }

  NodeDecl node(const YAML::Node& key, const YAML::Node& body) {
    NodeDecl decl;
    decl.name = key.Scalar();
    decl.mark = mark_of(key);
    std::string context = fmt::format("node '{}': ", decl.name);
    if (decl.name.find('.') != std::string::npos)
      problem(key, context + "a node name may not contain '.' (inputs write node.port)");
    else if (std::string why = node_name_problem(decl.name); !why.empty())
      problem(key, "node name '" + decl.name + "' " + why);
    if (!body.IsMap()) {
      problem(key, context + "expected a map with 'plugin', 'inputs' and 'with'");
      return decl;
    }
    check_keys(body, kNodeKeys, context);
    const YAML::Node plugin = body["plugin"];
    if (!plugin || !plugin.IsScalar() || plugin.Scalar().empty())
      problem(plugin ? plugin : key, context + "missing 'plugin: NAME'");
    else
      decl.plugin = plugin.Scalar(), decl.plugin_mark = mark_of(plugin);
    if (const YAML::Node from = body["from"]) {
      if (!from.IsScalar() || from.Scalar().empty())
        problem(from, context + "'from' must name an archive node: ARCHIVE.h5#/nodes/NAME");
      else
        decl.from = from.Scalar(), decl.from_mark = mark_of(from);
    }
    if (const YAML::Node inputs = body["inputs"]) {
      if (!inputs.IsMap()) problem(inputs, context + "'inputs' must map ports to node names");
      for (const auto& item : inputs.IsMap() ? inputs : YAML::Node()) {
        if (!named(item.first)) continue;
        const std::string port = item.first.Scalar();
        decl.input_marks[port] = mark_of(item.first);
        decl.input_lists[port] = item.second.IsSequence();
        decl.inputs[port];  // `port: []` connects a list port to no node
        if (item.second.IsSequence())
          for (const YAML::Node& ref : item.second)
            decl.inputs[port].push_back(reference(ref, context));
        else
          decl.inputs[port].push_back(reference(item.second, context));
      }
    }
    if (const YAML::Node with = body["with"]) {
      decl.with_mark = mark_of(with);
      if (!with.IsMap() && !with.IsNull()) problem(with, context + "'with' must be a map");
      for (const auto& item : with.IsMap() ? with : YAML::Node()) {
        if (!named(item.first)) continue;
        decl.with[item.first.Scalar()] = to_value(item.second);
        decl.with_marks[item.first.Scalar()] = mark_of(item.first);
      }
    } else {
      decl.with_mark = decl.mark;
    }
    return decl;
  }

  // `reproduces: table2` or `reproduces: [table3, table4]`: ids that report plugins provide,
  // checked against the loaded plugins with the graph.
  void reproduced_tables(const YAML::Node& node, Experiment& out) {
    std::vector<YAML::Node> items;
    if (node.IsScalar()) items.push_back(node);
    if (node.IsSequence())
      for (const YAML::Node& item : node) items.push_back(item);
    if (items.empty()) {
      problem(node, "'reproduces' must name a table a report plugin provides, or list them");
      return;
    }
    for (const YAML::Node& item : items) {
      if (item.IsScalar() && !item.Scalar().empty())
        out.reproduces.push_back({item.Scalar(), mark_of(item)});
      else
        problem(item, "'reproduces' must list table names (such as table1)");
    }
  }

  void top(const YAML::Node& root, Experiment& out) {
    if (!root.IsMap()) {
      problem(root, "an experiment must be a map with 'experiment', 'seed' and 'nodes'");
      return;
    }
    check_keys(root, kTopKeys, "");
    const YAML::Node name = root["experiment"];
    if (!name || !name.IsScalar() || name.Scalar().empty())
      problem(name ? name : root, "missing 'experiment: NAME'");
    else if (std::string why = experiment_name_problem(name.Scalar()); !why.empty())
      problem(name, "experiment name '" + name.Scalar() + "' " + why);
    else
      out.name = name.Scalar();
    if (const YAML::Node description = root["description"]) out.description = description.Scalar();
    if (const YAML::Node reproduces = root["reproduces"]) reproduced_tables(reproduces, out);
    if (const YAML::Node seed = root["seed"]) {
      Value v = seed.IsScalar() ? to_value(seed) : Value{};
      if (v.type != ValueType::integer || v.integer < 0)
        problem(seed, "'seed' must be a non-negative integer");
      else
        out.seed = static_cast<std::uint64_t>(v.integer);
    }
    const YAML::Node nodes = root["nodes"];
    if (!nodes || !nodes.IsMap() || nodes.size() == 0) {
      problem(nodes ? nodes : root, "missing 'nodes:', a map of named nodes");
      return;
    }
    std::set<std::string> names;
    for (const auto& item : nodes)  // duplicates were reported when the YAML was loaded
      if (named(item.first) && names.insert(item.first.Scalar()).second)
        out.nodes.push_back(node(item.first, item.second));
  }
};

}  // namespace

Experiment parse_experiment(const std::string& text, const std::string& file, Problems& problems) {
  Experiment out;
  out.file = file;
  out.text = text;
  if (std::optional<YAML::Node> root = load_bounded(text, file, problems))
    Reader{file, problems}.top(*root, out);
  return out;
}

Experiment read_experiment(const std::filesystem::path& path, Problems& problems) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    problems.push_back({path.string(), {}, "is a folder, not an experiment file"});
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back({path.string(), {}, "cannot read experiment file (does it exist?)"});
    return {};
  }
  // Read one byte past the limit, never more: the path may be /dev/zero or a huge file.
  std::string text(kMaxExperimentBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxExperimentBytes) {
    std::uintmax_t size = std::filesystem::file_size(path, ec);
    problems.push_back({path.string(),
                        {},
                        too_large(ec ? "more than " + std::to_string(kMaxExperimentBytes)
                                     : std::to_string(size))});
    return {};
  }
  return parse_experiment(text, path.string(), problems);
}

}  // namespace blindspot::host
