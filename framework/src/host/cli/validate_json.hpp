// The --json answer of `blindspot validate`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "graph/experiment.hpp"
#include "graph/problem.hpp"

namespace blindspot::host {

/// Whether `file` holds a valid experiment: its name (null when unread), its node count and
/// every problem with its file, line and column (null when unknown) and message.
nlohmann::json validation_json(const std::string& file, const Experiment& experiment,
                               const Problems& problems);

}  // namespace blindspot::host
