// `blindspot show` (what an archive holds) and `blindspot report` (its tables and figures).
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "report/figures.hpp"
#include "report/png.hpp"

namespace blindspot::host {

namespace {

/// A table cell: rates as percentages, counts as integers, the rest with four digits.
std::string cell(const std::string& column, double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);  // nan, inf: "does not apply"
  if (column.find("error") != std::string::npos || column.find("rate") != std::string::npos)
    return fmt::format("{:.2f}%", 100.0 * v);
  if (std::abs(v) < 1e15 && v == std::trunc(v)) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{:.4g}", v);
}

std::string markdown(const Table& t) {
  std::string out = fmt::format("**{}**\n\n|", t.title);
  for (const std::string& c : t.columns) out += " | " + c;
  out += " |\n|---|";
  for (std::size_t c = 0; c < t.columns.size(); ++c) out += "---|";
  out += "\n";
  constexpr std::size_t kEnds = 3;  // long tables (training curves): first and last rows
  bool elide = t.rows.size() > 4 * kEnds;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (elide && r == kEnds) out += fmt::format("| ... {} rows ... |\n", t.rows.size() - 2 * kEnds);
    if (elide && r >= kEnds && r + kEnds < t.rows.size()) continue;
    out += "| " + t.rows[r];
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      out += " | " + cell(t.columns[c], t.at(r, c));
    out += " |\n";
  }
  return out;
}

/// One line of key figures for a product.
std::string summary(const Record& record) {
  auto kind = record.attributes.find("kind");
  std::string k = kind == record.attributes.end() ? "?" : kind->second;
  if (k == "Dataset") {
    std::string splits;
    for (const auto& [name, tensor] : record.tensors)
      if (name.size() > 7 && name.compare(name.size() - 7, 7, "/labels") == 0)
        splits += fmt::format("{}{} {}", splits.empty() ? "" : ", ",
                              name.substr(0, name.size() - 7), tensor.size(0));
    return fmt::format("Dataset ({}): {}", record.attributes.at("source"), splits);
  }
  if (k == "Model") {
    std::int64_t weights = 0;
    for (const auto& [name, tensor] : record.tensors) weights += tensor.numel();
    return fmt::format("Model: {} tensors, {} weights", record.tensors.size(), weights);
  }
  if (k == "Table") return fmt::format("Table '{}'", record.attributes.at("title"));
  return k;
}

}  // namespace

int command_show(const std::string& path) {
  ArchiveReader reader(path);
  ExperimentInfo e = reader.experiment();
  fmt::print("experiment  {}\nstatus      {}\nseed        {}\nstarted     {}\nfinished    {}\n",
             e.name, e.status, e.seed, e.started, e.finished.empty() ? "-" : e.finished);
  fmt::print("host        {} ({} threads)\nyaml hash   {}\n", e.host, e.threads, e.yaml_hash);
  for (const auto& [name, version] : e.versions) fmt::print("{:<11} {}\n", name, version);
  std::vector<NodeInfo> nodes = reader.nodes();
  fmt::print("\n{} nodes:\n", nodes.size());
  for (const NodeInfo& n : nodes) {
    fmt::print("  {} ({} {}) {} in {:.1f} s, key {}\n", n.name, n.plugin, n.plugin_version,
               n.status, n.duration, n.key);
    for (const auto& [port, record] : reader.products(n.name)) {
      fmt::print("    {}: {}\n", port, summary(record));
      if (record.attributes.count("kind") && record.attributes.at("kind") == "Table") {
        Table t = Table::load(record);
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
          std::string cells;
          for (std::size_t c = 0; c < t.columns.size(); ++c)
            cells += fmt::format("  {} {}", t.columns[c], cell(t.columns[c], t.at(r, c)));
          if (t.rows.size() <= 12) fmt::print("      {}:{}\n", t.rows[r], cells);
        }
      }
    }
  }
  return 0;
}

int command_report(const std::string& path, const std::string& markdown_file) {
  ArchiveReader reader(path);
  ExperimentInfo e = reader.experiment();
  // With --markdown, figures go to a folder beside the file and the text embeds them.
  const std::filesystem::path file(markdown_file);
  const std::filesystem::path figures =
      file.empty() ? file : file.parent_path() / (file.stem().string() + "_figures");
  std::error_code failed;
  if (!file.empty() && !std::filesystem::create_directories(figures, failed) && failed)
    throw Error(figures.string(), "cannot create the figure folder: " + failed.message());
  std::string out = fmt::format("# {}\n\n", e.name);
  if (e.status != "complete") out += fmt::format("(archive status: {})\n\n", e.status);
  int written = 0;
  for (const NodeInfo& n : reader.nodes())
    for (const auto& [port, record] : reader.products(n.name)) {
      if (record.attributes.count("kind") && record.attributes.at("kind") == "Table")
        out += fmt::format("## {} ({})\n\n{}\n", n.name, n.plugin, markdown(Table::load(record)));
      if (file.empty()) continue;
      if (std::optional<at::Tensor> figure = figure_of(record)) {
        const std::string name = fmt::format("{}-{}.png", n.name, port);
        write_png(figures / name, *figure);
        out += fmt::format("## {} ({})\n\n![{} {}]({}/{})\n\n", n.name, n.plugin, n.name, port,
                           figures.filename().string(), name);
        ++written;
      }
    }
  if (file.empty()) {
    fmt::print("{}", out);
    return 0;
  }
  std::ofstream stream(file);
  stream << out;
  if (!stream) throw Error(file.string(), "cannot write the report");
  fmt::print("report written: {} ({} figures in {})\n", file.string(), written, figures.string());
  return 0;
}

}  // namespace blindspot::host
