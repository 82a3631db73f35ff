// How much crash safety costs: adding a node to archives of growing size, versus copying alone.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "archive/archive.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveWriter;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A node holding one float32 tensor of `megabytes`.
blindspot::StoredProducts product(double megabytes) {
  blindspot::Record record;
  record.attributes["kind"] = "Table";
  record.tensors["values"] = at::rand({static_cast<std::int64_t>(megabytes * 262144)});
  return {{"out", record}};
}

/// Node attributes for a benchmark node.
blindspot::host::NodeInfo node_info(const std::string& name) {
  blindspot::host::NodeInfo info;
  info.name = name;
  info.plugin = "bench";
  info.status = "complete";
  return info;
}

}  // namespace

int main() {
  fs::path dir = fs::temp_directory_path() / "blindspot-bench-archive";
  fs::remove_all(dir);
  fs::create_directories(dir);
  blindspot::host::ExperimentInfo info;
  info.name = "bench";
  ArchiveWriter writer(dir / "out.h5", info);
  fmt::print("Adding a 1 MB node to an archive that already holds N MB (copy, write, rename)\n\n");
  fmt::print("| archive MB | add_node ms | copy alone ms | copy share | ms per archive MB |\n");
  fmt::print("|---|---|---|---|---|\n");
  int node = 0;
  for (double held : {0.0, 10.0, 50.0, 200.0}) {
    while (fs::file_size(writer.partial_path()) < held * 1048576)
      writer.add_node(node_info(fmt::format("filler{}", node++)), product(10.0));
    double archive_mb = fs::file_size(writer.partial_path()) / 1048576.0;
    auto start = Clock::now();
    writer.add_node(node_info(fmt::format("probe{}", node++)), product(1.0));
    double add = seconds_since(start);
    start = Clock::now();
    fs::copy_file(writer.partial_path(), dir / "copy.h5", fs::copy_options::overwrite_existing);
    double copy = seconds_since(start);
    fmt::print("| {:.0f} | {:.1f} | {:.1f} | {:.0f}% | {:.2f} |\n", archive_mb, 1e3 * add,
               1e3 * copy, 100 * copy / add, archive_mb > 1 ? 1e3 * add / archive_mb : 0.0);
  }
  fs::remove_all(dir);
}
