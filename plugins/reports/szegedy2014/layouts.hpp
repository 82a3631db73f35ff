// The paper's tables rebuilt from an archive's products, each cell "ours (paper)".
#pragma once

#include <string>
#include <vector>

#include "blindspot/report.hpp"
#include "blindspot/report_plugin.hpp"
#include "paper_numbers.hpp"

namespace blindspot::szegedy2014 {

/// Tables 1 and 3: a row per model that is evaluated or attacked, with its errors on `splits`
/// and its attack's mean distortion; `name_the_half` adds the half it was trained on (Table 3).
TextTable model_table(const ArchiveView& archive, const PaperTable& paper,
                      const std::vector<std::string>& splits, bool name_the_half);

/// Tables 2 and 4: every transfer matrix, rows and columns named as in the paper; matrices with
/// the same columns share one table. `distorted_for` labels rows "distorted for M" (Table 4).
std::vector<TextTable> transfer_tables(const ArchiveView& archive, const PaperTable& paper,
                                       bool distorted_for);

/// Table 5: every model's layer bounds; the paper's AlexNet numbers beside an AlexNet's.
std::vector<TextTable> spectral_tables(const ArchiveView& archive, const PaperTable& paper);

/// Section 3 in numbers: label purity of the top images along units and random directions.
TextTable units_table(const ArchiveView& archive);

}  // namespace blindspot::szegedy2014
