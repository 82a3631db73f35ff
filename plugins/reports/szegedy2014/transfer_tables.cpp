// Tables 2 and 4: the error each set induces on each model, sets and models named as the paper.
#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "blindspot/products.hpp"
#include "cells.hpp"
#include "layouts.hpp"
#include "lookup.hpp"

namespace blindspot::szegedy2014 {

namespace {

/// How a transfer row's set was made: its key in the paper's table and its label.
struct SetOrigin {
  std::string key, label;
};

/// Noise: a set node with a `stddev` parameter that rescales no other set (gaussian). It reads
/// a "model" too, the one that judges the noisy samples, so that input cannot tell it apart.
bool is_noise(const ArchivedNode& set) {
  return has_parameter(set, "stddev") && set.input("set").empty();
}

/// A row's origin. Its set is the node named before the row's first '.': noise, a set
/// amplified from another (it reads a "set": amplify), or else one made for its "model" input.
SetOrigin origin(const ArchiveView& archive, const std::string& row, bool distorted_for) {
  const ArchivedNode* set = archive.find(row.substr(0, row.find('.')));
  if (!set) return {row, row};
  if (is_noise(*set)) {
    const std::string stddev = fmt::format("{:g}", set->number("stddev", NAN));
    return {"noise " + stddev, "Gaussian noise, stddev " + stddev};
  }
  if (!set->input("set").empty()) {
    const ArchivedNode* made = archive.find(set->input("set"));
    const std::string model = archive.display_name(made ? made->input("model") : "");
    return {model + " amplified", fmt::format("distorted for {}, amplified to stddev {:g}", model,
                                              set->number("stddev", NAN))};
  }
  const std::string model = set->input("model");
  if (model.empty()) return {row, row};
  const std::string name = archive.display_name(model);
  return {name, distorted_for ? "distorted for " + name : name};
}

/// A table with the paper's heading for `rates`' columns (models, then "distortion").
TextTable empty_table(const ArchiveView& archive, const PaperTable& paper, const Table& rates,
                      bool distorted_for) {
  TextTable table{paper.title, {distorted_for ? "examples" : "made for \\ fed to"}, {}, kCellsNote};
  for (const std::string& column : rates.columns)
    table.columns.push_back(column == "distortion" ? "av. distortion"
                                                   : archive.display_name(column));
  return table;
}

}  // namespace

std::vector<TextTable> transfer_tables(const ArchiveView& archive, const PaperTable& paper,
                                       bool distorted_for) {
  std::vector<TextTable> tables;
  std::vector<std::string> last_columns;
  for (const ArchivedNode& node : archive.nodes()) {
    const std::optional<Table> rates = table_of(node, "transfer");
    if (!rates) continue;
    if (tables.empty() || rates->columns != last_columns) {
      tables.push_back(empty_table(archive, paper, *rates, distorted_for));
      last_columns = rates->columns;
    }
    for (std::size_t r = 0; r < rates->rows.size(); ++r) {
      const SetOrigin from = origin(archive, rates->rows[r], distorted_for);
      std::vector<std::string> row = {from.label};
      for (std::size_t c = 0; c < rates->columns.size(); ++c) {
        const bool is_distortion = rates->columns[c] == "distortion";
        const std::string column =
            is_distortion ? "distortion" : archive.display_name(rates->columns[c]);
        const double v = rates->at(r, c);
        row.push_back(with_paper(is_distortion ? distortion(v) : percent(v, 1),
                                 paper.cell(from.key, column)));
      }
      tables.back().rows.push_back(row);
    }
  }
  return tables;
}

}  // namespace blindspot::szegedy2014
