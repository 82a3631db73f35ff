// The report of an archive as a Document: the tables it reproduces, every node's products.
#pragma once

#include <optional>

#include "loader/registry.hpp"
#include "report/archive_index.hpp"
#include "report/document.hpp"
#include "report/sample_choice.hpp"

namespace blindspot::host {

/// An archive's report: the sections the report plugins build for the tables it declares it
/// reproduces, then each node's products as their kinds show them (tables and, when `figures`
/// is set, figures of the samples it chooses; random ones drawn with each node's seed).
Document build_report(const ArchiveIndex& index, const Registry& registry,
                      const std::optional<SampleChoice>& figures);

}  // namespace blindspot::host
