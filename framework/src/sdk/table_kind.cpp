// The Table kind: its summary, its rows under `show`, its report table and training-curve chart.
#include <fmt/format.h>

#include <algorithm>

#include "blindspot/products.hpp"

namespace blindspot {

namespace {

/// The panels of a training curve (columns "loss" and "error", a row per epoch): the loss on a
/// log axis and, when it records one, the error in percent, both over whole epochs; none for
/// another table or a curve of one epoch.
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

/// A Table as text, reference values in brackets; a long table (a training curve) keeps its
/// first and last rows.
TextTable text_table(const Table& t) {
  TextTable out{t.title, {""}, {}, ""};
  if (!t.references.empty())
    out.note = fmt::format("Each cell: ours (in brackets, where there is one, {}'s).",
                           t.reference_source.empty() ? "a reference" : t.reference_source);
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
    for (std::size_t c = 0; c < t.columns.size(); ++c) row.push_back(t.text(r, c));
    out.rows.push_back(row);
  }
  return out;
}

/// Tables: checked and loaded alone, shown with their rows, charted when a training curve.
class TableType final : public ProductType {
 public:
  TableType() : ProductType("Table") {}
  void check(const Record& record) const override { Table::load(record); }
  std::shared_ptr<const Product> load(const Record& record) const override {
    return std::make_shared<const Table>(Table::load(record));
  }
  std::string summary(const Record& record) const override {
    return fmt::format("Table '{}'", Table::load(record).title);
  }
  /// Each row with its cells, for a table of at most 12 rows.
  std::vector<std::string> details(const Record& record) const override {
    const Table t = Table::load(record);
    std::vector<std::string> lines;
    if (t.rows.size() > 12) return lines;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      std::string cells;
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        cells += fmt::format("  {} {}", t.columns[c], t.text(r, c));
      lines.push_back(fmt::format("{}:{}", t.rows[r], cells));
    }
    return lines;
  }
  std::vector<TextTable> tables(const std::string&, const Record& record) const override {
    return {text_table(Table::load(record))};
  }
  std::vector<Figure> figures(const FigureRequest& request, const Record& record,
                              Drawing& drawing) const override {
    const Table t = Table::load(record);
    const std::vector<Chart> panels = curve_charts(t);
    if (panels.empty()) return {};
    return {{fmt::format("{}-{}.png", request.node, request.port),
             fmt::format("{}: {} per epoch", request.node, t.title), drawing.charts(panels)}};
  }
};

}  // namespace

ProductKind Table::product_kind() {
  static const TableType type;
  return &type;
}

}  // namespace blindspot
