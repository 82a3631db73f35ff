// The szegedy2014 report plugin: Szegedy et al. 2014's Tables 1-5 and Section 3 rebuilt from an
// archive, laid out as the paper prints them, the paper's number beside ours.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/report_plugin.hpp"
#include "blindspot/schema.hpp"
#include "layouts.hpp"
#include "paper_numbers.hpp"

namespace {

using namespace blindspot;
using namespace blindspot::szegedy2014;

/// The ids of the paper's tables with numbers, in the paper's order.
const char* const kTableIds[] = {"table1", "table2", "table3", "table4", "table5"};

/// A paragraph warning when the data is not the paper's MNIST: the `source` of the first node
/// that made a Dataset (the built-in dataset node) and names another.
std::vector<std::string> data_caveat(const ArchiveView& archive) {
  for (const ArchivedNode& node : archive.nodes()) {
    if (!node.first(Dataset::product_kind())) continue;
    const std::string source = node.text("source", "?");
    if (source != "mnist")
      return {
          fmt::format("The paper's numbers are for MNIST; this experiment's data is '{}', so "
                      "compare the pattern, not the values.",
                      source)};
  }
  return {};
}

/// The tables of `id` in the paper's layout (none for an id it does not provide).
std::vector<TextTable> paper_tables(const std::string& id, const PaperTable& paper,
                                    const ArchiveView& archive) {
  if (id == "table1") return {model_table(archive, paper, {"train", "test"}, false)};
  if (id == "table3") return {model_table(archive, paper, {"p1", "p2", "test"}, true)};
  if (id == "table2") return transfer_tables(archive, paper, false);
  if (id == "table4") return transfer_tables(archive, paper, true);
  if (id == "table5") return spectral_tables(archive, paper);
  return {};
}

/// The report: one section per table id, each with the data caveat when the data is not MNIST.
class Szegedy2014 final : public Report {
 public:
  struct Params {};

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "Szegedy et al. 2014 (Intriguing properties of neural networks): Tables 1-5 and Section "
        "3's units, laid out as the paper prints them, the paper's number beside ours");
    for (const char* id : kTableIds) schema.provides(id, paper_table(id)->title);
    schema.provides("units", "Section 3: units versus random directions");
    return schema;
  }

  explicit Szegedy2014(const Params& /*p*/) {}

  std::vector<Section> sections(const std::string& id, const ArchiveView& archive) const override {
    Section section{"", data_caveat(archive), {}, {}};
    if (id == "units") {
      section.heading = "Section 3 as in the paper: units versus random directions";
      section.tables = {units_table(archive)};
      return {section};
    }
    const PaperTable* paper = paper_table(id);
    if (!paper) return {};
    section.heading = paper->title.substr(0, paper->title.find(':')) + " as in the paper";
    section.tables = paper_tables(id, *paper, archive);
    return {section};
  }
};

}  // namespace

BLINDSPOT_PLUGIN(Szegedy2014, "szegedy2014", report, "1")
