// `blindspot report` on an experiment that declares `reproduces:`: the paper's tables in its
// layout, each of our cells next to the paper's number, and the same report as one HTML page.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <hdf5.h>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "archive/archive.hpp"
#include "archive/h5_attribute.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "blindspot/products.hpp"
#include "data/idx.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::Table;
using blindspot::host::ArchiveReader;
using blindspot::test_support::read_text;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// A value of a node's table, found by row and column name.
double table_value(const ArchiveReader& archive, const std::string& node, const std::string& port,
                   const std::string& row, const std::string& column) {
  const Table table = Table::load(archive.products(node).at(port));
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.rows[r] == row && table.columns[c] == column) return table.at(r, c);
  FAIL("no cell ", row, "/", column, " in ", node);
  return 0;
}

/// The mean distortion of an attack's successful samples, from the archived tensors.
double mean_success_distortion(const ArchiveReader& archive, const std::string& node) {
  const blindspot::Record set = archive.products(node).at("adversarial");
  double sum = 0;
  int count = 0;
  for (std::int64_t i = 0; i < set.tensors.at("success").size(0); ++i)
    if (set.tensors.at("success")[i].item<int>() == 1) {
      sum += set.tensors.at("distortion")[i].item<double>();
      ++count;
    }
  REQUIRE(count > 0);
  return sum / count;
}

/// A test-local base64 decoder, to check the HTML page's embedded figures byte for byte.
std::string decode_base64(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

/// Makes `archive` as archives were before edges were recorded: no node has `inputs`.
void drop_edges(const fs::path& archive) {
  const std::vector<blindspot::host::NodeInfo> nodes = ArchiveReader(archive).nodes();
  const hid_t file = H5Fopen(archive.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const blindspot::host::NodeInfo& node : nodes) {
    REQUIRE(node.inputs.has_value());
    CHECK(H5Adelete_by_name(file, ("nodes/" + node.name).c_str(), "inputs", H5P_DEFAULT) >= 0);
  }
  H5Fclose(file);
  for (const blindspot::host::NodeInfo& node : ArchiveReader(archive).nodes())
    CHECK_FALSE(node.inputs.has_value());
}

}  // namespace

