// Leaving out the plugin folders the registry loads anyway.
#include "cli/plugin_folders.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "build_info.hpp"

namespace fs = std::filesystem;

namespace blindspot::host {

namespace {

/// What a folder name refers to: its canonical path (symbolic links resolved) where it exists,
/// without a trailing separator, so that two spellings of one folder compare equal.
fs::path identity(const std::string& folder) {
  std::error_code failed;
  fs::path path = fs::weakly_canonical(folder, failed);
  if (failed) path = fs::path(folder).lexically_normal();
  return !path.has_filename() && path.has_relative_path() ? path.parent_path() : path;
}

}  // namespace

std::vector<std::string> extra_plugin_folders(const std::vector<std::string>& given) {
  std::vector<fs::path> loaded{identity(BLINDSPOT_DEFAULT_PLUGIN_DIR)};
  if (const char* env = std::getenv("BLINDSPOT_PLUGIN_PATH")) {
    const std::string list = env;
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      if (end > start) loaded.push_back(identity(list.substr(start, end - start)));
      start = end + 1;
    }
  }
  std::vector<std::string> extra;
  for (const std::string& folder : given) {
    if (folder.empty()) continue;
    const fs::path id = identity(folder);
    if (std::find(loaded.begin(), loaded.end(), id) != loaded.end()) continue;
    loaded.push_back(id);
    extra.push_back(folder);
  }
  return extra;
}

}  // namespace blindspot::host
