// Tables 1 and 3: each model's error rates and the mean distortion of its attack.
#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "blindspot/products.hpp"
#include "cells.hpp"
#include "layouts.hpp"
#include "lookup.hpp"

namespace blindspot::szegedy2014 {

namespace {

/// A model's evaluation: the first node reading it on "model" with a Table on "errors" (the
/// evaluate plugin's output; no other plugin writes one).
const ArchivedNode* evaluation_of(const ArchiveView& archive, const std::string& model) {
  return first_reader(archive, model, "model", [](const ArchivedNode& n) {
    return n.product("errors", Table::product_kind()) != nullptr;
  });
}

/// A model's attack: the first node reading it on "model" that writes an AdversarialSet and
/// takes a `target` parameter, as a targeted minimum-distortion attack (szegedy) does. Noise
/// (gaussian) and rescaled sets (amplify) also read "model" and write a set, but take no target.
/// fgsm takes one too, so it would count if it read the model before the szegedy node does.
const ArchivedNode* attack_on(const ArchiveView& archive, const std::string& model) {
  return first_reader(archive, model, "model", [](const ArchivedNode& n) {
    return n.first(AdversarialSet::product_kind()) && has_parameter(n, "target");
  });
}

/// Mean distortion of an attack's successful samples (the paper's "av. min. distortion"); NaN
/// when it made none.
double success_distortion(const ArchivedNode& attack) {
  const Record* set = attack.first(AdversarialSet::product_kind());
  return set ? AdversarialSet::load(*set).mean_success_distortion() : NAN;
}

/// The column heading of an error rate on `split`.
std::string error_column(const std::string& split, bool name_the_half) {
  if (split == "p1" || split == "p2") return fmt::format("error on P{}", split.substr(1));
  return fmt::format(name_the_half ? "error on {}" : "{} error", split);
}

}  // namespace

TextTable model_table(const ArchiveView& archive, const PaperTable& paper,
                      const std::vector<std::string>& splits, bool name_the_half) {
  TextTable table{paper.title, {"model"}, {}, kCellsNote};
  for (const std::string& split : splits)
    table.columns.push_back(error_column(split, name_the_half));
  table.columns.push_back("av. min. distortion");
  for (const ArchivedNode& node : archive.nodes()) {
    if (!node.first(Model::product_kind())) continue;
    const ArchivedNode* evaluation = evaluation_of(archive, node.name);
    const ArchivedNode* attack = attack_on(archive, node.name);
    if (!evaluation && !attack) continue;
    const std::string name = archive.display_name(node.name);
    std::string label = name;
    if (name_the_half) {
      const std::string half = node.text("split", "train");
      label += half == "p1" || half == "p2" ? " trained on P" + half.substr(1) : "";
    }
    std::vector<std::string> row = {label};
    const std::optional<Table> errors =
        evaluation ? table_of(*evaluation, "errors") : std::optional<Table>();
    for (const std::string& split : splits)
      row.push_back(with_paper(percent(errors ? value(*errors, split, "error") : NAN, 2),
                               paper.cell(name, split)));
    row.push_back(with_paper(distortion(attack ? success_distortion(*attack) : NAN),
                             paper.cell(name, "distortion")));
    table.rows.push_back(row);
  }
  return table;
}

}  // namespace blindspot::szegedy2014
