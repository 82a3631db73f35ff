// ArchiveReader: reopens the archive read-only for each question, so no HDF5 state is kept.
// Archives are untrusted: names and products are checked, and every error names file and node.
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "archive/archive.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "archive/info_io.hpp"
#include "archive/product_check.hpp"
#include "archive/read_watchdog.hpp"
#include "archive/record_io.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// Runs `read`; an Error it throws is said again naming the file and `what` was being read,
// with what to do about a damaged archive.
template <class F>
auto read_part(const std::filesystem::path& path, const std::string& what, F read) {
  const ReadWatchdog watchdog(path, what);
  try {
    return read();
  } catch (const Error& e) {
    throw Error(path.string(), what + ": " + e.message() +
                                   "; the archive is damaged: move it aside (a run with "
                                   "--resume then recomputes what it held)");
  } catch (const std::exception& e) {
    throw Error(path.string(),
                what + ": unreadable (" + e.what() + "); the archive is damaged: move it aside");
  }
}

}  // namespace

ArchiveReader::ArchiveReader(std::filesystem::path path) : path_(std::move(path)) {
  const ReadWatchdog watchdog(path_);
  const H5Handle file = open_archive(path_);
  const std::int64_t format = read_part(path_, "/experiment", [&] { return read_format(file); });
  if (format > kArchiveFormat || format < 1)
    throw Error(path_.string(),
                fmt::format("archive format {}, and this blindspot reads formats 1 to {}: open it "
                            "with the blindspot that wrote it (see /experiment's "
                            "version_blindspot), or re-make it with `blindspot run`",
                            format, kArchiveFormat));
}

ExperimentInfo ArchiveReader::experiment() const {
  return read_part(path_, "/experiment", [&] {
    ExperimentInfo info = read_experiment(open_archive(path_));
    check_safe_name("experiment", info.name);
    return info;
  });
}

std::vector<NodeInfo> ArchiveReader::nodes() const {
  const std::vector<std::string> names = read_part(
      path_, "/nodes", [&] { return child_names(open_group(open_archive(path_), "nodes")); });
  const ReadWatchdog watchdog(path_);
  const H5Handle file = open_archive(path_);
  const H5Handle group = open_group(file, "nodes");
  std::vector<std::pair<std::int64_t, NodeInfo>> found;
  for (const std::string& name : names)
    found.push_back(read_part(path_, "node '" + name + "'", [&] {
      check_safe_name("node", name);
      const H5Handle node = open_group(group, name);
      return std::make_pair(read_node_order(node), read_node_info(node, name));
    }));
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<NodeInfo> nodes;
  for (auto& entry : found) nodes.push_back(std::move(entry.second));
  return nodes;
}

StoredProducts ArchiveReader::products(const std::string& node) const {
  const ReadWatchdog watchdog(path_);
  const H5Handle file = open_archive(path_);
  const H5Handle nodes = open_group(file, "nodes");
  if (!has_link(nodes, node)) throw Error(path_.string(), "no node '" + node + "' in the archive");
  StoredProducts products;
  const std::vector<std::string> ports =
      read_part(path_, "node '" + node + "'", [&] { return child_names(open_group(nodes, node)); });
  for (const std::string& port : ports)
    products[port] = read_part(path_, "node '" + node + "', output '" + port + "'", [&] {
      Record record = read_record(open_group(nodes, node + "/" + port));
      check_product(record);
      return record;
    });
  return products;
}

}  // namespace blindspot::host
