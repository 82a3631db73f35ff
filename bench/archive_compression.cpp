// What compressing the archive costs and saves: every product of an archive (by default
// results/table1.h5) written again by ArchiveWriter (format 2: large datasets chunked,
// shuffled and deflated), against the same tensors written contiguously, uncompressed, as
// format 1 stored them, in the same process.
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <hdf5.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "archive/archive.hpp"

namespace fs = std::filesystem;
using namespace blindspot::host;
using Clock = std::chrono::steady_clock;

namespace {

/// The machine's load averages (1, 5 and 15 minutes): other work slows every row alike.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

hid_t native_type(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
      return H5T_NATIVE_FLOAT;
    case at::kDouble:
      return H5T_NATIVE_DOUBLE;
    case at::kLong:
      return H5T_NATIVE_INT64;
    default:
      return H5T_NATIVE_UINT8;
  }
}

/// Seconds to write every tensor of `nodes` as contiguous datasets (format 1's layout; the
/// strings and attributes, a few kB, are left out), flushing after each node as the writer does.
double write_contiguous(const fs::path& file, const std::vector<NodeInfo>& nodes,
                        const std::vector<blindspot::StoredProducts>& products) {
  const auto start = Clock::now();
  const hid_t out = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& [port, record] : products[i])
      for (const auto& [name, tensor] : record.tensors) {
        const at::Tensor data =
            tensor.to(tensor.scalar_type() == at::kBool ? at::kByte : tensor.scalar_type())
                .contiguous();
        const std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
        const hid_t space =
            dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        const std::string path = "nodes/" + nodes[i].name + "/" + port + "/" + name;
        const hid_t dataset =
            H5Dcreate2(out, path.c_str(), native_type(data), space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
        if (data.numel() > 0)
          H5Dwrite(dataset, native_type(data), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr());
        H5Dclose(dataset);
        H5Sclose(space);
      }
    H5Fflush(out, H5F_SCOPE_GLOBAL);
  }
  H5Pclose(lcpl);
  H5Fclose(out);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Seconds ArchiveWriter takes to write `nodes` (created, every node added, finished).
double write_archive(const fs::path& file, const ExperimentInfo& info,
                     const std::vector<NodeInfo>& nodes,
                     const std::vector<blindspot::StoredProducts>& products) {
  const auto start = Clock::now();
  ArchiveWriter writer(file, info);
  for (std::size_t i = 0; i < nodes.size(); ++i) writer.add_node(nodes[i], products[i]);
  writer.finish(info);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double megabytes(const fs::path& file) {
  return static_cast<double>(fs::file_size(file)) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path source = argc > 1 ? argv[1] : "results/table1.h5";
  const ArchiveReader reader(source);
  const std::vector<NodeInfo> nodes = reader.nodes();
  std::vector<blindspot::StoredProducts> products;
  for (const NodeInfo& node : nodes) products.push_back(reader.products(node.name));
  const fs::path dir = fs::temp_directory_path() / "blindspot-bench-compression";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fmt::print("Writing the {} nodes of {} again (load average before: {})\n\n", nodes.size(),
             source.string(), load_average());
  fmt::print("| layout | seconds | MB | time / contiguous | size / contiguous | load |\n");
  fmt::print("|---|---|---|---|---|---|\n");
  const fs::path plain = dir / "contiguous.h5", packed = dir / "archive.h5";
  const double plain_seconds = write_contiguous(plain, nodes, products);
  const std::string plain_load = load_average();
  const double packed_seconds = write_archive(packed, reader.experiment(), nodes, products);
  fmt::print("| contiguous, uncompressed (format 1) | {:.2f} | {:.1f} | 1.00 | 1.00 | {} |\n",
             plain_seconds, megabytes(plain), plain_load);
  fmt::print(
      "| ArchiveWriter: shuffle + deflate 4 (format 2) | {:.2f} | {:.1f} | {:.2f} | {:.2f} "
      "| {} |\n",
      packed_seconds, megabytes(packed), packed_seconds / plain_seconds,
      megabytes(packed) / megabytes(plain), load_average());
  fs::remove_all(dir);
}
