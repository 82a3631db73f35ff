// Loading plugin libraries: check the file, open it, check the entry, its ABI version and name.
#include "loader/registry.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <algorithm>
#include <cstdlib>

#include "blindspot/error.hpp"
#include "blindspot/suggest.hpp"
#include "build_info.hpp"
#include "data/dataset_node.hpp"
#include "loader/entry_check.hpp"
#include "loader/exit_guard.hpp"
#include "loader/shared_object.hpp"

namespace blindspot::host {

namespace fs = std::filesystem;

namespace {

// Boost.DLL reports only an errno; dlopen's own message says what is wrong with the file.
std::string dlopen_error(const fs::path& path, const std::string& fallback) {
  dlerror();
  if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    dlclose(handle);
    return fallback;
  }
  const char* detail = dlerror();
  return detail ? detail : fallback;
}

}  // namespace

Registry::Registry() {
  add(dataset_plugin_entry(), {});
  plugins_.at(dataset_plugin_entry().name).files_read = dataset_files;
}

void Registry::load_directory(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) {
    refused_.push_back({dir, "plugin folder does not exist"});
    return;
  }
  if (ec) {
    refused_.push_back({dir, fmt::format("cannot read plugin folder: {}", ec.message())});
    return;
  }
  if (!fs::is_directory(status)) {
    refused_.push_back({dir, "plugin folder is not a folder"});
    return;
  }
  std::vector<fs::path> files;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->path().extension() == ".so" || name.find(".so.") != std::string::npos)
      files.push_back(it->path());
  }
  if (ec) {
    refused_.push_back({dir, fmt::format("cannot read plugin folder: {}", ec.message())});
    return;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) load_library(file);
}

void Registry::load_library(const fs::path& path) {
  auto refuse = [&](const std::string& reason) { refused_.push_back({path, reason}); };
  if (auto problem = shared_object_problem(path)) {
    refuse(*problem);
    return;
  }
  ExitGuard guard(path);
  boost::dll::fs::error_code ec;
  boost::dll::shared_library library(path, ec, boost::dll::load_mode::rtld_now);
  if (ec || !library.is_loaded()) {
    refuse(fmt::format("not a loadable library ({})", dlopen_error(path, ec.message())));
    return;
  }
  if (!library.has(BLINDSPOT_PLUGIN_SYMBOL)) {
    refuse("exports no " BLINDSPOT_PLUGIN_SYMBOL "(); not a blindspot plugin");
    return;
  }
  auto& entry_fn = library.get<const PluginEntry*()>(BLINDSPOT_PLUGIN_SYMBOL);
  if (!is_function_symbol(reinterpret_cast<const void*>(&entry_fn))) {
    refuse(BLINDSPOT_PLUGIN_SYMBOL " is not a function (a data symbol?); not a blindspot plugin");
    return;
  }
  const PluginEntry* entry = nullptr;
  try {
    entry = entry_fn();
  } catch (const std::exception& e) {
    refuse(fmt::format(BLINDSPOT_PLUGIN_SYMBOL "() threw: {}", e.what()));
    return;
  } catch (...) {
    refuse(BLINDSPOT_PLUGIN_SYMBOL "() threw something that is not a std::exception");
    return;
  }
  if (!entry) {
    refuse(BLINDSPOT_PLUGIN_SYMBOL "() returned null");
    return;
  }
  if (!in_loaded_object(entry)) {
    refuse(BLINDSPOT_PLUGIN_SYMBOL "() returned a pointer outside every loaded library");
    return;
  }
  if (entry->abi_version != kPluginAbiVersion) {
    refuse(fmt::format("built for plugin ABI {}, this blindspot needs {}; rebuild it",
                       entry->abi_version, kPluginAbiVersion));
    return;
  }
  if (auto problem = entry_problem(*entry)) {
    refuse(fmt::format("the entry " BLINDSPOT_PLUGIN_SYMBOL "() returned {}", *problem));
    return;
  }
  auto existing = plugins_.find(entry->name);
  if (existing != plugins_.end()) {
    std::string other = existing->second.library.empty() ? "the host (built-in)"
                                                         : existing->second.library.string();
    refuse(fmt::format("'{}' is provided by both {} and {}; remove one from the path", entry->name,
                       other, path.string()));
    return;
  }
  try {
    add(*entry, path);
  } catch (const Error& e) {
    refuse(e.message());
    return;
  } catch (const std::exception& e) {
    refuse(fmt::format("describe() failed: {}", e.what()));
    return;
  } catch (...) {
    refuse("describe() threw something that is not a std::exception");
    return;
  }
  libraries_.push_back(std::move(library));
}

void Registry::load_default_locations(const std::vector<std::string>& extra) {
  load_directory(BLINDSPOT_DEFAULT_PLUGIN_DIR);
  if (const char* env = std::getenv("BLINDSPOT_PLUGIN_PATH")) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t end = std::min(list.find(':', start), list.size());
      if (end > start) load_directory(list.substr(start, end - start));
      start = end + 1;
    }
  }
  for (const std::string& dir : extra) load_directory(dir);
}

Registry::~Registry() {
  for (ProductKind kind : kinds_) unregister_product_kind(kind);
}

void Registry::add(const PluginEntry& entry, const fs::path& library) {
  LoadedPlugin plugin{&entry, library, entry.describe(), nullptr};
  plugin.schema.set_name(entry.name);
  register_kinds(plugin.schema);
  plugins_[entry.name] = std::move(plugin);
}

void Registry::register_kinds(const Schema& schema) {
  std::vector<ProductKind> added;
  try {
    for (const auto* ports : {&schema.inputs(), &schema.outputs()})
      for (const PortSpec& port : *ports) {
        if (!port.kind)
          throw Error("", fmt::format("port '{}' declares no product kind", port.name));
        register_product_kind(port.kind);
        added.push_back(port.kind);
      }
  } catch (const Error&) {
    for (ProductKind kind : added) unregister_product_kind(kind);
    throw;
  }
  kinds_.insert(kinds_.end(), added.begin(), added.end());
}

std::vector<const LoadedPlugin*> Registry::reports_providing(const std::string& id) const {
  std::vector<const LoadedPlugin*> out;
  for (const auto& [name, plugin] : plugins_)
    for (const auto& [provided, title] : plugin.schema.provides())
      if (provided == id) out.push_back(&plugin);
  return out;
}

const LoadedPlugin* Registry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second;
}

std::vector<const LoadedPlugin*> Registry::plugins() const {
  std::vector<const LoadedPlugin*> out;
  for (const auto& [name, plugin] : plugins_) out.push_back(&plugin);
  std::stable_sort(out.begin(), out.end(), [](const LoadedPlugin* a, const LoadedPlugin* b) {
    return a->entry->kind < b->entry->kind;
  });
  return out;
}

std::string Registry::suggest(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& [known, plugin] : plugins_) names.push_back(known);
  return suggestion(name, names);
}

}  // namespace blindspot::host
