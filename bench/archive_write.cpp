// What crash safety costs as an archive grows: small nodes appended and flushed one by one.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "archive/archive.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveWriter;
using Clock = std::chrono::steady_clock;

namespace {

/// A small node: a 2x3 table and its row and column names, like an analysis's result.
blindspot::StoredProducts small_product() {
  blindspot::Record record;
  record.attributes["kind"] = "Table";
  record.attributes["title"] = "errors";
  record.tensors["values"] = at::rand({2, 3}, at::kDouble);
  record.strings["rows"] = {"a", "b"};
  record.strings["columns"] = {"x", "y", "z"};
  return {{"table", record}};
}

/// Node attributes for a benchmark node.
blindspot::host::NodeInfo node_info(const std::string& name) {
  blindspot::host::NodeInfo info;
  info.name = name;
  info.plugin = "bench";
  info.plugin_version = "1";
  info.parameters = "{}";
  info.key = name;
  info.status = "complete";
  return info;
}

/// Seconds spent in add_node() writing an archive of `nodes` small nodes (each appended and
/// flushed in turn); creating and finishing the archive are not counted.
double write_archive(const fs::path& dir, int nodes) {
  blindspot::host::ExperimentInfo info;
  info.name = "bench";
  info.status = "running";
  const blindspot::StoredProducts product = small_product();
  ArchiveWriter writer(dir / fmt::format("out{}.h5", nodes), info);
  const auto start = Clock::now();
  for (int node = 0; node < nodes; ++node)
    writer.add_node(node_info(fmt::format("n{}", node)), product);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  writer.finish(info);
  return seconds;
}

/// The machine's load averages (1, 5 and 15 minutes): other work slows every row alike.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace

int main() {
  const fs::path dir = fs::temp_directory_path() / "blindspot-bench-archive";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fmt::print("Writing an archive of N small nodes, each appended and flushed when it is added\n");
  fmt::print("(load average before: {})\n\n", load_average());
  fmt::print(
      "| nodes | seconds in add_node | ms per node | per node / 10-node per node | load |\n");
  fmt::print("|---|---|---|---|---|\n");
  double base = 0.0;
  for (int nodes : {10, 1000, 20000}) {
    const double seconds = write_archive(dir, nodes);
    const double per_node = seconds / nodes;
    if (base == 0.0) base = per_node;
    fmt::print("| {} | {:.2f} | {:.3f} | {:.2f} | {} |\n", nodes, seconds, 1e3 * per_node,
               per_node / base, load_average());
    std::fflush(stdout);
  }
  fs::remove_all(dir);
}
