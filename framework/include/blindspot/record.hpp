// What a product looks like in an archive: named tensors, string lists and attributes.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace blindspot {

/// A product as stored under /nodes/NODE/PORT; names may contain '/' to nest groups.
struct Record {
  std::map<std::string, at::Tensor> tensors;  // datasets: float32, float64, int64 or uint8
  std::map<std::string, std::vector<std::string>> strings;  // datasets of strings
  std::map<std::string, std::string> attributes;            // attributes of the port's group
};

}  // namespace blindspot
