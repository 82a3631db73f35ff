// Groups and links: opening, creating, removing and listing what a group holds.
#pragma once

#include <string>
#include <vector>

#include "archive/h5_handle.hpp"

namespace blindspot::host {

/// Opens the group `name` (a path relative to `parent`).
H5Handle open_group(const H5Handle& parent, const std::string& name);

/// Creates the group `name`, creating missing intermediate groups.
H5Handle create_group(const H5Handle& parent, const std::string& name);

/// Whether `parent` has a direct link called `name`.
bool has_link(const H5Handle& parent, const std::string& name);

/// Unlinks `name` from `parent` (the object goes with its last link).
void remove_link(const H5Handle& parent, const std::string& name);

/// Names of the links directly in `group`, in name order.
std::vector<std::string> child_names(const H5Handle& group);

/// Paths, relative to `group`, of every dataset below it at any depth, in name order.
std::vector<std::string> datasets_below(const H5Handle& group);

}  // namespace blindspot::host
