// Where a test process finds plugins: added folders (the tested plugin's), then the host's own.
#include "test_registry.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"
#include "build_info.hpp"

namespace blindspot::testing {

namespace {

namespace fs = std::filesystem;

struct State {
  std::vector<fs::path> folders;             // added with add_plugin_folder, in order
  std::unique_ptr<host::Registry> registry;  // created on first use
};

// Never destroyed: the registry must outlive every product, and folders are added before main().
State& state() {
  static State* instance = new State();
  return *instance;
}

// `dir` resolved, so that two spellings of one folder compare equal.
fs::path resolved(const fs::path& dir) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(dir, ec);
  return ec ? dir.lexically_normal() : out;
}

}  // namespace

void add_plugin_folder(const std::string& dir) {
  State& s = state();
  const fs::path folder = resolved(dir);
  // The build's own folder is loaded anyway (in the tree it is where the tested plugin is).
  if (folder == resolved(BLINDSPOT_DEFAULT_PLUGIN_DIR)) return;
  for (const fs::path& known : s.folders)
    if (known == folder) return;
  s.folders.push_back(folder);
  if (s.registry) s.registry->load_directory(folder);
}

const host::Registry& test_registry() {
  State& s = state();
  if (!s.registry) {
    s.registry = std::make_unique<host::Registry>();
    for (const fs::path& folder : s.folders) s.registry->load_directory(folder);
    // The rest exactly as the blindspot program loads them (without --plugin-path).
    s.registry->load_default_locations({});
  }
  return *s.registry;
}

const host::LoadedPlugin& find_plugin(const std::string& plugin) {
  const host::Registry& registry = test_registry();
  if (const host::LoadedPlugin* loaded = registry.find(plugin)) return *loaded;
  std::string where;
  for (const fs::path& folder : state().folders) where += folder.string() + ", ";
  where += BLINDSPOT_DEFAULT_PLUGIN_DIR;
  if (std::getenv("BLINDSPOT_PLUGIN_PATH")) where += " or BLINDSPOT_PLUGIN_PATH";
  std::string message = "plugin not found in " + where;
  // A library of the plugin's file name that the loader refused says why (an old ABI, ...).
  for (const host::RefusedLibrary& refused : registry.refused())
    if (refused.path.filename() == "lib" + plugin + ".so")
      message += "; " + refused.path.string() + " was refused: " + refused.reason;
  throw Error(plugin, message);
}

}  // namespace blindspot::testing
