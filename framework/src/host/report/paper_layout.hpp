// The paper's tables rebuilt from an archive's products, each cell "ours (paper)".
#pragma once

#include <vector>

#include "report/archive_index.hpp"
#include "report/document.hpp"

namespace blindspot::host {

/// One section per paper table the experiment declares (`reproduces:`), laid out as the paper
/// prints it: models by the paper's names, the paper's rows and columns, and the paper's number
/// in brackets after ours wherever the paper has one. Rows the paper lacks show ours alone.
std::vector<Section> paper_sections(const ArchiveIndex& index);

}  // namespace blindspot::host
