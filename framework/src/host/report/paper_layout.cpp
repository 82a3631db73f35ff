// The paper's tables rebuilt from an archive's products, each cell "ours (paper)".
#include "report/paper_layout.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "blindspot/products.hpp"
#include "report/paper.hpp"

namespace blindspot::host {

namespace {

const std::string kCellsNote = "Each cell: ours (the paper's, in brackets, where it has one).";

std::string with_paper(const std::string& ours, const std::string& paper) {
  return paper.empty() ? ours : fmt::format("{} ({})", ours, paper);
}

std::string percent(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}%", 100 * v, decimals) : "-";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "-";
  return std::abs(v) >= 1000 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
}

/// A distortion (a per-pixel RMS in [0, 1]) to four decimals, one more than the paper prints.
std::string distortion(double v) {
  return std::isfinite(v) ? fmt::format("{:.4f}", v) : "-";
}

std::optional<Table> table_of(const IndexedNode& node, const std::string& port) {
  const auto it = node.products.find(port);
  if (it == node.products.end() || kind_of(it->second) != "Table") return std::nullopt;
  return Table::load(it->second);
}

/// The value in the named row and column, NaN when either is missing.
double value(const Table& table, const std::string& row, const std::string& column) {
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.rows[r] == row && table.columns[c] == column) return table.at(r, c);
  return NAN;
}

bool is_model(const IndexedNode& node) {
  for (const auto& [port, record] : node.products)
    if (kind_of(record) == "Model") return true;
  return false;
}

/// The first node of `plugin` that reads `node` on its `port` input.
const IndexedNode* reader(const ArchiveIndex& index, const std::string& node,
                          const std::string& port, const std::string& plugin) {
  for (const IndexedNode* r : index.readers_of(node, port))
    if (r->info.plugin == plugin) return r;
  return nullptr;
}

/// Mean distortion of an attack's successful samples (the paper's "av. min. distortion"); NaN
/// when it made none.
double success_distortion(const IndexedNode& node) {
  for (const auto& [port, record] : node.products)
    if (kind_of(record) == "AdversarialSet") return set_facts(record).mean_distortion;
  return NAN;
}

/// Tables 1 and 3: a row per model with its errors on `splits` and its attack's distortion.
TextTable model_table(const ArchiveIndex& index, const PaperTable& paper,
                      const std::vector<std::string>& splits, bool name_the_half) {
  TextTable table{paper.title, {"model"}, {}, kCellsNote};
  for (const std::string& split : splits)
    table.columns.push_back(split == "p1" || split == "p2"
                                ? fmt::format("error on P{}", split.substr(1))
                                : fmt::format(name_the_half ? "error on {}" : "{} error", split));
  table.columns.push_back("av. min. distortion");
  for (const IndexedNode& node : index.nodes()) {
    if (!is_model(node)) continue;
    const IndexedNode* evaluate = reader(index, node.info.name, "model", "evaluate");
    const IndexedNode* attack = reader(index, node.info.name, "model", "szegedy");
    if (!evaluate && !attack) continue;
    const std::string name = index.model_name(node.info.name);
    std::string label = name;
    if (name_the_half) {
      const std::string half = node.text("split", "train");
      label += half == "p1" || half == "p2" ? " trained on P" + half.substr(1) : "";
    }
    std::vector<std::string> row = {label};
    const std::optional<Table> errors =
        evaluate ? table_of(*evaluate, "errors") : std::optional<Table>();
    for (const std::string& split : splits)
      row.push_back(with_paper(percent(errors ? value(*errors, split, "error") : NAN, 2),
                               paper.cell(name, split)));
    row.push_back(with_paper(distortion(attack ? success_distortion(*attack) : NAN),
                             paper.cell(name, "distortion")));
    table.rows.push_back(row);
  }
  return table;
}

/// How a transfer row's set was made: its key in the paper's table and its label.
struct SetOrigin {
  std::string key, label;
};

