// The report of an archive as a Document: the tables it reproduces, every node's products.
#include "report/report.hpp"

#include <fmt/format.h>

#include "report/plot.hpp"
#include "report/png.hpp"
#include "report/tile_grid.hpp"

namespace blindspot::host {

namespace {

/// The host's drawing: tile grids, charts and histograms as PNG bytes.
class PngDrawing final : public Drawing {
 public:
  std::vector<unsigned char> tiles(const std::vector<TileRow>& rows) override {
    return encode_png(tile_grid(rows));
  }
  std::vector<unsigned char> charts(const std::vector<Chart>& panels) override {
    return charts_png(panels);
  }
  std::vector<unsigned char> histogram(const std::string& title, const std::string& x_label,
                                       const std::vector<double>& values) override {
    return histogram_png(title, x_label, values);
  }
};

/// The positions a figure of `record` shows: those listed, or those `choice` picks among the
/// figure's candidates (an adversarial set's successes).
std::vector<std::int64_t> shown_positions(const ProductType& kind, const std::string& product,
                                          const Record& record, const SampleChoice& choice,
                                          std::uint64_t seed) {
  const std::int64_t samples = kind.figure_samples(record);  // 0: a product without samples
  if (samples == 0) return {};
  if (choice.listed()) return choice.positions(samples, seed, product);
  const std::vector<std::int64_t> candidates = kind.figure_candidates(record);
  std::vector<std::int64_t> out;
  for (std::int64_t k :
       choice.positions(static_cast<std::int64_t>(candidates.size()), seed, product))
    out.push_back(candidates[static_cast<std::size_t>(k)]);
  return out;
}

/// The sections of the tables the experiment reproduces, each from the report plugin that
/// provides it (a note when none is loaded).
std::vector<Section> reproduced_sections(const ArchiveIndex& index, const Registry& registry) {
  std::vector<Section> sections;
  for (const std::string& id : index.reproduces()) {
    const std::vector<const LoadedPlugin*> providers = registry.reports_providing(id);
    if (providers.empty()) {
      sections.push_back({fmt::format("Table '{}'", id),
                          {fmt::format("No loaded report plugin provides '{}'.", id)},
                          {},
                          {}});
      continue;
    }
    const LoadedPlugin& plugin = *providers.front();
    std::vector<ParamProblem> ignored;
    const std::unique_ptr<Report> report =
        plugin.entry->create_report(plugin.schema.validate({}, ignored));
    for (Section& section : report->sections(id, index.view()))
      sections.push_back(std::move(section));
  }
  return sections;
}

}  // namespace

Document build_report(const ArchiveIndex& index, const Registry& registry,
                      const std::optional<SampleChoice>& figures) {
  const ExperimentInfo& e = index.experiment();
  Document document{e.name, {}, reproduced_sections(index, registry)};
  if (e.status != "complete") document.paragraphs.push_back("Archive status: " + e.status + ".");
  document.paragraphs.push_back(
      fmt::format("Seed {}, {} threads{}, run {} to {} on {}.", e.seed, e.threads,
                  e.ranks > 1 ? fmt::format(" on each of {} MPI ranks", e.ranks) : "", e.started,
                  e.finished.empty() ? "-" : e.finished, e.host));
  PngDrawing drawing;
  for (const ArchivedNode& node : index.view().nodes()) {
    Section section{fmt::format("{} ({})", node.name, node.plugin), {}, {}, {}};
    for (const auto& [port, record] : node.products) {
      const ProductKind kind = find_product_kind(record);
      if (!kind) continue;  // a kind no loaded plugin defines: `show` lists it
      for (TextTable& table : kind->tables(port, record))
        section.tables.push_back(std::move(table));
      if (!figures) continue;
      const std::string product = fmt::format("{}/{}", node.name, port);
      const FigureRequest request{node.name, port,
                                  shown_positions(*kind, product, record, *figures, node.seed)};
      for (Figure& figure : kind->figures(request, record, drawing))
        section.figures.push_back(std::move(figure));
    }
    if (!section.tables.empty() || !section.figures.empty())
      document.sections.push_back(std::move(section));
  }
  return document;
}

}  // namespace blindspot::host
