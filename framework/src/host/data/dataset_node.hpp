// The built-in `dataset` node: MNIST digits, Fashion-MNIST or any IDX folder, split by seed.
#pragma once

#include <filesystem>
#include <vector>

#include "blindspot/plugin.hpp"

namespace blindspot::host {

/// The entry of the built-in dataset plugin, registered by the host like a loaded plugin.
const PluginEntry& dataset_plugin_entry();

/// The IDX files a dataset node with these parameters reads from its 'path' folder (none for
/// the built-in sources): their contents, not the whole folder's, go into the node's cache key.
/// Throws blindspot::Error for a folder without IDX files.
std::vector<std::filesystem::path> dataset_files(const ValidatedParams& values);

}  // namespace blindspot::host
