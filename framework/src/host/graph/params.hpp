// Validating a node's parameters, including the components they name (an attack's optimiser).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "loader/registry.hpp"

namespace blindspot::host {

/// Schema validation plus, for each component parameter ({plugin: NAME, ...}), the named
/// plugin's kind and its own parameters, whose defaults are filled in. Problems name the key
/// ("optimiser.m" for an inner one).
ValidatedParams validate_params(const Registry& registry, const Schema& schema,
                                const std::map<std::string, Value>& given,
                                std::vector<ParamProblem>& problems);

/// The versions of the components a node's parameters name ("optimiser=lbfgsb@1;"), for keys.
std::string component_versions(const Registry& registry, const Schema& schema,
                               const ValidatedParams& params);

}  // namespace blindspot::host
