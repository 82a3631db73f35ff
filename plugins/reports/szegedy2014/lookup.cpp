// Finding what the paper's tables need in an archive: by products, ports and parameters.
#include "lookup.hpp"

#include <cmath>

namespace blindspot::szegedy2014 {

std::optional<Table> table_of(const ArchivedNode& node, const std::string& port) {
  const Record* record = node.product(port, Table::product_kind());
  if (!record) return std::nullopt;
  return Table::load(*record);
}

double value(const Table& table, const std::string& row, const std::string& column) {
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.rows[r] == row && table.columns[c] == column) return table.at(r, c);
  return NAN;
}

bool has_parameter(const ArchivedNode& node, const std::string& key) {
  return node.parameters.find(key) != node.parameters.end();
}

const ArchivedNode* first_reader(const ArchiveView& archive, const std::string& node,
                                 const std::string& port,
                                 const std::function<bool(const ArchivedNode&)>& fits) {
  for (const ArchivedNode* reader : archive.readers_of(node, port))
    if (fits(*reader)) return reader;
  return nullptr;
}

}  // namespace blindspot::szegedy2014
