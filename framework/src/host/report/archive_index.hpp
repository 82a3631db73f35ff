// An archive read for `report`: its experiment, the tables it reproduces, and the view of its
// nodes that product kinds and report plugins see.
#pragma once

#include <string>
#include <vector>

#include "archive/archive.hpp"
#include "blindspot/report_plugin.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

/// Every node of an archive in run order, with its parameters, edges and display name.
class ArchiveIndex {
 public:
  /// Reads `reader`'s nodes; `registry` names models (Schema::display_name). The edges come
  /// from the archive, or from its experiment's YAML for archives written before they were
  /// recorded.
  ArchiveIndex(const ArchiveReader& reader, const Registry& registry);

  const ExperimentInfo& experiment() const { return experiment_; }
  /// The ids the experiment declares in `reproduces:`.
  const std::vector<std::string>& reproduces() const { return reproduces_; }
  const ArchiveView& view() const { return view_; }

 private:
  ExperimentInfo experiment_;
  std::vector<std::string> reproduces_;
  ArchiveView view_;
};

}  // namespace blindspot::host