SetOrigin origin(const ArchiveIndex& index, const std::string& row, bool distorted_for) {
  const IndexedNode* set = index.find(row.substr(0, row.find('.')));
  if (!set) return {row, row};
  if (set->info.plugin == "gaussian") {
    const std::string stddev = fmt::format("{:g}", set->number("stddev", NAN));
    return {"noise " + stddev, "Gaussian noise, stddev " + stddev};
  }
  if (set->info.plugin == "amplify") {
    const IndexedNode* made = index.find(set->input("set"));
    const std::string model = index.model_name(made ? made->input("model") : "");
    return {model + " amplified", fmt::format("distorted for {}, amplified to stddev {:g}", model,
                                              set->number("stddev", NAN))};
  }
  const std::string model = set->input("model");
  if (model.empty()) return {row, row};
  const std::string name = index.model_name(model);
  return {name, distorted_for ? "distorted for " + name : name};
}

/// Tables 2 and 4: every transfer node's matrix, rows and columns named as in the paper; nodes
/// with the same models share one table.
std::vector<TextTable> transfer_tables(const ArchiveIndex& index, const PaperTable& paper,
                                       bool distorted_for) {
  std::vector<TextTable> tables;
  std::vector<std::string> last_columns;
  for (const IndexedNode& node : index.nodes()) {
    if (node.info.plugin != "transfer") continue;
    const std::optional<Table> rates = table_of(node, "transfer");
    if (!rates) continue;
    if (tables.empty() || rates->columns != last_columns) {
      TextTable table{
          paper.title, {distorted_for ? "examples" : "made for \\ fed to"}, {}, kCellsNote};
      for (const std::string& column : rates->columns)
        table.columns.push_back(column == "distortion" ? "av. distortion"
                                                       : index.model_name(column));
      tables.push_back(table);
      last_columns = rates->columns;
    }
    for (std::size_t r = 0; r < rates->rows.size(); ++r) {
      const SetOrigin from = origin(index, rates->rows[r], distorted_for);
      std::vector<std::string> row = {from.label};
      for (std::size_t c = 0; c < rates->columns.size(); ++c) {
        const bool is_distortion = rates->columns[c] == "distortion";
        const std::string column =
            is_distortion ? "distortion" : index.model_name(rates->columns[c]);
        const double v = rates->at(r, c);
        row.push_back(with_paper(is_distortion ? distortion(v) : percent(v, 1),
                                 paper.cell(from.key, column)));
      }
      tables.back().rows.push_back(row);
    }
  }
  return tables;
}

/// A spectral row "conv1 (3x11x11x96)" split into its layer name and size.
std::pair<std::string, std::string> layer_and_size(const std::string& row) {
  const std::size_t open = row.rfind(" (");
  if (open == std::string::npos || row.back() != ')') return {row, ""};
  return {row.substr(0, open), row.substr(open + 2, row.size() - open - 3)};
}

