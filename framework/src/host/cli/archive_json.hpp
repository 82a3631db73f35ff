// The --json answer of `blindspot show`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "archive/archive.hpp"

namespace blindspot::host {

/// What the archive `file` holds: its experiment (with the versions that made it) and its
/// nodes in order, each with its parameters as an object, its edges and, by port, each
/// product's kind, summary and detail lines. `products[i]` are the products of `nodes[i]`.
/// Throws Error naming the file and node when a node's parameters do not parse.
nlohmann::json archive_json(const std::string& file, const ExperimentInfo& experiment,
                            const std::vector<NodeInfo>& nodes,
                            const std::vector<StoredProducts>& products);

}  // namespace blindspot::host
