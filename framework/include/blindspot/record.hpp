// What a product looks like in an archive: named tensors, string lists and attributes.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// An attribute of a product: text, an integer or a real number, archived as the HDF5 type of
/// the same kind (so h5py reads `num_classes` as a number, not "10").
using Attribute = std::variant<std::string, std::int64_t, double>;

/// A product as stored under /nodes/NODE/PORT; names may contain '/' to nest groups.
struct Record {
  std::map<std::string, at::Tensor> tensors;  // datasets: float32, float64, int64 or uint8
  std::map<std::string, std::vector<std::string>> strings;  // datasets of strings
  std::map<std::string, Attribute> attributes;              // attributes of the port's group
  /// Names of the dimensions of datasets, by dataset name, for tools that read named
  /// dimensions (xarray through h5netcdf): {"original", {"N", "C", "H", "W"}}. A dimension
  /// named like a 1-D dataset beside it is that dataset (a table's "rows" label its rows);
  /// others are dimensions without coordinates. Datasets not named here have anonymous ones.
  std::map<std::string, std::vector<std::string>> dimensions;
};

/// An attribute as text: strings as they are, numbers as fmt's shortest round-trip form.
BLINDSPOT_API std::string attribute_text(const Attribute& value);

/// The text attribute `name` of `record`, or null when it is absent or a number.
BLINDSPOT_API const std::string* text_attribute(const Record& record, const std::string& name);

}  // namespace blindspot
