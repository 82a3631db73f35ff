// The report of an archive as a Document: the paper's tables, every node's tables, figures.
#pragma once

#include <optional>
#include <string>

#include "blindspot/products.hpp"
#include "report/archive_index.hpp"
#include "report/document.hpp"
#include "report/plot.hpp"
#include "report/sample_choice.hpp"

namespace blindspot::host {

/// A table cell as reports print it: error rates as percentages (columns named "error" or
/// "rate", and the model columns of an "Error ..." table such as transfer's), counts as
/// integers, the rest with four significant digits, NaN and infinities as they are.
std::string format_cell(const std::string& title, const std::string& column, double value);

/// A Table product as text; a long table (a training curve) keeps its first and last rows.
TextTable text_table(const Table& table);

/// The panels of a training curve (a Table with "loss" and "error" columns, a row per epoch):
/// the loss on a log axis and, when it records one, the error in percent, both over whole
/// epochs; none for another table or a curve of one epoch.
std::vector<Chart> curve_charts(const Table& table);

/// An archive's report: the paper's tables it declares it reproduces, then each node's tables
/// and, when `figures` is set, the figures of its products showing the samples it chooses
/// (random ones drawn with each node's seed).
Document build_report(const ArchiveIndex& index, const std::optional<SampleChoice>& figures);

}  // namespace blindspot::host
