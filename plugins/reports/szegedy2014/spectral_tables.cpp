// Table 5: the upper Lipschitz bound of each layer, the paper's AlexNet numbers beside an
// AlexNet's.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "blindspot/products.hpp"
#include "cells.hpp"
#include "layouts.hpp"
#include "lookup.hpp"

namespace blindspot::szegedy2014 {

namespace {

/// A layer row "conv1 (3x11x11x96)" split into its layer name and size.
std::pair<std::string, std::string> layer_and_size(const std::string& row) {
  const std::size_t open = row.rfind(" (");
  if (open == std::string::npos || row.back() != ')') return {row, ""};
  return {row.substr(0, open), row.substr(open + 2, row.size() - open - 3)};
}

/// The layers of one model, its node named in the title; `alexnet` adds the paper's numbers.
TextTable layer_table(const ArchivedNode& node, const Table& layers, const std::string& model,
                      bool alexnet, const PaperTable& paper) {
  TextTable table{fmt::format("{}: upper Lipschitz bound of each layer ({})", model, node.name),
                  {"layer", "size", "stride", "upper bound"},
                  {},
                  alexnet ? kCellsNote +
                                " A size or stride without brackets equals the paper's. Ours is "
                                "untrained; the paper's was trained on ImageNet. Overlapping max "
                                "pooling (3x3, stride 2) is bounded by 2 here; the paper counts 1."
                          : "The paper has no such model; ours alone."};
  int convs = 0, linears = 0;
  for (std::size_t r = 0; r < layers.rows.size(); ++r) {
    const auto [name, size] = layer_and_size(layers.rows[r]);
    const double stride = value(layers, layers.rows[r], "stride");
    const auto dims = std::count(size.begin(), size.end(), 'x') + 1;
    std::string key = name;  // the paper's row: "Conv. 1", "FC. 1", "max pool"
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
                          cell(number(value(layers, layers.rows[r], "bound")), "bound")});
  }
  return table;
}

}  // namespace

std::vector<TextTable> spectral_tables(const ArchiveView& archive, const PaperTable& paper) {
  std::vector<TextTable> tables;
  for (const ArchivedNode& node : archive.nodes()) {
    const std::optional<Table> layers = table_of(node, "layers");
    if (!layers) continue;
    const std::string model = archive.display_name(node.input("model"));
    const bool alexnet = model == "AlexNet";
    TextTable table = layer_table(node, *layers, model, alexnet, paper);
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

}  // namespace blindspot::szegedy2014
