// `blindspot show` (what an archive holds) and `blindspot report` (its tables and figures).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "loader/registry.hpp"
#include "report/png.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace blindspot::host {

namespace {

/// One line of key figures for a product, by its kind; a kind no loaded plugin defines is
/// named as archived.
std::string summary(const Record& record) {
  if (const ProductKind kind = find_product_kind(record)) return kind->summary(record);
  const auto name = record.attributes.find("kind");
  return fmt::format("{} (a kind no loaded plugin defines)",
                     name == record.attributes.end() ? "?" : name->second);
}

/// The lines a product's kind shows under its summary.
std::vector<std::string> details(const Record& record) {
  const ProductKind kind = find_product_kind(record);
  return kind ? kind->details(record) : std::vector<std::string>{};
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

int command_show(const std::string& path, const PluginOptions& options) {
  Registry registry;  // declared first: the kinds its plugins define outlive every record read
  registry.load_default_locations(options.plugin_paths);
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
      for (const std::string& line : details(record)) fmt::print("      {}\n", line);
    }
  }
  return 0;
}

int command_report(const std::string& path, const ReportOptions& options,
                   const PluginOptions& plugins) {
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
