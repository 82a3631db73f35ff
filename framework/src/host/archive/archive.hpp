// The HDF5 archive of a run: writing it crash-safely node by node, and reading it back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "blindspot/node.hpp"

namespace blindspot::host {

class H5Handle;

/// A write to an archive that failed for a reason outside the user's input (a full disk, an
/// I/O error): a failed run, exit 1. Its text is "FILE: what went wrong".
class ArchiveWriteError : public std::runtime_error {
 public:
  ArchiveWriteError(const std::filesystem::path& file, const std::string& reason)
      : std::runtime_error(file.string() + ": " + reason), reason_(reason) {}
  /// What went wrong, without the file.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

/// The layout of archives this program writes; it reads every format up to this one.
/// 1: attributes of products were text. 2: numbers as numbers, large datasets compressed,
/// named dimensions, and /experiment's `format_version` (absent in format 1).
constexpr std::int64_t kArchiveFormat = 2;

/// What /experiment records about a run (all stored as attributes of /experiment).
struct ExperimentInfo {
  std::string name;
  std::string yaml;       // the experiment file's text
  std::string yaml_hash;  // hex digest of `yaml`
  std::uint64_t seed = 0;
  std::string started, finished;                // ISO 8601, UTC; finished empty while running
  std::string status;                           // "running" or "complete"
  std::map<std::string, std::string> versions;  // blindspot, git_commit, libtorch, hdf5, ...
  std::string host;
  std::int64_t threads = 0;  // per rank
  std::int64_t ranks = 1;    // MPI ranks that ran it (1 in archives written before ranks)
  std::int64_t format = kArchiveFormat;  // the archive's layout (kArchiveFormat when written)
};

/// What /nodes/NAME records about a node (attributes of its group).
struct NodeInfo {
  std::string name;
  std::string plugin, plugin_version;
  std::string parameters;  // validated parameters as a JSON object (YAML text in format 1)
  std::string key;         // cache key: hash of plugin, version, parameters, input keys, seed
  std::uint64_t seed = 0;
  double duration = 0.0;  // seconds
  std::string status;     // "complete", or "loaded from ARCHIVE#/nodes/NAME" (`from:`)
  /// The graph's edges into this node: input port -> the "node.port" outputs it reads, in
  /// order. Absent in archives written before edges were recorded.
  std::optional<std::map<std::string, std::vector<std::string>>> inputs;
};

/// Nodes a resumed run takes, unchanged, from an earlier archive.
struct ReusedNodes {
  std::filesystem::path source;    // the earlier archive (it may be the old partial)
  std::vector<std::string> nodes;  // in the order they are added
};

/// Writes OUT.partial, kept open for the whole run: each node is appended and flushed, so a
/// node costs time in proportion to its own size and a run killed at any moment leaves a
/// readable partial holding every finished node. Disk space for a node is reserved before it
/// is written, and a write that fails anyway is abandoned (the partial keeps its last flush).
class ArchiveWriter {
 public:
  /// Starts `final_path`.partial holding /experiment and the reused nodes. It is built beside
  /// the old partial and replaces it only once complete; a failure leaves the old one as it was.
  ArchiveWriter(std::filesystem::path final_path, const ExperimentInfo& info,
                const ReusedNodes& reused = {});
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;
  /// Closes the partial (unless finish() renamed it); never throws.
  ~ArchiveWriter();
  /// Adds /nodes/NAME with its attributes and one group per output port (replacing a node of
  /// that name), then flushes. Throws ArchiveWriteError if it cannot be written; the writer
  /// then refuses further changes.
  void add_node(const NodeInfo& node, const StoredProducts& products);
  /// Rewrites /experiment (times, status), closes the partial and renames it to the final path.
  void finish(const ExperimentInfo& info);
  const std::filesystem::path& partial_path() const { return partial_; }

 private:
  /// Reserves `bytes`, runs `edit` on the open partial and flushes it; on failure abandons it.
  void change(const std::string& what, std::uint64_t bytes, const std::function<void()>& edit);
  /// Abandons the partial (see below) and throws ArchiveWriteError "cannot WHAT: REASON".
  [[noreturn]] void fail(const std::string& what, const std::string& reason);
  /// Closes the partial without letting unflushed changes reach it, and trims what they added.
  void abandon() noexcept;

  std::filesystem::path final_, partial_;
  std::unique_ptr<H5Handle> file_;   // the open partial; empty once closed
  std::int64_t next_order_ = 0;      // the `order` of the next node added
  std::uintmax_t flushed_size_ = 0;  // the partial's size after its last flush
  bool failed_ = false;
};

/// Reads an archive written by ArchiveWriter (final or partial). Throws blindspot::Error naming
/// the file if it is not a blindspot archive.
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
