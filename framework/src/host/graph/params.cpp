// Parameters with components: the inner plugin's schema validates the inner parameters.
#include "graph/params.hpp"

#include <fmt/format.h>

#include "blindspot/suggest.hpp"

namespace blindspot::host {

ValidatedParams validate_params(const Registry& registry, const Schema& schema,
                                const std::map<std::string, Value>& given,
                                std::vector<ParamProblem>& problems) {
  ValidatedParams values = schema.validate(given, problems);
  for (const ParamSpec& spec : schema.params()) {
    auto value = values.find(spec.name);
    if (!spec.component || value == values.end() || value->second.type != ValueType::map) continue;
    std::map<std::string, Value> inner = value->second.map;
    auto name = inner.find("plugin");
    if (name == inner.end() || name->second.type != ValueType::string) {
      problems.push_back({spec.name, fmt::format("parameter '{}' needs 'plugin: NAME' (a {})",
                                                 spec.name, kind_name(*spec.component))});
      continue;
    }
    const LoadedPlugin* plugin = registry.find(name->second.string);
    if (!plugin || plugin->entry->kind != *spec.component) {
      std::vector<std::string> names;
      for (const LoadedPlugin* p : registry.plugins())
        if (p->entry->kind == *spec.component) names.push_back(p->entry->name);
      problems.push_back(
          {spec.name,
           fmt::format("parameter '{}': '{}' is not a known {}{}", spec.name, name->second.string,
                       kind_name(*spec.component), suggestion(name->second.string, names))});
      continue;
    }
    inner.erase(name);
    std::vector<ParamProblem> inner_problems;
    ValidatedParams completed = validate_params(registry, plugin->schema, inner, inner_problems);
    for (const ParamProblem& p : inner_problems)
      problems.push_back(
          {spec.name, fmt::format("{} ({}): {}", spec.name, plugin->entry->name, p.message)});
    completed["plugin"] = Value::of(std::string(plugin->entry->name));
    value->second = Value::of(completed);
  }
  return values;
}

std::string component_versions(const Registry& registry, const Schema& schema,
                               const ValidatedParams& params) {
  std::string out;
  for (const ParamSpec& spec : schema.params()) {
    auto value = params.find(spec.name);
    if (!spec.component || value == params.end()) continue;
    auto name = value->second.map.find("plugin");
    if (name == value->second.map.end()) continue;
    if (const LoadedPlugin* plugin = registry.find(name->second.string))
      out += fmt::format("{}={}@{};", spec.name, plugin->entry->name, plugin->entry->version);
  }
  return out;
}

}  // namespace blindspot::host
