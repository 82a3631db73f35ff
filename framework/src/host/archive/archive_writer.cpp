// ArchiveWriter: every change is made on a copy of the partial that then atomically replaces it.
#include <algorithm>
#include <functional>
#include <system_error>

#include "archive/archive.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "archive/info_io.hpp"
#include "archive/record_io.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace fs = std::filesystem;
namespace {

const char* const kNodes = "nodes";

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) throw Error(to.string(), "cannot rename " + from.string() + ": " + error.message());
}

// The copy a change is written to: "OUT.h5.partial.tmp". Removed unless renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(const fs::path& partial) : path_(partial.string() + ".tmp") {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  /// Atomically replaces `target`: readers see the old file or the new one, never half.
  void rename_to(const fs::path& target) {
    rename_or_throw(path_, target);
    path_.clear();
  }

 private:
  fs::path path_;
};

// Applies `edit` to a copy of the partial, closes the copy, then renames it over the partial.
void edit_partial(const fs::path& partial, const std::function<void(const H5Handle&)>& edit) {
  TemporaryFile tmp(partial);
  std::error_code error;
  fs::copy_file(partial, tmp.path(), fs::copy_options::overwrite_existing, error);
  if (error)
    throw Error(partial.string(), "cannot copy to " + tmp.path().string() + ": " + error.message());
  H5Handle file = open_file_for_update(tmp.path(), partial);
  edit(file);
  close_file(file);
  tmp.rename_to(partial);
}

// One more than the largest `order` of the nodes already in the archive.
std::int64_t next_order(const H5Handle& nodes) {
  std::int64_t next = 0;
  for (const std::string& name : child_names(nodes))
    next = std::max(next, read_node_order(open_group(nodes, name)) + 1);
  return next;
}

}  // namespace

fs::path partial_path_for(const fs::path& final_path) {
  return final_path.string() + ".partial";
}

ArchiveWriter::ArchiveWriter(fs::path final_path, const ExperimentInfo& info)
    : final_(std::move(final_path)), partial_(partial_path_for(final_)) {
  std::error_code failed;
  if (final_.has_parent_path() && !fs::create_directories(final_.parent_path(), failed) && failed)
    throw Error(final_.parent_path().string(),
                "cannot create the archive's folder: " + failed.message());
  TemporaryFile tmp(partial_);
  H5Handle file = create_file(tmp.path(), partial_);
  write_experiment(file, info);
  create_group(file, kNodes);
  close_file(file);
  tmp.rename_to(partial_);
}

void ArchiveWriter::copy_nodes(const fs::path& source, const std::vector<std::string>& nodes) {
  edit_partial(partial_, [&](const H5Handle& file) {
    const H5Handle from_file = open_archive(source);
    const H5Handle from = open_group(from_file, kNodes);
    const H5Handle to = open_group(file, kNodes);
    for (const std::string& name : nodes) {
      if (!has_link(from, name))
        throw Error(source.string(), "cannot copy node '" + name + "': not in this archive");
      const std::int64_t order = next_order(to);
      if (has_link(to, name)) remove_link(to, name);
      check(H5Ocopy(from.id(), name.c_str(), to.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
            "copy node '" + name + "' into " + partial_.string(), source);
      write_node_order(open_group(to, name), order);
    }
  });
}

void ArchiveWriter::add_node(const NodeInfo& node, const StoredProducts& products) {
  edit_partial(partial_, [&](const H5Handle& file) {
    const H5Handle nodes = open_group(file, kNodes);
    const std::int64_t order = next_order(nodes);
    if (has_link(nodes, node.name)) remove_link(nodes, node.name);
    const H5Handle group = create_group(nodes, node.name);
    write_node_info(group, node, order);
    for (const auto& [port, record] : products) write_record(create_group(group, port), record);
  });
}

void ArchiveWriter::finish(const ExperimentInfo& info) {
  edit_partial(partial_, [&](const H5Handle& file) { write_experiment(file, info); });
  rename_or_throw(partial_, final_);
}

}  // namespace blindspot::host
