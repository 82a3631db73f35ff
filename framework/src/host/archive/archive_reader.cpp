// ArchiveReader: reopens the archive read-only for each question, so no HDF5 state is kept.
#include <algorithm>
#include <utility>

#include "archive/archive.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "archive/info_io.hpp"
#include "archive/record_io.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {

ArchiveReader::ArchiveReader(std::filesystem::path path) : path_(std::move(path)) {
  open_archive(path_);
}

ExperimentInfo ArchiveReader::experiment() const {
  return read_experiment(open_archive(path_));
}

std::vector<NodeInfo> ArchiveReader::nodes() const {
  const H5Handle file = open_archive(path_);
  const H5Handle group = open_group(file, "nodes");
  std::vector<std::pair<std::int64_t, NodeInfo>> found;
  for (const std::string& name : child_names(group)) {
    const H5Handle node = open_group(group, name);
    found.emplace_back(read_node_order(node), read_node_info(node, name));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<NodeInfo> nodes;
  for (auto& entry : found) nodes.push_back(std::move(entry.second));
  return nodes;
}

StoredProducts ArchiveReader::products(const std::string& node) const {
  const H5Handle file = open_archive(path_);
  const H5Handle nodes = open_group(file, "nodes");
  if (!has_link(nodes, node)) throw Error(path_.string(), "no node '" + node + "' in the archive");
  const H5Handle group = open_group(nodes, node);
  StoredProducts products;
  for (const std::string& port : child_names(group))
    products[port] = read_record(open_group(group, port));
  return products;
}

}  // namespace blindspot::host
