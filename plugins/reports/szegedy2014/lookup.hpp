// Finding what the paper's tables need in an archive: by products, ports and parameters.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "blindspot/products.hpp"
#include "blindspot/report_plugin.hpp"

namespace blindspot::szegedy2014 {

/// The Table on output `port` of `node`, if it has one there.
std::optional<Table> table_of(const ArchivedNode& node, const std::string& port);

/// The value in the named row and column, NaN when either is missing.
double value(const Table& table, const std::string& row, const std::string& column);

/// Whether `node` was given (or defaulted) the parameter `key`.
bool has_parameter(const ArchivedNode& node, const std::string& key);

/// The first node, in run order, that reads `node` on its input `port` and `fits`; nullptr if
/// there is none.
const ArchivedNode* first_reader(const ArchiveView& archive, const std::string& node,
                                 const std::string& port,
                                 const std::function<bool(const ArchivedNode&)>& fits);

}  // namespace blindspot::szegedy2014
