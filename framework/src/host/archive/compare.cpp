// Comparing a node's archived products with a re-computation of them (`blindspot reproduce`).
#include "archive/compare.hpp"

#include <ATen/ATen.h>

#include <limits>
#include <set>

namespace blindspot::host {

namespace {

constexpr double kInfinite = std::numeric_limits<double>::infinity();

/// Largest absolute difference of two tensors; infinite when their shapes differ.
double tensor_difference(const at::Tensor& a, const at::Tensor& b) {
  if (!a.sizes().equals(b.sizes())) return kInfinite;
  if (a.numel() == 0) return 0.0;
  const at::Tensor x = a.to(at::kDouble), y = b.to(at::kDouble);
  const at::Tensor both_nan = x.isnan().logical_and(y.isnan());
  const at::Tensor gap = at::where(both_nan, at::zeros_like(x), (x - y).abs());
  if (gap.isnan().any().item<bool>()) return kInfinite;  // NaN on one side only
  return gap.max().item<double>();
}

/// `name`, saying on which side it is missing, if it is.
template <class Map>
std::string located(const std::string& name, const Map& archived, const Map& recomputed) {
  if (!archived.count(name)) return name + " (only in the re-run)";
  if (!recomputed.count(name)) return name + " (only in the archive)";
  return name;
}

/// Keeps the larger of `current` and (`value`, `where`).
void keep_largest(ProductDifference& current, double value, const std::string& where) {
  if (current.where.empty() || value > current.largest) {
    current.largest = value;
    current.where = where;
  }
}

template <class Map>
std::set<std::string> keys_of(const Map& a, const Map& b) {
  std::set<std::string> keys;
  for (const auto& entry : a) keys.insert(entry.first);
  for (const auto& entry : b) keys.insert(entry.first);
  return keys;
}

ProductDifference compare_records(const std::string& port, const Record& a, const Record& b) {
  ProductDifference out{port, 0.0, ""};
  for (const std::string& name : keys_of(a.tensors, b.tensors)) {
    auto x = a.tensors.find(name), y = b.tensors.find(name);
    const bool both = x != a.tensors.end() && y != b.tensors.end();
    keep_largest(out, both ? tensor_difference(x->second, y->second) : kInfinite,
                 located(name, a.tensors, b.tensors));
  }
  for (const std::string& name : keys_of(a.strings, b.strings)) {
    auto x = a.strings.find(name), y = b.strings.find(name);
    const bool same = x != a.strings.end() && y != b.strings.end() && x->second == y->second;
    keep_largest(out, same ? 0.0 : kInfinite, located(name, a.strings, b.strings));
  }
  for (const std::string& name : keys_of(a.attributes, b.attributes)) {
    auto x = a.attributes.find(name), y = b.attributes.find(name);
    const bool same = x != a.attributes.end() && y != b.attributes.end() && x->second == y->second;
    keep_largest(out, same ? 0.0 : kInfinite,
                 "attribute " + located(name, a.attributes, b.attributes));
  }
  return out;
}

}  // namespace

std::vector<ProductDifference> compare_products(const StoredProducts& archived,
                                                const StoredProducts& recomputed) {
  std::vector<ProductDifference> out;
  for (const std::string& port : keys_of(archived, recomputed)) {
    auto a = archived.find(port), b = recomputed.find(port);
    if (a == archived.end() || b == recomputed.end())
      out.push_back({port, kInfinite, "the whole product"});
    else
      out.push_back(compare_records(port, a->second, b->second));
  }
  return out;
}

}  // namespace blindspot::host
