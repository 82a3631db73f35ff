// What an experiment or node name may be: both become file and HDF5 group names, so a name
// must not climb out of a folder, nest groups or carry terminal control bytes.
#pragma once

#include <cstddef>
#include <string>

namespace blindspot::host {

/// Longest experiment or node name.
constexpr std::size_t kMaxNameLength = 128;

/// Empty if `name` is a safe experiment name (ASCII letters, digits, '_', '-' and '.', not
/// starting with '.' or '-', at most kMaxNameLength); otherwise what is wrong and what is allowed.
std::string experiment_name_problem(const std::string& name);
/// The same for a node name, where '.' is not allowed either (inputs write node.port).
std::string node_name_problem(const std::string& name);

}  // namespace blindspot::host
