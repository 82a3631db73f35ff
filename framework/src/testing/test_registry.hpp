// The one plugin registry of a test process (internal to the test library).
#pragma once

#include <string>

#include "loader/registry.hpp"

namespace blindspot::testing {

/// The registry the tests run plugins from, created on first use. It is never destroyed, so it
/// outlives every product the tests create.
const host::Registry& test_registry();

/// `plugin` in test_registry(); throws Error naming the folders searched (and the reason its
/// library was refused, if it was) when no plugin has that name.
const host::LoadedPlugin& find_plugin(const std::string& plugin);

}  // namespace blindspot::testing