TEST_CASE("report lays out the declared paper tables with the paper's number beside ours") {
  TempDir tmp("paper-report");
  const fs::path dir = tmp.path();
  at::manual_seed(7);
  fs::create_directories(dir / "pool");
  // Learnable digits: class k is a bright band at rows 4 + 2k, over faint noise.
  const at::Tensor labels = at::arange(300, at::kLong).remainder(10);
  at::Tensor images = at::randint(0, 60, {300, 28, 28}, at::kLong);
  for (std::int64_t i = 0; i < 300; ++i)
    images[i].narrow(0, 4 + 2 * labels[i].item<std::int64_t>(), 2).fill_(255);
  blindspot::host::write_idx(dir / "pool/images-idx3-ubyte", images.to(at::kByte));
  blindspot::host::write_idx(dir / "pool/labels-idx1-ubyte", labels.to(at::kByte));
  std::ofstream(dir / "p.yaml")
      << "experiment: p\nseed: 3\nreproduces: [table1, table2, table3, table4]\nnodes:\n"
      << "  data:\n    plugin: dataset\n    with: {source: idx, path: " << (dir / "pool").string()
      << ", train: 200, test: 100, halves: true}\n"
      << "  fc10a: {plugin: softmax, inputs: {data: data}, with: {lambda: 1.0e-4, epochs: 2}}\n"
      << "  fc10b: {plugin: softmax, inputs: {data: data}, with: {lambda: 1.0e-2, epochs: 2}}\n"
      << "  fc-p2:\n    plugin: mlp\n    inputs: {data: data}\n"
      << "    with: {hidden: [100, 100], split: p2, epochs: 1}\n"
      << "  errors-a: {plugin: evaluate, inputs: {model: fc10a, data: data}}\n"
      << "  errors-p2:\n    plugin: evaluate\n    inputs: {model: fc-p2, data: data}\n"
      << "    with: {splits: [p1, p2, test]}\n"
      << "  attack-a: {plugin: szegedy, inputs: {model: fc10a, data: data}, with: {count: 6}}\n"
      << "  attack-b: {plugin: szegedy, inputs: {model: fc10b, data: data}, with: {count: 6}}\n"
      << "  noise:\n    plugin: gaussian\n    inputs: {model: fc10a, data: data}\n"
      << "    with: {count: 6, stddev: 0.1}\n"
      << "  louder:\n    plugin: amplify\n    inputs: {set: attack-a, model: fc10a}\n"
      << "  across:\n    plugin: transfer\n"
      << "    inputs: {sets: [attack-a, attack-b], baselines: [noise], models: [fc10a, fc10b]}\n";
  auto run = run_blindspot("run " + (dir / "p.yaml").string() + " -o " + (dir / "p.h5").string() +
                           " --threads 1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const ArchiveReader archive(dir / "p.h5");
  auto report = run_blindspot("report " + (dir / "p.h5").string());
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string& text = report.output;

  // Table 1: FC10(1e-4)'s errors from its evaluate node, the attack's mean distortion over its
  // successes, each beside the paper's 6.7%, 7.4% and 0.062.
  CHECK(text.find("## Table 1 as in the paper") != std::string::npos);
  const std::string table1_row =
      fmt::format("| FC10(1e-4) | {:.2f}% (6.7%) | {:.2f}% (7.4%) | {:.4f} (0.062) |",
                  100 * table_value(archive, "errors-a", "errors", "train", "error"),
                  100 * table_value(archive, "errors-a", "errors", "test", "error"),
                  mean_success_distortion(archive, "attack-a"));
  CHECK(text.find(table1_row) != std::string::npos);
  // FC10(1e-2) has an attack but no evaluate node: its errors are "-", its distortion is there.
  CHECK(text.find(fmt::format("| FC10(1e-2) | - (10%) | - (9.4%) | {:.4f} (0.1) |",
                              mean_success_distortion(archive, "attack-b"))) != std::string::npos);

  // Table 2: columns named as the paper's models; the paper's cell for examples made for
  // FC10(1e-2) fed to FC10(1e-4) is 87.1%; the noise row is named by its stddev.
  CHECK(text.find("| made for \\ fed to | FC10(1e-4) | FC10(1e-2) | av. distortion |") !=
        std::string::npos);
  CHECK(text.find(fmt::format("| FC10(1e-2) | {:.1f}% (87.1%) | {:.1f}% (100%) |",
                              100 * table_value(archive, "across", "transfer", "attack-b", "fc10a"),
                              100 * table_value(archive, "across", "transfer", "attack-b",
                                                "fc10b"))) != std::string::npos);
  CHECK(text.find(fmt::format(
            "| Gaussian noise, stddev 0.1 | {:.1f}% (5.0%) | {:.1f}% (10.1%) | {:.4f} (0.1) |",
            100 * table_value(archive, "across", "transfer", "noise", "fc10a"),
            100 * table_value(archive, "across", "transfer", "noise", "fc10b"),
            table_value(archive, "across", "transfer", "noise", "distortion"))) !=
        std::string::npos);

  // Table 3: the MLP trained on P2 is the paper's FC100-100-10' (errors on P1, P2, test).
  CHECK(text.find(fmt::format(
            "| FC100-100-10' trained on P2 | {:.2f}% (2.3%) | {:.2f}% (0%) | {:.2f}% (2.1%) | - "
            "(0.058) |",
            100 * table_value(archive, "errors-p2", "errors", "p1", "error"),
            100 * table_value(archive, "errors-p2", "errors", "p2", "error"),
            100 * table_value(archive, "errors-p2", "errors", "test", "error"))) !=
        std::string::npos);

  // Table 4's labels; the paper has no FC10 row there, so those cells are ours alone.
  CHECK(text.find("| distorted for FC10(1e-4) | 100.0% |") != std::string::npos);
  // The data is not MNIST: the report says the paper's numbers are a pattern to compare.
  CHECK(text.find("this experiment's data is 'idx'") != std::string::npos);
  // Nodes' own tables follow.
  CHECK(text.find("## errors-p2 (evaluate)") != std::string::npos);

  // The archive records the graph's edges; an archive from before that has the same report,
  // its edges read from the archived YAML.
  std::optional<std::map<std::string, std::vector<std::string>>> across_inputs;
  for (const blindspot::host::NodeInfo& node : archive.nodes())
    if (node.name == "across") across_inputs = node.inputs;
  CHECK(across_inputs == std::map<std::string, std::vector<std::string>>{
                             {"sets", {"attack-a.adversarial", "attack-b.adversarial"}},
                             {"baselines", {"noise.adversarial"}},
                             {"models", {"fc10a.model", "fc10b.model"}}});
  fs::copy_file(dir / "p.h5", dir / "old.h5");
  drop_edges(dir / "old.h5");
  const auto old_report = run_blindspot("report " + (dir / "old.h5").string());
  CHECK(old_report.exit_code == 0);
  CHECK(old_report.output == text);
  // Edges that do not parse are a damaged archive: one line naming file, node and line; exit 2.
  fs::copy_file(dir / "p.h5", dir / "bad.h5");
  {
    blindspot::host::H5Handle file = blindspot::host::open_file_for_update(dir / "bad.h5");
    blindspot::host::write_attribute(blindspot::host::open_group(file, "nodes/across"), "inputs",
                                     std::string("sets attack-a.adversarial"));
    blindspot::host::close_file(file);
  }
  const auto bad = run_blindspot("report " + (dir / "bad.h5").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output == "blindspot: " + (dir / "bad.h5").string() +
                          ": node 'across': its inputs hold the line 'sets attack-a.adversarial'; "
                          "expected PORT=NODE.PORT; the archive is damaged: move it aside (a run "
                          "with --resume then recomputes what it held)\n");

  // --html: one page, tables and figures inline; the embedded PNG is the one --markdown writes.
  auto html = run_blindspot("report " + (dir / "p.h5").string() + " --html " +
                            (dir / "page").string() + " --markdown " + (dir / "p.md").string());
  INFO(html.output);
  REQUIRE(html.exit_code == 0);
  const std::string page = read_text(dir / "page/index.html");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<caption>Table 1: models trained on MNIST") != std::string::npos);
  CHECK(page.find("<th>FC10(1e-4)</th>") != std::string::npos);
  const std::string figure = read_text(dir / "p_figures/attack-a-adversarial.png");
  const std::string marker = "<img src=\"data:image/png;base64,";
  std::size_t found = std::string::npos;
  for (std::size_t at = page.find(marker); at != std::string::npos;
       at = page.find(marker, at + 1)) {
    const std::size_t start = at + marker.size();
    if (decode_base64(page.substr(start, page.find('"', start) - start)) == figure) found = at;
  }
  CHECK(found != std::string::npos);
  CHECK(page.find("src=\"http") == std::string::npos);  // nothing fetched from elsewhere

  auto unwritable = run_blindspot("report " + (dir / "p.h5").string() + " --html /proc/nope/x");
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.output.find("/proc/nope/x: cannot create the folder") != std::string::npos);
}
