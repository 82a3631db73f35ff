// What a resumed run takes from its earlier archive, and restoring nodes from archives.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blindspot/node.hpp"
#include "graph/graph.hpp"

namespace blindspot::host {

/// The nodes a resumed run reuses: those whose key is unchanged, with their checked products.
struct Reusable {
  std::optional<std::filesystem::path> source;  // the partial of an interrupted run, or OUT
  std::vector<std::string> nodes;               // in graph order
  std::map<std::string, StoredProducts> products;
};

/// Finds the earlier archive of `output` and reads every node of it that can be reused; an
/// archive that is damaged or not an archive is refused (blindspot::Error naming it and the node).
/// An archive of an older format is not reused: every node is computed again, with a note
/// unless `quiet`.
Reusable find_reusable(const Graph& graph, const std::vector<std::string>& keys,
                       const std::filesystem::path& output, bool quiet);

/// Runs `restore`; any failure becomes blindspot::Error naming `archive` and its node `node`.
void restoring(const std::filesystem::path& archive, const std::string& node,
               const std::function<void()>& restore);

}  // namespace blindspot::host
