// Checks of what a plugin library exports before the host trusts it.
#pragma once

#include <optional>
#include <string>

#include "blindspot/plugin.hpp"

namespace blindspot::host {

/// Whether `address` is a function symbol (ELF STT_FUNC) of a loaded library, not data.
bool is_function_symbol(const void* address);

/// Whether `address` lies inside a loaded library or the program (dladdr finds it).
bool in_loaded_object(const void* address);

/// What is wrong with an entry of the right ABI version (a null name, version, describe or
/// create, an unknown kind), or nullopt.
std::optional<std::string> entry_problem(const PluginEntry& entry);

}  // namespace blindspot::host
