// The --json answers of `blindspot plugins` and `blindspot plugins describe NAME`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "loader/registry.hpp"

namespace blindspot::host {

/// Every plugin (kind, name, version, library or null for a built-in) in the order `plugins`
/// lists them, and every refused library with the reason.
nlohmann::json plugins_json(const Registry& registry);

/// A plugin's whole schema: name, kind, version, library, doc, parameters (typed defaults,
/// bounds, choices, flags), inputs and outputs, the tables it provides and its reproduce
/// tolerance.
nlohmann::json plugin_json(const LoadedPlugin& plugin);

}  // namespace blindspot::host
