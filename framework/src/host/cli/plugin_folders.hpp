// The --plugin-path folders the registry is given, each loaded once.
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// The folders of `given` (--plugin-path, or BLINDSPOT_PLUGIN_PATH when the option is not used)
/// that Registry::load_default_locations does not load by itself, in order and each once: the
/// build's plugin folder and BLINDSPOT_PLUGIN_PATH's folders (':'-separated) are left out, so
/// no library is loaded twice (which would refuse its plugins as provided twice).
std::vector<std::string> extra_plugin_folders(const std::vector<std::string>& given);

}  // namespace blindspot::host
