// The numbers Szegedy et al. print in Tables 1-5, as printed, for the report to show beside ours.
#pragma once

#include <string>
#include <vector>

namespace blindspot::szegedy2014 {

/// One of the paper's tables: its cells as printed ("6.7%", "0.062"), by row and column key.
struct PaperTable {
  std::string id;                    // "table1" .. "table5"
  std::string title;                 // as the paper titles it
  std::vector<std::string> columns;  // column keys
  struct Row {
    std::string key;                  // a model's name, "noise 0.1", "FC100-100-10 amplified", ...
    std::vector<std::string> values;  // one per column; "" where the paper prints nothing
  };
  std::vector<Row> rows;

  /// The paper's cell, or "" when the paper has no such row or column.
  std::string cell(const std::string& row, const std::string& column) const;
};

/// The paper's table `id` ("table1" .. "table5"), or nullptr for one without numbers ("units").
const PaperTable* paper_table(const std::string& id);

}  // namespace blindspot::szegedy2014
