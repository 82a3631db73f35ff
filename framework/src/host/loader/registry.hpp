// The plugin registry: loads plugin libraries with Boost.DLL and refuses bad ones with a reason.
#pragma once

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "blindspot/plugin.hpp"

namespace blindspot::host {

/// A plugin the host can create nodes from.
struct LoadedPlugin {
  const PluginEntry* entry = nullptr;
  std::filesystem::path library;  // empty for built-ins
  Schema schema;
  /// For a built-in: the files a node with these parameters reads, digested into its cache key
  /// in place of the folders its `.file()` parameters name. Null for plugin libraries.
  std::function<std::vector<std::filesystem::path>(const ValidatedParams&)> files_read;
};

/// A library that was refused, and why.
struct RefusedLibrary {
  std::filesystem::path path;
  std::string reason;
};

/// Every loaded plugin by name. Owns the libraries and never unloads them while it lives, so it
/// must outlive every node and product a plugin created.
class Registry {
 public:
  /// A registry holding only the built-in plugins (the dataset node).
  Registry();
  /// Forgets the product kinds its plugins defined, before their libraries are unloaded.
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Loads every library in `dir` (files named *.so, in name order); a missing folder is refused.
  void load_directory(const std::filesystem::path& dir);
  /// Loads one library; on failure records it in refused() and carries on.
  void load_library(const std::filesystem::path& path);
  /// Loads the build's plugin folder, BLINDSPOT_PLUGIN_PATH (':'-separated) and `extra` folders.
  void load_default_locations(const std::vector<std::string>& extra);

  const LoadedPlugin* find(const std::string& name) const;
  /// Every plugin, sorted by kind and name.
  std::vector<const LoadedPlugin*> plugins() const;
  const std::vector<RefusedLibrary>& refused() const { return refused_; }
  /// The report plugins that provide `id` (an experiment's `reproduces:`), by name.
  std::vector<const LoadedPlugin*> reports_providing(const std::string& id) const;
  /// "; did you mean 'x'?" or the list of known names, for an unknown plugin `name`.
  std::string suggest(const std::string& name) const;

 private:
  void add(const PluginEntry& entry, const std::filesystem::path& library);
  /// Registers the product kinds of a schema's ports; throws Error (registering none) when a
  /// port has no kind or another library defines a kind of the same name.
  void register_kinds(const Schema& schema);

  std::vector<boost::dll::shared_library> libraries_;
  std::vector<ProductKind> kinds_;  // registered by add(), one entry per registration
  std::map<std::string, LoadedPlugin> plugins_;
  std::vector<RefusedLibrary> refused_;
};

}  // namespace blindspot::host
