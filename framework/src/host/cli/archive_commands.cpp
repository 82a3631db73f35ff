// `blindspot show` (what an archive holds) and `blindspot report` (its tables and figures).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "archive/archive.hpp"
#include "cli/archive_json.hpp"
#include "cli/commands.hpp"
#include "cli/print_json.hpp"
#include "cli/product_lines.hpp"
#include "loader/registry.hpp"
#include "report/png.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace blindspot::host {

namespace {

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

int command_show(const std::string& path, const PluginOptions& options,
                 const OutputOptions& print) {
  Registry registry;  // declared first: the kinds its plugins define outlive every record read
  registry.load_default_locations(options.plugin_paths);
  ArchiveReader reader(path);
  const ExperimentInfo e = reader.experiment();
  const std::vector<NodeInfo> nodes = reader.nodes();
  std::vector<StoredProducts> products;  // all read (and checked) before anything is printed
  for (const NodeInfo& n : nodes) products.push_back(reader.products(n.name));
  if (print.json) {
    print_json(archive_json(path, e, nodes, products));
    return 0;
  }
  std::string header = fmt::format(
      "experiment  {}\nstatus      {}\nseed        {}\nstarted     {}\nfinished    {}\n", e.name,
      e.status, e.seed, e.started, e.finished.empty() ? "-" : e.finished);
  header +=
      fmt::format("host        {} ({} threads{})\nyaml hash   {}\n", e.host, e.threads,
                  e.ranks > 1 ? fmt::format(" on each of {} MPI ranks", e.ranks) : "", e.yaml_hash);
  for (const auto& [name, version] : e.versions)
    header += fmt::format("{:<11} {}\n", name, version);
  fmt::print("{}", header);
  fmt::print("\n{} nodes:\n", nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& n = nodes[i];
    fmt::print("  {} ({} {}) {} in {:.1f} s, key {}\n", n.name, n.plugin, n.plugin_version,
               n.status, n.duration, n.key);
    for (const auto& [port, record] : products[i]) {
      fmt::print("    {}: {}\n", port, product_summary(record));
      for (const std::string& line : product_details(record)) fmt::print("      {}\n", line);
    }
  }
  return 0;
}

int command_report(const std::string& path, const ReportOptions& options,
                   const PluginOptions& plugins, const OutputOptions& print) {
  Registry registry;  // declared first: the kinds its plugins define outlive every record read
  registry.load_default_locations(plugins.plugin_paths);
  const ArchiveIndex index(ArchiveReader(path), registry);
  const fs::path file(options.markdown_file), html_dir(options.html_dir);
  const SampleChoice choice = SampleChoice::parse(options.samples);  // checked even if unused
  std::optional<SampleChoice> figures;
  if (!file.empty() || !html_dir.empty()) figures = choice;
  const Document document = build_report(index, registry, figures);
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
    if (!print.quiet)
      fmt::print("report written: {} ({} figures in {})\n", file.string(), written,
                 figures.string());
  }
  if (!html_dir.empty()) {
    create_folder(html_dir);
    write_text(html_dir / "index.html", to_html(document));
    if (!print.quiet)
      fmt::print("report written: {} (figures embedded)\n", (html_dir / "index.html").string());
  }
  return 0;
}

}  // namespace blindspot::host
