// An archive's contents as JSON.
#include "cli/archive_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/product_lines.hpp"
#include "graph/value_json.hpp"
#include "graph/yaml_value.hpp"

namespace blindspot::host {

namespace {

using nlohmann::json;

json experiment_json(const ExperimentInfo& e) {
  return {
      {"name", e.name},
      {"status", e.status},
      {"seed", e.seed},
      {"started", e.started},
      {"finished", e.finished.empty() ? json(nullptr) : json(e.finished)},
      {"host", e.host},
      {"threads", e.threads},
      {"ranks", e.ranks},
      {"yaml_hash", e.yaml_hash},
      {"yaml", e.yaml},
      {"format", e.format},
      {"versions", e.versions},
  };
}

/// A node's archived parameters (JSON, or YAML flow text in older archives) as an object.
json parameters_json(const std::string& file, const NodeInfo& node) {
  try {
    return to_json(Value::of(parse_value_map(node.parameters)));
  } catch (const Error& e) {
    throw Error(file,
                fmt::format("node '{}': its parameters do not parse: {}", node.name, e.message()));
  }
}

json products_json(const StoredProducts& products) {
  json out = json::object();
  for (const auto& [port, record] : products) {
    const std::string* kind = text_attribute(record, "kind");
    out[port] = {{"kind", kind ? json(*kind) : json(nullptr)},
                 {"summary", product_summary(record)},
                 {"details", product_details(record)}};
  }
  return out;
}

json node_json(const std::string& file, const NodeInfo& n, const StoredProducts& products) {
  return {
      {"name", n.name},
      {"plugin", n.plugin},
      {"version", n.plugin_version},
      {"status", n.status},
      {"duration", n.duration},
      {"key", n.key},
      {"seed", n.seed},
      {"parameters", parameters_json(file, n)},
      {"inputs", n.inputs ? json(*n.inputs) : json(nullptr)},
      {"products", products_json(products)},
  };
}

}  // namespace

json archive_json(const std::string& file, const ExperimentInfo& experiment,
                  const std::vector<NodeInfo>& nodes, const std::vector<StoredProducts>& products) {
  json out_nodes = json::array();
  for (std::size_t i = 0; i < nodes.size(); ++i)
    out_nodes.push_back(node_json(file, nodes[i], products[i]));
  return {{"file", file}, {"experiment", experiment_json(experiment)}, {"nodes", out_nodes}};
}

}  // namespace blindspot::host
