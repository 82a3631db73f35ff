// Summaries of archived products by their kind.
#include "cli/product_lines.hpp"

#include <fmt/format.h>

#include "blindspot/product_type.hpp"

namespace blindspot::host {

std::string product_summary(const Record& record) {
  if (const ProductKind kind = find_product_kind(record)) return kind->summary(record);
  const std::string* name = text_attribute(record, "kind");
  return fmt::format("{} (a kind no loaded plugin defines)", name ? *name : "?");
}

std::vector<std::string> product_details(const Record& record) {
  const ProductKind kind = find_product_kind(record);
  return kind ? kind->details(record) : std::vector<std::string>{};
}

}  // namespace blindspot::host
