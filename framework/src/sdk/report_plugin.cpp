// Report plugins' view of an archive: nodes with their parameters, inputs and products.
#include "blindspot/report_plugin.hpp"

#include <algorithm>

namespace blindspot {

Drawing::~Drawing() = default;
Report::~Report() = default;

std::string ArchivedNode::input(const std::string& port) const {
  const auto it = inputs.find(port);
  return it == inputs.end() || it->second.empty() ? "" : it->second.front();
}

double ArchivedNode::number(const std::string& key, double fallback) const {
  const auto it = parameters.find(key);
  if (it == parameters.end()) return fallback;
  if (it->second.type == ValueType::real) return it->second.real;
  if (it->second.type == ValueType::integer) return static_cast<double>(it->second.integer);
  return fallback;
}

std::string ArchivedNode::text(const std::string& key, const std::string& fallback) const {
  const auto it = parameters.find(key);
  return it == parameters.end() || it->second.type != ValueType::string ? fallback
                                                                        : it->second.string;
}

const Record* ArchivedNode::product(const std::string& port, ProductKind kind) const {
  const auto it = products.find(port);
  return it != products.end() && find_product_kind(it->second) == kind ? &it->second : nullptr;
}

const Record* ArchivedNode::first(ProductKind kind) const {
  for (const auto& [port, record] : products)
    if (find_product_kind(record) == kind) return &record;
  return nullptr;
}

ArchiveView::ArchiveView(std::string experiment, std::vector<ArchivedNode> nodes)
    : experiment_(std::move(experiment)), nodes_(std::move(nodes)) {}

const ArchivedNode* ArchiveView::find(const std::string& name) const {
  for (const ArchivedNode& node : nodes_)
    if (node.name == name) return &node;
  return nullptr;
}

std::vector<const ArchivedNode*> ArchiveView::readers_of(const std::string& node,
                                                         const std::string& port) const {
  std::vector<const ArchivedNode*> out;
  for (const ArchivedNode& reader : nodes_) {
    const auto it = reader.inputs.find(port);
    if (it != reader.inputs.end() &&
        std::find(it->second.begin(), it->second.end(), node) != it->second.end())
      out.push_back(&reader);
  }
  return out;
}

std::string ArchiveView::display_name(const std::string& name) const {
  const ArchivedNode* node = find(name);
  return node ? node->display_name : name;
}

}  // namespace blindspot
