// ArchiveWriter: the partial stays open; each node is appended, then flushed.
#include <algorithm>
#include <system_error>

#include "archive/archive.hpp"
#include "archive/dimension_scales.hpp"
#include "archive/h5_dataset.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "archive/info_io.hpp"
#include "archive/record_io.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace fs = std::filesystem;
namespace {

const char* const kNodes = "nodes";
// Room reserved for a node's groups, attributes and its entry in /nodes, beside its data.
constexpr std::uint64_t kNodeOverhead = 64 * 1024;
// Room reserved per dataset or attribute for its object header and name.
constexpr std::uint64_t kItemOverhead = 4 * 1024;

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) throw ArchiveWriteError(to, "cannot rename " + from.string() + ": " + error.message());
}

// Generous upper bound of the bytes a node takes in the file.
std::uint64_t size_bound(const StoredProducts& products) {
  std::uint64_t bytes = kNodeOverhead;
  for (const auto& [port, record] : products) {
    // A chunked dataset that does not compress is stored raw, plus its chunk index.
    for (const auto& [name, tensor] : record.tensors)
      bytes += tensor.nbytes() + tensor.nbytes() / 64 + kItemOverhead;
    bytes += record.dimensions.size() * kItemOverhead;
    for (const auto& [name, values] : record.strings) {
      bytes += kItemOverhead;
      for (const std::string& value : values) bytes += value.size() + 32;
    }
    for (const auto& [name, value] : record.attributes)
      bytes += attribute_text(value).size() + kItemOverhead;
  }
  return bytes;
}

// Throws the Error write_record() would, before anything is written.
void check_node_storable(const fs::path& file, const NodeInfo& node,
                         const StoredProducts& products) {
  for (const auto& [port, record] : products) {
    const std::string where = "/nodes/" + node.name + "/" + port;
    for (const auto& [name, tensor] : record.tensors)
      check_storable(tensor, where + "/" + name, file);
    check_dimensions(record, where, file);
  }
}

// Copies the reused nodes into `file`, in order; returns how many it copied.
std::int64_t copy_reused(const H5Handle& file, const ReusedNodes& reused) {
  const H5Handle from_file = open_archive(reused.source);
  const H5Handle from = open_group(from_file, kNodes);
  const H5Handle to = open_group(file, kNodes);
  std::int64_t order = 0;
  for (const std::string& name : reused.nodes) {
    if (!has_link(from, name))
      throw Error(reused.source.string(), "cannot copy node '" + name + "': not in this archive");
    check(H5Ocopy(from.id(), name.c_str(), to.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
          "copy node '" + name + "' into " + file.file().string(), reused.source);
    const H5Handle copy = open_group(to, name);
    reattach_dimensions(open_group(from, name), copy);
    write_node_order(copy, order++);
  }
  return order;
}

}  // namespace

fs::path partial_path_for(const fs::path& final_path) {
  return final_path.string() + ".partial";
}

ArchiveWriter::ArchiveWriter(fs::path final_path, const ExperimentInfo& info,
                             const ReusedNodes& reused)
    : final_(std::move(final_path)), partial_(partial_path_for(final_)) {
  std::error_code failed;
  if (final_.has_parent_path() && !fs::create_directories(final_.parent_path(), failed) && failed)
    throw Error(final_.parent_path().string(),
                "cannot create the archive's folder: " + failed.message());
  const fs::path building = partial_.string() + ".tmp";
  try {
    file_ = std::make_unique<H5Handle>(create_file(building, partial_));
    std::error_code no_size;
    const std::uintmax_t source_size =
        reused.nodes.empty() ? 0 : fs::file_size(reused.source, no_size);
    reserve_space(*file_, kNodeOverhead + (no_size ? 0 : source_size));
    write_experiment(*file_, info);
    create_group(*file_, kNodes);
    next_order_ = reused.nodes.empty() ? 0 : copy_reused(*file_, reused);
    flush_file(*file_);
  } catch (...) {
    if (file_) abandon_file(*file_);
    file_.reset();
    fs::remove(building, failed);
    throw;
  }
  flushed_size_ = fs::file_size(building, failed);
  rename_or_throw(building, partial_);  // HDF5 keeps writing through its open descriptor
}

ArchiveWriter::~ArchiveWriter() {
  if (file_) file_->close();
}

void ArchiveWriter::change(const std::string& what, std::uint64_t bytes,
                           const std::function<void()>& edit) {
  if (failed_ || !file_)
    throw ArchiveWriteError(partial_,
                            "cannot " + what + ": the archive was closed after a failure");
  try {
    reserve_space(*file_, bytes);
    edit();
    flush_file(*file_);
  } catch (const ArchiveWriteError& e) {
    fail(what, e.reason());
  } catch (const Error& e) {
    fail(what, e.message());
  } catch (const std::exception& e) {
    fail(what, e.what());
  }
  std::error_code ignored;
  flushed_size_ = fs::file_size(partial_, ignored);
}

void ArchiveWriter::fail(const std::string& what, const std::string& reason) {
  abandon();
  throw ArchiveWriteError(partial_, "cannot " + what + ": " + reason);
}

void ArchiveWriter::abandon() noexcept {
  failed_ = true;
  if (file_) abandon_file(*file_);
  file_.reset();
  std::error_code ignored;  // trims the reserved space and what the failed change wrote there
  if (flushed_size_ > 0 && fs::file_size(partial_, ignored) > flushed_size_)
    fs::resize_file(partial_, flushed_size_, ignored);
}

void ArchiveWriter::add_node(const NodeInfo& node, const StoredProducts& products) {
  check_node_storable(partial_, node, products);
  change("write node '" + node.name + "'", size_bound(products), [&] {
    const H5Handle nodes = open_group(*file_, kNodes);
    if (has_link(nodes, node.name)) remove_link(nodes, node.name);
    const H5Handle group = create_group(nodes, node.name);
    write_node_info(group, node, next_order_);
    for (const auto& [port, record] : products) write_record(create_group(group, port), record);
  });
  ++next_order_;
}

void ArchiveWriter::finish(const ExperimentInfo& info) {
  change("record the end of the run", kNodeOverhead, [&] { write_experiment(*file_, info); });
  std::uint64_t end = 0;
  try {
    end = allocated_end(*file_);
    close_file(*file_);
  } catch (const Error& e) {
    fail("close", e.message());
  }
  file_.reset();
  std::error_code ignored;  // the room reserved past the end is not part of the archive
  if (fs::file_size(partial_, ignored) > end) fs::resize_file(partial_, end, ignored);
  rename_or_throw(partial_, final_);
}

}  // namespace blindspot::host
