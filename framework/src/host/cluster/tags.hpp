// The tags of the messages between the ranks of a run.
#pragma once

#include <cstddef>

namespace blindspot::host::tags {

inline constexpr int kFailure = 1;    // to rank 0: a node failed on the sender; ends the run
inline constexpr int kCombine = 2;    // Ranks::combine()'s shares of a node run across ranks
inline constexpr int kReused = 3;     // from rank 0: the nodes --resume takes from the archive
inline constexpr int kReady = 4;      // to rank 0: the sender is ready to run, or why not
inline constexpr int kStart = 5;      // from rank 0: whether every rank is ready, so all run
inline constexpr int kGathered = 6;   // to and from rank 0: every rank came to the same node
inline constexpr int kNodeBase = 16;  // + graph index: a finished node's products

/// The tag of node `index`'s products.
inline int node(std::size_t index) {
  return kNodeBase + static_cast<int>(index);
}

}  // namespace blindspot::host::tags
