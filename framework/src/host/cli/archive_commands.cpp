// `blindspot show` (what an archive holds) and `blindspot report` (its tables and figures).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "report/png.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace blindspot::host {

namespace {

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
  if (k == "AdversarialSet") {
    const SetFacts f = set_facts(record);
    return fmt::format(
        "AdversarialSet: {} samples, {} successes, {} misclassified before{}", f.samples,
        f.successes, f.misclassified_before,
        f.successes == 0 ? ""
                         : fmt::format(", mean distortion of successes {:.4f}", f.mean_distortion));
  }
  return k;
}

void create_folder(const fs::path& folder) {
  std::error_code failed;
  if (!fs::create_directories(folder, failed) && failed)
    throw Error(folder.string(), "cannot create the folder: " + failed.message());
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream stream(file);
  stream << text;
  if (!stream) throw Error(file.string(), "cannot write the report");
}

}  // namespace

int command_show(const std::string& path) {
  ArchiveReader reader(path);
  ExperimentInfo e = reader.experiment();
  std::string header = fmt::format(
      "experiment  {}\nstatus      {}\nseed        {}\nstarted     {}\nfinished    {}\n", e.name,
      e.status, e.seed, e.started, e.finished.empty() ? "-" : e.finished);
  header +=
      fmt::format("host        {} ({} threads)\nyaml hash   {}\n", e.host, e.threads, e.yaml_hash);
  for (const auto& [name, version] : e.versions)
    header += fmt::format("{:<11} {}\n", name, version);
  const std::vector<NodeInfo> nodes = reader.nodes();
  std::vector<StoredProducts> products;  // all read (and checked) before anything is printed
  for (const NodeInfo& n : nodes) products.push_back(reader.products(n.name));
  fmt::print("{}", header);
  fmt::print("\n{} nodes:\n", nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& n = nodes[i];
    fmt::print("  {} ({} {}) {} in {:.1f} s, key {}\n", n.name, n.plugin, n.plugin_version,
               n.status, n.duration, n.key);
    for (const auto& [port, record] : products[i]) {
      fmt::print("    {}: {}\n", port, summary(record));
      if (record.attributes.count("kind") && record.attributes.at("kind") == "Table") {
        Table t = Table::load(record);
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
          std::string cells;
          for (std::size_t c = 0; c < t.columns.size(); ++c)
            cells += fmt::format("  {} {}", t.columns[c],
                                 format_cell(t.title, t.columns[c], t.at(r, c)));
          if (t.rows.size() <= 12) fmt::print("      {}:{}\n", t.rows[r], cells);
        }
      }
    }
  }
  return 0;
}

int command_report(const std::string& path, const ReportOptions& options) {
  const ArchiveIndex index{ArchiveReader(path)};
  const fs::path file(options.markdown_file), html_dir(options.html_dir);
  const SampleChoice choice = SampleChoice::parse(options.samples);  // checked even if unused
  std::optional<SampleChoice> figures;
  if (!file.empty() || !html_dir.empty()) figures = choice;
  const Document document = build_report(index, figures);
  if (file.empty() && html_dir.empty()) {
    fmt::print("{}", to_markdown(document, ""));
    return 0;
  }
  if (!file.empty()) {
    // Figures go to a folder beside the file, which the text links to.
    const fs::path figures = file.parent_path() / (file.stem().string() + "_figures");
    int written = 0;
    create_folder(figures);
    for (const Section& section : document.sections)
      for (const Figure& figure : section.figures) {
        write_file(figures / figure.file, figure.png);
        ++written;
      }
    write_text(file, to_markdown(document, figures.filename().string()));
    fmt::print("report written: {} ({} figures in {})\n", file.string(), written, figures.string());
  }
  if (!html_dir.empty()) {
    create_folder(html_dir);
    write_text(html_dir / "index.html", to_html(document));
    fmt::print("report written: {} (figures embedded)\n", (html_dir / "index.html").string());
  }
  return 0;
}

}  // namespace blindspot::host
