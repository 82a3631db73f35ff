// Stable hashes for cache keys, experiment digests and per-node seeds.
#pragma once

#include <cstdint>
#include <string>

namespace blindspot::host {

/// 64-bit FNV-1a of `text` as 16 hex digits; identical on every platform.
std::string digest(const std::string& text);

/// A node's seed: mixes the experiment seed with the node's name.
std::uint64_t node_seed(std::uint64_t experiment_seed, const std::string& node_name);

}  // namespace blindspot::host
