// `blindspot plugins` and `blindspot plugins describe NAME`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "blindspot/error.hpp"
#include "cli/commands.hpp"
#include "cli/plugin_json.hpp"
#include "cli/print_json.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

int command_plugins(const PluginOptions& options, const OutputOptions& print) {
  Registry registry;
  registry.load_default_locations(options.plugin_paths);
  if (print.json) {
    print_json(plugins_json(registry));
    return 0;
  }
  fmt::print("{:<10} {:<16} {:<9} {}\n", "kind", "name", "version", "library");
  for (const LoadedPlugin* p : registry.plugins())
    fmt::print("{:<10} {:<16} {:<9} {}\n", kind_name(p->entry->kind), p->entry->name,
               p->entry->version, p->library.empty() ? "(built in)" : p->library.string());
  if (!registry.refused().empty()) fmt::print("\nrefused libraries:\n");
  for (const RefusedLibrary& r : registry.refused())
    fmt::print("  {}: {}\n", r.path.string(), r.reason);
  return 0;
}

int command_describe(const std::string& name, const PluginOptions& options,
                     const OutputOptions& print) {
  Registry registry;
  registry.load_default_locations(options.plugin_paths);
  const LoadedPlugin* plugin = registry.find(name);
  if (!plugin)
    throw Error("plugins", fmt::format("unknown plugin '{}'{}", name, registry.suggest(name)));
  if (print.json) {
    print_json(plugin_json(*plugin));
    return 0;
  }
  fmt::print("{} ({}, version {})\n{}", plugin->entry->name, kind_name(plugin->entry->kind),
             plugin->entry->version, plugin->schema.describe());
  return 0;
}

}  // namespace blindspot::host
