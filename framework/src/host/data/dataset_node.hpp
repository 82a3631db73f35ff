// The built-in `dataset` node: MNIST digits, Fashion-MNIST or any IDX folder, split by seed.
#pragma once

#include "blindspot/plugin.hpp"

namespace blindspot::host {

/// The entry of the built-in dataset plugin, registered by the host like a loaded plugin.
const PluginEntry& dataset_plugin_entry();

}  // namespace blindspot::host
