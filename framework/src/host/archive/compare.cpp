// Comparing a node's archived products with a re-computation of them (`blindspot reproduce`).
#include "archive/compare.hpp"

#include <limits>
#include <set>

#include "blindspot/product_type.hpp"

namespace blindspot::host {

std::vector<ProductDifference> compare_products(const StoredProducts& archived,
                                                const StoredProducts& recomputed) {
  std::set<std::string> ports;
  for (const auto& entry : archived) ports.insert(entry.first);
  for (const auto& entry : recomputed) ports.insert(entry.first);
  std::vector<ProductDifference> out;
  for (const std::string& port : ports) {
    auto a = archived.find(port), b = recomputed.find(port);
    if (a == archived.end() || b == recomputed.end()) {
      out.push_back({port, std::numeric_limits<double>::infinity(), "the whole product"});
      continue;
    }
    // Each kind judges its own records; a kind no loaded plugin defines, value by value.
    const ProductKind kind = find_product_kind(a->second);
    const RecordDifference d =
        kind ? kind->compare(a->second, b->second) : compare_records(a->second, b->second);
    out.push_back({port, d.largest, d.where});
  }
  return out;
}

}  // namespace blindspot::host
