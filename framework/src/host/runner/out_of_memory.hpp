// Turning an allocation failure inside a node into one line that names the node.
#pragma once

#include <functional>

#include "graph/graph.hpp"

namespace blindspot::host {

/// Runs `step` (running or restoring `node`). If memory runs out inside it (std::bad_alloc, or
/// LibTorch's allocator refusing), throws std::runtime_error "node 'X' (plugin): out of memory
/// ..." instead: a failed run (exit 1) told in one line rather than LibTorch's internals.
void guard_memory(const GraphNode& node, const std::function<void()>& step);

}  // namespace blindspot::host
