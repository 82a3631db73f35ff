// A node's products as bytes, to send them from the rank that made them to the ranks that need
// them; and a tensor's rows, for Ranks::combine().
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "blindspot/node.hpp"

namespace blindspot::host {

/// Every record of `products` (tensors, strings, attributes, dimension names) as bytes.
std::string products_to_bytes(const StoredProducts& products);
/// The records products_to_bytes() wrote; throws std::runtime_error on bytes it did not write.
StoredProducts products_from_bytes(const std::string& bytes);

/// A node finished on one rank, as the rank that writes the archive and the ranks that use its
/// products need it.
struct FinishedNode {
  std::string status;     // as the archive records it: "complete", "restored", "loaded from X"
  double duration = 0.0;  // seconds the node took to compute (0 when it was not computed)
  StoredProducts products;
};

/// A finished node as bytes.
std::string finished_to_bytes(const FinishedNode& node);
/// The node finished_to_bytes() wrote; throws std::runtime_error on bytes it did not write.
FinishedNode finished_from_bytes(const std::string& bytes);

/// A tensor (type, shape and values) as bytes.
std::string tensor_to_bytes(const at::Tensor& tensor);
/// The tensor tensor_to_bytes() wrote; throws std::runtime_error on bytes it did not write.
at::Tensor tensor_from_bytes(const std::string& bytes);

}  // namespace blindspot::host
