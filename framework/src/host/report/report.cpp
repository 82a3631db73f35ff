// The report of an archive as a Document: the paper's tables, every node's tables, figures.
#include "report/report.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/figures.hpp"
#include "report/paper_layout.hpp"
#include "report/plot.hpp"
#include "report/png.hpp"

namespace blindspot::host {

namespace {

/// The positions a figure of `record` shows: those listed, or those `choice` picks among the
/// figure's candidates (an adversarial set's successes).
std::vector<std::int64_t> shown_positions(const std::string& product, const Record& record,
                                          const SampleChoice& choice, std::uint64_t seed) {
  const std::int64_t samples = figure_samples(record);  // 0: a product without sample images
  if (samples == 0) return {};
  if (choice.listed()) return choice.positions(samples, seed, product);
  const std::vector<std::int64_t> candidates = figure_candidates(record);
  std::vector<std::int64_t> out;
  for (std::int64_t k :
       choice.positions(static_cast<std::int64_t>(candidates.size()), seed, product))
    out.push_back(candidates[static_cast<std::size_t>(k)]);
  return out;
}

/// The figures of one product, named after its node and port.
std::vector<Figure> figures_of(const std::string& node, const std::string& port,
                               const Record& record, const SampleChoice& choice,
                               std::uint64_t seed) {
  std::vector<Figure> out;
  const std::string product = fmt::format("{}/{}", node, port);
  if (std::optional<ProductFigure> figure =
          figure_of(record, shown_positions(product, record, choice, seed)))
    out.push_back({fmt::format("{}-{}.png", node, port),
                   fmt::format("{} {}: {}", node, port, figure->caption),
                   encode_png(figure->image)});
  if (kind_of(record) == "AdversarialSet") {
    const at::Tensor success = record.tensors.at("success").to(at::kBool);
    const at::Tensor d = record.tensors.at("distortion").index({success}).to(at::kDouble);
    const std::vector<double> values(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    const std::string title = fmt::format("{}: distortion of the {} successes", node, d.numel());
    out.push_back({fmt::format("{}-{}-distortion.png", node, port), title,
                   histogram_png(title, "per-pixel RMS distortion", values)});
  }
  if (kind_of(record) == "Table") {
    const Table t = Table::load(record);
    const std::vector<Chart> panels = curve_charts(t);
    if (!panels.empty())
      out.push_back({fmt::format("{}-{}.png", node, port),
                     fmt::format("{}: {} per epoch", node, t.title), charts_png(panels)});
  }
  return out;
}

/// An adversarial set in one row: its size, successes and mean distortion.
TextTable set_table(const std::string& port, const Record& record) {
  const SetFacts f = set_facts(record);
  return {"Adversarial set",
          {"", "samples", "successes", "misclassified before", "mean distortion of successes"},
          {{port, std::to_string(f.samples), std::to_string(f.successes),
            std::to_string(f.misclassified_before),
            std::isfinite(f.mean_distortion) ? fmt::format("{:.4f}", f.mean_distortion) : "-"}},
          ""};
}

}  // namespace

std::string format_cell(const std::string& title, const std::string& column, double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);  // nan, inf: "does not apply"
  const bool rate_column =
      column.find("error") != std::string::npos || column.find("rate") != std::string::npos;
  const bool model_column_of_rates = title.rfind("Error", 0) == 0 && column != "distortion" &&
                                     column != "wrong" && column != "count";
  if (rate_column || model_column_of_rates) return fmt::format("{:.2f}%", 100.0 * v);
  if (std::abs(v) < 1e15 && v == std::trunc(v)) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{:.4g}", v);
}

std::vector<Chart> curve_charts(const Table& t) {
  const auto loss = std::find(t.columns.begin(), t.columns.end(), "loss");
  const auto error = std::find(t.columns.begin(), t.columns.end(), "error");
  if (loss == t.columns.end() || error == t.columns.end() || t.rows.size() < 2) return {};
  Series losses{"loss", {}, {}}, errors{"error", {}, {}};
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    losses.x.push_back(static_cast<double>(r + 1));
    losses.y.push_back(t.at(r, static_cast<std::size_t>(loss - t.columns.begin())));
    errors.y.push_back(100 * t.at(r, static_cast<std::size_t>(error - t.columns.begin())));
  }
  errors.x = losses.x;
  std::vector<Chart> panels = {{"loss", "epoch", "loss", {losses}, true, true}};
  // A curve without an error (an autoencoder's pretraining records zeros) has no panel for it.
  if (std::any_of(errors.y.begin(), errors.y.end(), [](double e) { return e > 0; }))
    panels.push_back({"training error", "epoch", "error (%)", {errors}, false, true});
  return panels;
}

TextTable text_table(const Table& t) {
  TextTable out{t.title, {""}, {}, ""};
  out.columns.insert(out.columns.end(), t.columns.begin(), t.columns.end());
  constexpr std::size_t kEnds = 3;  // long tables (training curves): first and last rows
  const bool elide = t.rows.size() > 4 * kEnds;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (elide && r == kEnds) {
      std::vector<std::string> gap(out.columns.size(), "...");
      gap[0] = fmt::format("... {} rows ...", t.rows.size() - 2 * kEnds);
      out.rows.push_back(gap);
    }
    if (elide && r >= kEnds && r + kEnds < t.rows.size()) continue;
    std::vector<std::string> row = {t.rows[r]};
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      row.push_back(format_cell(t.title, t.columns[c], t.at(r, c)));
    out.rows.push_back(row);
  }
  return out;
}

Document build_report(const ArchiveIndex& index, const std::optional<SampleChoice>& figures) {
  const ExperimentInfo& e = index.experiment();
  Document document{e.name, {}, paper_sections(index)};
  if (e.status != "complete") document.paragraphs.push_back("Archive status: " + e.status + ".");
  document.paragraphs.push_back(fmt::format("Seed {}, {} threads, run {} to {} on {}.", e.seed,
                                            e.threads, e.started,
                                            e.finished.empty() ? "-" : e.finished, e.host));
  for (const IndexedNode& node : index.nodes()) {
    Section section{fmt::format("{} ({})", node.info.name, node.info.plugin), {}, {}, {}};
    for (const auto& [port, record] : node.products) {
      if (kind_of(record) == "Table") section.tables.push_back(text_table(Table::load(record)));
      if (kind_of(record) == "AdversarialSet") section.tables.push_back(set_table(port, record));
      if (!figures) continue;
      for (Figure& figure : figures_of(node.info.name, port, record, *figures, node.info.seed))
        section.figures.push_back(std::move(figure));
    }
    if (!section.tables.empty() || !section.figures.empty())
      document.sections.push_back(std::move(section));
  }
  return document;
}

}  // namespace blindspot::host
