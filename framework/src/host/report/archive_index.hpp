// An archive's nodes with what a report looks up: parameters, inputs, products, paper names.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "archive/archive.hpp"

namespace blindspot::host {

/// A record's kind ("Table", "Model", "AdversarialSet", ...), or "" when it has none.
std::string kind_of(const Record& record);

/// What an archived adversarial set amounts to.
struct SetFacts {
  std::int64_t samples = 0;
  std::int64_t successes = 0;
  std::int64_t misclassified_before = 0;  // the attacked model was wrong on the original
  double mean_distortion = 0.0;           // over the successes; NaN when there are none
};

/// The facts of an AdversarialSet record.
SetFacts set_facts(const Record& record);

/// One archived node: its record, its validated parameters and the nodes its ports read.
struct IndexedNode {
  NodeInfo info;
  YAML::Node parameters;                                   // a map; empty if none
  std::map<std::string, std::vector<std::string>> inputs;  // port -> node names
  StoredProducts products;

  /// The node feeding `port` (its first one for a list port), or "" when there is none.
  std::string input(const std::string& port) const;
  /// A numeric parameter, or `fallback` when it is absent or not a number.
  double number(const std::string& key, double fallback) const;
  /// A string parameter, or `fallback`.
  std::string text(const std::string& key, const std::string& fallback) const;
};

/// Every node of an archive in run order, with the experiment's declared paper tables.
class ArchiveIndex {
 public:
  explicit ArchiveIndex(const ArchiveReader& reader);

  const ExperimentInfo& experiment() const { return experiment_; }
  const std::vector<std::string>& reproduces() const { return reproduces_; }
  const std::vector<IndexedNode>& nodes() const { return nodes_; }
  /// The node called `name`, or nullptr.
  const IndexedNode* find(const std::string& name) const;
  /// The nodes whose input `port` reads `node`, in run order.
  std::vector<const IndexedNode*> readers_of(const std::string& node,
                                             const std::string& port) const;

  /// The paper's name for a model node ("FC10(1e-4)", "FC100-100-10'", "AE400-10",
  /// "AlexNet"), or the node's own name for a model the paper does not have.
  std::string model_name(const std::string& node) const;
  /// The `source` of the experiment's dataset nodes ("mnist", "fashion-mnist", ...), once each.
  std::vector<std::string> data_sources() const;

 private:
  ExperimentInfo experiment_;
  std::vector<std::string> reproduces_;
  std::vector<IndexedNode> nodes_;
};

}  // namespace blindspot::host
