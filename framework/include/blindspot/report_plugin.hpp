// Report plugins: a paper's tables rebuilt from an archive. A report plugin declares the ids it
// provides (`Schema::provides`), which an experiment names in `reproduces:`, and finds the nodes
// it needs by their products' kinds, ports and parameters, never by plugin names.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/report.hpp"
#include "blindspot/value.hpp"

namespace blindspot {

/// One archived node as a report sees it.
struct BLINDSPOT_API ArchivedNode {
  std::string name;
  std::string plugin;
  std::map<std::string, Value> parameters;                 // validated; empty when unreadable
  std::map<std::string, std::vector<std::string>> inputs;  // port -> the nodes feeding it
  StoredProducts products;                                 // by output port
  std::uint64_t seed = 0;
  std::string display_name;  // the name its plugin gives it (a model's), else the node's name

  /// The node feeding `port` (its first one for a list port), or "" when there is none.
  std::string input(const std::string& port) const;
  /// A numeric parameter, or `fallback` when it is absent or not a number.
  double number(const std::string& key, double fallback) const;
  /// A string parameter, or `fallback`.
  std::string text(const std::string& key, const std::string& fallback) const;
  /// The record on output `port` if it is of `kind`, else nullptr.
  const Record* product(const std::string& port, ProductKind kind) const;
  /// The first record of `kind` among its outputs, or nullptr.
  const Record* first(ProductKind kind) const;
};

/// Every node of an archive in run order, with the experiment it came from.
class BLINDSPOT_API ArchiveView {
 public:
  ArchiveView(std::string experiment, std::vector<ArchivedNode> nodes);

  const std::string& experiment() const { return experiment_; }
  const std::vector<ArchivedNode>& nodes() const { return nodes_; }
  /// The node called `name`, or nullptr.
  const ArchivedNode* find(const std::string& name) const;
  /// The nodes whose input `port` reads `node`, in run order.
  std::vector<const ArchivedNode*> readers_of(const std::string& node,
                                              const std::string& port) const;
  /// The display name of the node called `name`, or `name` itself when there is no such node.
  std::string display_name(const std::string& name) const;

 private:
  std::string experiment_;
  std::vector<ArchivedNode> nodes_;
};

/// Base of report plugins.
class BLINDSPOT_API Report {
 public:
  static constexpr PluginKind plugin_kind = PluginKind::report;
  virtual ~Report();
  /// The sections of the tables `id` (one the schema provides) made from `archive`.
  virtual std::vector<Section> sections(const std::string& id,
                                        const ArchiveView& archive) const = 0;
};

}  // namespace blindspot
