// `blindspot reproduce`'s verdicts: how each re-run node compares with the archive, as text and
// as JSON.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

#include "archive/archive.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

/// How one node of the re-run compares with the archived one.
struct Verdict {
  /// Identical and within tolerance count as reproduced; the others do not.
  enum class Outcome { identical, within_tolerance, differs, not_rerun, version_changed };
  Outcome outcome = Outcome::identical;
  std::string plugin;
  std::string archived_version, current_version;  // the plugin's; current empty if not re-run
  double largest = 0.0;    // largest difference of any product value (infinite: shapes differ)
  std::string where;       // "PORT/NAME" holding it; empty when identical
  double tolerance = 0.0;  // the difference the plugin allows

  /// True when the node counts as reproduced.
  bool reproduced() const;
  /// The verdict as `reproduce` prints it after the node's name.
  std::string text() const;
};

/// Compares node `before` of `original` with its re-run `after` (null: it was not re-run) in
/// `again`; the plugin's tolerance comes from `registry`.
Verdict judge(const NodeInfo& before, const NodeInfo* after, const ArchiveReader& original,
              const ArchiveReader& again, const Registry& registry);

/// A reproduction as JSON: the archive, each node's verdict in order ("identical", "within
/// tolerance", "differs", "not re-run" or "version changed", with the largest difference, where
/// it is and the tolerance; null where not compared), how many nodes were reproduced of how
/// many, and the versions that made the archive.
nlohmann::json reproduction_json(const std::string& archive, const std::vector<NodeInfo>& nodes,
                                 const std::vector<Verdict>& verdicts,
                                 const std::map<std::string, std::string>& versions);

}  // namespace blindspot::host
