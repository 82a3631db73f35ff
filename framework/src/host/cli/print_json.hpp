// How commands print their --json answer.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace blindspot::host {

/// Prints `value` on stdout indented by two spaces, with one trailing newline; bytes that are
/// not UTF-8 become U+FFFD.
void print_json(const nlohmann::json& value);

}  // namespace blindspot::host
