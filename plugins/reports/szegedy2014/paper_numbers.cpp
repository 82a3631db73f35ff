// The numbers Szegedy et al. print in Tables 1-5, as printed, for the report to show beside ours.
#include "paper_numbers.hpp"

#include <algorithm>

namespace blindspot::szegedy2014 {

namespace {

// Transcribed from the paper (see shared/reference/paper.md); keys are the models' names.
const std::vector<PaperTable>& tables() {
  static const std::vector<PaperTable> all = {
      {"table1",
       "Table 1: models trained on MNIST, their errors and average minimum distortion",
       {"train", "test", "distortion"},
       {{"FC10(1e-4)", {"6.7%", "7.4%", "0.062"}},
        {"FC10(1e-2)", {"10%", "9.4%", "0.1"}},
        {"FC10(1)", {"21.2%", "20%", "0.14"}},
        {"FC100-100-10", {"0%", "1.64%", "0.058"}},
        {"FC200-200-10", {"0%", "1.54%", "0.065"}},
        {"AE400-10", {"0.57%", "1.9%", "0.086"}}}},
      {"table2",
       "Table 2: cross-model generalisation (error induced on the column model by examples made "
       "for the row model)",
       {"FC10(1e-4)", "FC10(1e-2)", "FC10(1)", "FC100-100-10", "FC200-200-10", "AE400-10",
        "distortion"},
       {{"FC10(1e-4)", {"100%", "11.7%", "22.7%", "2%", "3.9%", "2.7%", "0.062"}},
        {"FC10(1e-2)", {"87.1%", "100%", "35.2%", "35.9%", "27.3%", "9.8%", "0.1"}},
        {"FC10(1)", {"71.9%", "76.2%", "100%", "48.1%", "47%", "34.4%", "0.14"}},
        {"FC100-100-10", {"28.9%", "13.7%", "21.1%", "100%", "6.6%", "2%", "0.058"}},
        {"FC200-200-10", {"38.2%", "14%", "23.8%", "20.3%", "100%", "2.7%", "0.065"}},
        {"AE400-10", {"23.4%", "16%", "24.8%", "9.4%", "6.6%", "100%", "0.086"}},
        {"noise 0.1", {"5.0%", "10.1%", "18.3%", "0%", "0%", "0.8%", "0.1"}},
        {"noise 0.3", {"15.6%", "11.3%", "22.7%", "5%", "4.3%", "3.1%", "0.3"}}}},
      {"table3",
       "Table 3: models trained on the disjoint halves P1 and P2",
       {"p1", "p2", "test", "distortion"},
       {{"FC100-100-10", {"0%", "2.4%", "2%", "0.062"}},
        {"FC123-456-10", {"0%", "2.5%", "2.1%", "0.059"}},
        {"FC100-100-10'", {"2.3%", "0%", "2.1%", "0.058"}}}},
      {"table4",
       "Table 4: cross-training-set generalisation (error rate on the column model)",
       {"FC100-100-10", "FC123-456-10", "FC100-100-10'", "distortion"},
       {{"FC100-100-10", {"100%", "26.2%", "5.9%", "0.062"}},
        {"FC123-456-10", {"6.25%", "100%", "5.1%", "0.059"}},
        {"FC100-100-10'", {"8.2%", "8.2%", "100%", "0.058"}},
        {"noise 0.06", {"2.2%", "2.6%", "2.4%", "0.06"}},
        {"FC100-100-10 amplified", {"100%", "98%", "43%", "0.1"}},
        {"FC123-456-10 amplified", {"96%", "100%", "22%", "0.1"}},
        {"FC100-100-10' amplified", {"27%", "50%", "100%", "0.1"}},
        {"noise 0.1", {"2.6%", "2.8%", "2.7%", "0.1"}}}},
      {"table5",
       "Table 5: upper Lipschitz bound of each rectified layer of a trained AlexNet",
       {"size", "stride", "bound"},
       {{"Conv. 1", {"3x11x11x96", "4", "2.75"}},
        {"Conv. 2", {"96x5x5x256", "1", "10"}},
        {"Conv. 3", {"256x3x3x384", "1", "7"}},
        {"Conv. 4", {"384x3x3x384", "1", "7.5"}},
        {"Conv. 5", {"384x3x3x256", "1", "11"}},
        {"FC. 1", {"9216x4096", "N/A", "3.12"}},
        {"FC. 2", {"4096x4096", "N/A", "4"}},
        {"FC. 3", {"4096x1000", "N/A", "4"}},
        {"max pool", {"", "", "1"}},
        {"product", {"", "", "about 793,000"}}}},
  };
  return all;
}

}  // namespace

std::string PaperTable::cell(const std::string& row, const std::string& column) const {
  const auto c = std::find(columns.begin(), columns.end(), column);
  if (c == columns.end()) return "";
  for (const Row& r : rows)
    if (r.key == row) return r.values[static_cast<std::size_t>(c - columns.begin())];
  return "";
}

const PaperTable* paper_table(const std::string& id) {
  for (const PaperTable& t : tables())
    if (t.id == id) return &t;
  return nullptr;
}

}  // namespace blindspot::szegedy2014
