// Parameter values as JSON: a node's archived parameters and the `--json` output of commands.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "blindspot/value.hpp"

namespace blindspot::host {

/// A value as JSON: integers as JSON integers, reals as numbers (NaN and infinities, which JSON
/// lacks, as null), strings, lists as arrays, maps as objects and null as null.
nlohmann::json to_json(const Value& value);

/// Compact JSON text of a value, object keys sorted; bytes that are not UTF-8 become U+FFFD.
/// YAML parsers read it back (parse_value_map) as the same value, non-finite reals aside.
std::string to_json_text(const Value& value);

}  // namespace blindspot::host
