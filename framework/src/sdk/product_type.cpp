// Product kinds: the defaults of a ProductType, the registry of kinds by name, and the record
// comparison `blindspot reproduce` uses.
#include "blindspot/product_type.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "blindspot/error.hpp"
#include "blindspot/products.hpp"

namespace blindspot {

namespace {

constexpr double kInfinite = std::numeric_limits<double>::infinity();

/// The kinds known by name: the built-in ones from the start, plugins' once registered.
class KindRegistry {
 public:
  static KindRegistry& instance() {
    static KindRegistry registry;
    return registry;
  }
  ProductKind find(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : it->second;
  }
  void add(ProductKind kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto [it, added] = kinds_.emplace(kind->name(), kind);
    if (!added && it->second != kind)
      throw Error("", fmt::format("product kind '{}' is defined twice (by two libraries); put "
                                  "one definition in a library both use",
                                  kind->name()));
    ++registrations_[kind];
  }
  void remove(ProductKind kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto count = registrations_.find(kind);
    if (count == registrations_.end() || --count->second > 0) return;
    registrations_.erase(count);
    if (!builtin_.count(kind)) kinds_.erase(kind->name());
  }

 private:
  KindRegistry() {
    for (ProductKind kind : {Dataset::product_kind(), Model::product_kind(), Table::product_kind(),
                             AdversarialSet::product_kind(), Arrays::product_kind()}) {
      kinds_.emplace(kind->name(), kind);
      builtin_.insert(kind);
    }
  }
  std::mutex mutex_;
  std::map<std::string, ProductKind> kinds_;
  std::set<ProductKind> builtin_;
  std::map<ProductKind, int> registrations_;  // how many registries hold each kind
};

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
void keep_largest(RecordDifference& current, double value, const std::string& where) {
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

}  // namespace

ProductType::~ProductType() = default;

void ProductType::check(const Record&) const {}

std::shared_ptr<const Product> ProductType::load(const Record&) const {
  return nullptr;
}

std::string ProductType::summary(const Record& record) const {
  return fmt::format("{}: {} tensors", name_, record.tensors.size());
}

std::vector<std::string> ProductType::details(const Record&) const {
  return {};
}

std::vector<TextTable> ProductType::tables(const std::string&, const Record&) const {
  return {};
}

std::int64_t ProductType::figure_samples(const Record&) const {
  return 0;
}

std::vector<std::int64_t> ProductType::figure_candidates(const Record& record) const {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < figure_samples(record); ++i) out.push_back(i);
  return out;
}

std::vector<Figure> ProductType::figures(const FigureRequest&, const Record&, Drawing&) const {
  return {};
}

RecordDifference ProductType::compare(const Record& archived, const Record& recomputed) const {
  return compare_records(archived, recomputed);
}

const char* kind_name(ProductKind kind) {
  return kind ? kind->name().c_str() : "?";
}

ProductKind find_product_kind(const Record& record) {
  const std::string* name = text_attribute(record, "kind");
  return name ? find_product_kind(*name) : nullptr;
}

ProductKind find_product_kind(const std::string& name) {
  return KindRegistry::instance().find(name);
}

void register_product_kind(ProductKind kind) {
  KindRegistry::instance().add(kind);
}

void unregister_product_kind(ProductKind kind) {
  KindRegistry::instance().remove(kind);
}

RecordDifference compare_records(const Record& a, const Record& b) {
  RecordDifference out;
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
    // By text: an archive of format 1 holds the number 10 as "10".
    const bool same = x != a.attributes.end() && y != b.attributes.end() &&
                      attribute_text(x->second) == attribute_text(y->second);
    keep_largest(out, same ? 0.0 : kInfinite,
                 "attribute " + located(name, a.attributes, b.attributes));
  }
  return out;
}

}  // namespace blindspot
