// Section 3 in numbers: label purity of the top images along units and along random directions.
#include <fmt/format.h>

#include <optional>

#include "blindspot/products.hpp"
#include "layouts.hpp"
#include "lookup.hpp"

namespace blindspot::szegedy2014 {

TextTable units_table(const ArchiveView& archive) {
  TextTable table{"Label purity of the top images (mean ± sd over the directions)",
                  {"model, layer", "units", "random directions", "chance (random sets)"},
                  {},
                  "The paper gives no numbers here: it shows that the images along single units "
                  "look no more alike than those along random directions."};
  for (const ArchivedNode& node : archive.nodes()) {
    const std::optional<Table> purity = table_of(node, "purity");
    if (!purity) continue;
    const std::size_t of = purity->title.rfind(" of ");  // "... directions of act2"
    const std::string layer = of == std::string::npos ? "?" : purity->title.substr(of + 4);
    std::vector<std::string> row = {archive.display_name(node.input("model")) + ", " + layer};
    for (std::size_t r = 0; r < purity->rows.size() && r < 3; ++r)
      row.push_back(fmt::format("{:.2f} ± {:.2f}", purity->at(r, 0), purity->at(r, 1)));
    row.resize(table.columns.size(), "-");
    table.rows.push_back(row);
  }
  return table;
}

}  // namespace blindspot::szegedy2014
