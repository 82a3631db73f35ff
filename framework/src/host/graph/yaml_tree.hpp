// Walking a loaded YAML tree within bounds: alias expansion, nesting, duplicate and unnamed keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "graph/problem.hpp"

namespace blindspot::host {

/// Visits every value of `root` as the reader will, counting each alias use again (yaml-cpp
/// shares an aliased node, so "billion laughs" files are small trees that expand when walked).
/// Appends a problem for each duplicate key (naming both places) and each key that is not a
/// name. Returns false, after one problem, if the walk passes kMaxYamlValues or kMaxYamlDepth:
/// the tree must then not be read.
bool check_tree(const YAML::Node& root, const std::string& file, Problems& problems);

}  // namespace blindspot::host
