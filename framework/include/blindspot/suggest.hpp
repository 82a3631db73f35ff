// "Did you mean" hints for misspelled names (parameters, plugins, nodes, ports).
#pragma once

#include <string>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// "; did you mean 'x'?" for the closest of `known` within two edits of `name`, else
/// "; expected one of: a, b, c", or `none_text` when `known` is empty.
BLINDSPOT_API std::string suggestion(const std::string& name, const std::vector<std::string>& known,
                                     const std::string& none_text = "");

}  // namespace blindspot
