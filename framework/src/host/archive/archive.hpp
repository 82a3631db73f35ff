// The HDF5 archive of a run: writing it crash-safely node by node, and reading it back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "blindspot/node.hpp"

namespace blindspot::host {

/// What /experiment records about a run (all stored as attributes of /experiment).
struct ExperimentInfo {
  std::string name;
  std::string yaml;       // the experiment file's text
  std::string yaml_hash;  // hex digest of `yaml`
  std::uint64_t seed = 0;
  std::string started, finished;                // ISO 8601, UTC; finished empty while running
  std::string status;                           // "running", "complete" or "failed"
  std::map<std::string, std::string> versions;  // blindspot, git_commit, libtorch, hdf5, ...
  std::string host;
  std::int64_t threads = 0;
};

/// What /nodes/NAME records about a node (attributes of its group).
struct NodeInfo {
  std::string name;
  std::string plugin, plugin_version;
  std::string parameters;  // validated parameters as YAML text
  std::string key;         // cache key: hash of plugin, version, parameters, input keys, seed
  std::uint64_t seed = 0;
  double duration = 0.0;  // seconds
  std::string status;     // "complete" or "restored"
};

/// Writes OUT.partial: every change is made on a copy that atomically replaces the partial,
/// so a run killed at any moment leaves a readable partial holding every finished node.
class ArchiveWriter {
 public:
  /// Starts `final_path`.partial holding only /experiment (replacing an old partial).
  ArchiveWriter(std::filesystem::path final_path, const ExperimentInfo& info);
  /// Copies finished nodes, unchanged, from an earlier archive (for --resume).
  void copy_nodes(const std::filesystem::path& source, const std::vector<std::string>& nodes);
  /// Adds /nodes/NAME with its attributes and one group per output port.
  void add_node(const NodeInfo& node, const StoredProducts& products);
  /// Rewrites /experiment (times, status) and renames the partial to the final path.
  void finish(const ExperimentInfo& info);
  const std::filesystem::path& partial_path() const { return partial_; }

 private:
  std::filesystem::path final_, partial_;
};

/// Reads an archive written by ArchiveWriter (final or partial). Throws ArchiveError-style
/// blindspot::Error naming the file if it is not a blindspot archive.
class ArchiveReader {
 public:
  explicit ArchiveReader(std::filesystem::path path);
  ExperimentInfo experiment() const;
  /// Every node in the archive, in the order they were added.
  std::vector<NodeInfo> nodes() const;
  /// The products of one node, by port.
  StoredProducts products(const std::string& node) const;

 private:
  std::filesystem::path path_;
};

/// Partial path for a final archive path: "OUT.h5" -> "OUT.h5.partial".
std::filesystem::path partial_path_for(const std::filesystem::path& final_path);

}  // namespace blindspot::host
