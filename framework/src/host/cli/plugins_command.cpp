// `blindspot plugins` and `blindspot plugins describe NAME`.
#include <fmt/format.h>

#include "blindspot/error.hpp"
#include "cli/commands.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

int command_plugins(const std::vector<std::string>& args, const PluginOptions& options) {
  Registry registry;
  registry.load_default_locations(options.plugin_paths);
  if (args.empty()) {
    fmt::print("{:<10} {:<16} {:<9} {}\n", "kind", "name", "version", "library");
    for (const LoadedPlugin* p : registry.plugins())
      fmt::print("{:<10} {:<16} {:<9} {}\n", kind_name(p->entry->kind), p->entry->name,
                 p->entry->version, p->library.empty() ? "(built in)" : p->library.string());
    if (!registry.refused().empty()) fmt::print("\nrefused libraries:\n");
    for (const RefusedLibrary& r : registry.refused())
      fmt::print("  {}: {}\n", r.path.string(), r.reason);
    return 0;
  }
  if (args[0] != "describe" || args.size() != 2)
    throw Error("plugins", "usage: blindspot plugins [describe NAME]");
  const LoadedPlugin* plugin = registry.find(args[1]);
  if (!plugin)
    throw Error("plugins",
                fmt::format("unknown plugin '{}'{}", args[1], registry.suggest(args[1])));
  fmt::print("{} ({}, version {})\n{}", plugin->entry->name, kind_name(plugin->entry->kind),
             plugin->entry->version, plugin->schema.describe());
  return 0;
}

}  // namespace blindspot::host
