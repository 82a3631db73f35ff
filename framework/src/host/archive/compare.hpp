// Comparing a node's archived products with a re-computation of them (`blindspot reproduce`).
#pragma once

#include <string>
#include <vector>

#include "blindspot/node.hpp"

namespace blindspot::host {

/// How far one re-computed product is from the archived one.
struct ProductDifference {
  std::string port;
  double largest = 0.0;  // largest absolute difference of any value; inf if shapes or texts differ
  std::string where;     // the tensor, string list or attribute holding it
};

/// One entry per port of either side, as the archived product's kind compares them
/// (ProductType::compare); a port missing on one side differs infinitely.
std::vector<ProductDifference> compare_products(const StoredProducts& archived,
                                                const StoredProducts& recomputed);

}  // namespace blindspot::host
