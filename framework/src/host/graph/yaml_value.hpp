// Conversion of YAML nodes to parameter values (the only place plugins' values meet YAML).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "blindspot/value.hpp"
#include "graph/problem.hpp"

namespace blindspot::host {

/// Converts a YAML node: plain scalars become bool, int, float, null or string by their text;
/// quoted scalars are always strings; sequences become lists and mappings maps.
Value to_value(const YAML::Node& node);

/// 1-based position of a YAML node.
Mark mark_of(const YAML::Node& node);

/// Parses "{a: 1}" style text into a map of values; throws blindspot::Error if it is not a map.
std::map<std::string, Value> parse_value_map(const std::string& yaml_text);

}  // namespace blindspot::host
