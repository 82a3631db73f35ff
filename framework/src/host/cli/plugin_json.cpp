// Plugins and their schemas as JSON.
#include "cli/plugin_json.hpp"

#include <nlohmann/json.hpp>

#include "graph/value_json.hpp"

namespace blindspot::host {

namespace {

using nlohmann::json;

/// A plugin's library path, or null for a built-in.
json library_json(const LoadedPlugin& plugin) {
  return plugin.library.empty() ? json(nullptr) : json(plugin.library.string());
}

/// A bound of a parameter's range, or null when it has none.
json bound_json(const std::optional<double>& bound) {
  return bound ? json(*bound) : json(nullptr);
}

json param_json(const ParamSpec& p) {
  const bool required = p.default_value.type == ValueType::null;
  return {
      {"name", p.name},
      {"type", type_name(p.type)},
      {"element_type", p.type == ValueType::list ? json(type_name(p.element_type)) : json(nullptr)},
      {"default", required ? json(nullptr) : to_json(p.default_value)},
      {"required", required},
      {"min", bound_json(p.min)},
      {"max", bound_json(p.max)},
      {"min_exclusive", p.min_exclusive},
      {"choices", p.choices},
      {"doc", p.doc},
      {"affects_results", p.affects_results},
      {"names_file", p.names_file},
      {"component", p.component ? json(kind_name(*p.component)) : json(nullptr)},
  };
}

json ports_json(const std::vector<PortSpec>& ports) {
  json out = json::array();
  for (const PortSpec& p : ports)
    out.push_back({{"name", p.name},
                   {"kind", kind_name(p.kind)},
                   {"many", p.many},
                   {"optional", p.optional},
                   {"doc", p.doc}});
  return out;
}

}  // namespace

json plugins_json(const Registry& registry) {
  json plugins = json::array(), refused = json::array();
  for (const LoadedPlugin* p : registry.plugins())
    plugins.push_back({{"kind", kind_name(p->entry->kind)},
                       {"name", p->entry->name},
                       {"version", p->entry->version},
                       {"library", library_json(*p)}});
  for (const RefusedLibrary& r : registry.refused())
    refused.push_back({{"library", r.path.string()}, {"reason", r.reason}});
  return {{"plugins", plugins}, {"refused", refused}};
}

json plugin_json(const LoadedPlugin& plugin) {
  const Schema& schema = plugin.schema;
  json parameters = json::array(), provides = json::array();
  for (const ParamSpec& p : schema.params()) parameters.push_back(param_json(p));
  for (const auto& [id, title] : schema.provides())
    provides.push_back({{"id", id}, {"title", title}});
  return {
      {"name", plugin.entry->name},
      {"kind", kind_name(plugin.entry->kind)},
      {"version", plugin.entry->version},
      {"library", library_json(plugin)},
      {"doc", schema.doc()},
      {"parameters", parameters},
      {"inputs", ports_json(schema.inputs())},
      {"outputs", ports_json(schema.outputs())},
      {"provides", provides},
      {"reproduce_tolerance", schema.reproduce_tolerance()},
      {"across_ranks", schema.across_ranks()},
  };
}

}  // namespace blindspot::host