/// Table 5: every spectral node's layer bounds; the paper's AlexNet numbers beside an AlexNet's.
std::vector<TextTable> spectral_tables(const ArchiveIndex& index, const PaperTable& paper) {
  std::vector<TextTable> tables;
  for (const IndexedNode& node : index.nodes()) {
    if (node.info.plugin != "spectral") continue;
    const std::optional<Table> layers = table_of(node, "layers");
    if (!layers) continue;
    const std::string model = index.model_name(node.input("model"));
    const bool alexnet = model == "AlexNet";
    TextTable table{
        fmt::format("{}: upper Lipschitz bound of each layer ({})", model, node.info.name),
        {"layer", "size", "stride", "upper bound"},
        {},
        alexnet ? kCellsNote +
                      " A size or stride without brackets equals the paper's. Ours is untrained; "
                      "the paper's was trained on ImageNet. Overlapping max pooling (3x3, stride "
                      "2) is bounded by 2 here; the paper counts 1."
                : "The paper has no such model; ours alone."};
    int convs = 0, linears = 0;
    for (std::size_t r = 0; r < layers->rows.size(); ++r) {
      const auto [name, size] = layer_and_size(layers->rows[r]);
      const double stride = value(*layers, layers->rows[r], "stride");
      const auto dims = std::count(size.begin(), size.end(), 'x') + 1;
      std::string key = name;
      if (dims == 4) key = fmt::format("Conv. {}", ++convs);
      if (dims == 2 && !std::isfinite(stride)) key = fmt::format("FC. {}", ++linears);
      if (size.rfind("max", 0) == 0 || name.find("pool") != std::string::npos) key = "max pool";
      const auto cell = [&](const std::string& ours, const std::string& column) {
        const std::string theirs = alexnet ? paper.cell(key, column) : "";
        return theirs == ours ? ours : with_paper(ours, theirs);
      };
      const std::string label = alexnet && key != "max pool" ? key + " (" + name + ")" : name;
      table.rows.push_back({label, cell(size, "size"),
                            cell(std::isfinite(stride) ? number(stride) : "N/A", "stride"),
                            cell(number(value(*layers, layers->rows[r], "bound")), "bound")});
    }
    if (const std::optional<Table> summary = table_of(node, "summary")) {
      const double product = summary->at(0, 0), lower = summary->at(1, 0);
      table.rows.push_back({"product (upper bound of the network)", "", "",
                            alexnet ? with_paper(number(product), paper.cell("product", "bound"))
                                    : number(product)});
      table.rows.push_back({"largest input-Jacobian norm (lower bound)", "", "", number(lower)});
    }
    tables.push_back(table);
  }
  return tables;
}

/// Section 3 in numbers: label purity of the top images along units and random directions.
TextTable units_table(const ArchiveIndex& index) {
  TextTable table{"Label purity of the top images (mean ± sd over the directions)",
                  {"model, layer", "units", "random directions", "chance (random sets)"},
                  {},
                  "The paper gives no numbers here: it shows that the images along single units "
                  "look no more alike than those along random directions."};
  for (const IndexedNode& node : index.nodes()) {
    if (node.info.plugin != "units") continue;
    const std::optional<Table> purity = table_of(node, "purity");
    if (!purity) continue;
    const std::size_t of = purity->title.rfind(" of ");
    const std::string layer = of == std::string::npos ? "?" : purity->title.substr(of + 4);
    std::vector<std::string> row = {index.model_name(node.input("model")) + ", " + layer};
    for (std::size_t r = 0; r < purity->rows.size() && r < 3; ++r)
      row.push_back(fmt::format("{:.2f} ± {:.2f}", purity->at(r, 0), purity->at(r, 1)));
    row.resize(table.columns.size(), "-");
    table.rows.push_back(row);
  }
  return table;
}

/// A paragraph warning when the data is not the paper's MNIST.
std::vector<std::string> data_caveat(const ArchiveIndex& index) {
  for (const std::string& source : index.data_sources())
    if (source != "mnist")
      return {
          fmt::format("The paper's numbers are for MNIST; this experiment's data is '{}', so "
                      "compare the pattern, not the values.",
                      source)};
  return {};
}

}  // namespace

std::vector<Section> paper_sections(const ArchiveIndex& index) {
  std::vector<Section> sections;
  for (const std::string& id : index.reproduces()) {
    Section section{"", data_caveat(index), {}, {}};
    if (id == "units") {
      section.heading = "Section 3 as in the paper: units versus random directions";
      section.tables.push_back(units_table(index));
      sections.push_back(section);
      continue;
    }
    const PaperTable* paper = paper_table(id);
    if (!paper) continue;
    section.heading = paper->title.substr(0, paper->title.find(':')) + " as in the paper";
    if (id == "table1") section.tables = {model_table(index, *paper, {"train", "test"}, false)};
    if (id == "table3") section.tables = {model_table(index, *paper, {"p1", "p2", "test"}, true)};
    if (id == "table2") section.tables = transfer_tables(index, *paper, false);
    if (id == "table4") section.tables = transfer_tables(index, *paper, true);
    if (id == "table5") section.tables = spectral_tables(index, *paper);
    sections.push_back(section);
  }
  return sections;
}

}  // namespace blindspot::host
