// Checks of what an archive holds, before any of it is used: products by kind, and names.
#include "archive/product_check.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "blindspot/error.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace blindspot::host {
namespace {

// Each split's labels and indices: int64 vectors of one length.
void check_dataset(const Record& record) {
  if (record.attributes.count("source") == 0) throw Error("", "the dataset has no 'source'");
  const std::string suffix = "/labels";
  for (const auto& [name, labels] : record.tensors) {
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string split = name.substr(0, name.size() - suffix.size());
    auto indices = record.tensors.find(split + "/indices");
    if (indices == record.tensors.end())
      throw Error("", fmt::format("dataset split '{}' has labels but no indices", split));
    for (const at::Tensor* tensor : {&labels, &indices->second})
      if (tensor->scalar_type() != at::kLong || tensor->dim() != 1)
        throw Error(
            "", fmt::format("dataset split '{}': labels and indices must be int64 vectors", split));
    if (labels.size(0) != indices->second.size(0))
      throw Error("", fmt::format("dataset split '{}' has {} labels but {} indices", split,
                                  labels.size(0), indices->second.size(0)));
  }
}

}  // namespace

void check_product(const Record& record) {
  auto kind = record.attributes.find("kind");
  if (kind == record.attributes.end()) return;  // what reads it says what it lacks
  if (kind->second == kind_name(ProductKind::table))
    Table::load(record);
  else if (kind->second == kind_name(ProductKind::adversarial_set))
    AdversarialSet::load(record);
  else if (kind->second == kind_name(ProductKind::arrays))
    Arrays::load(record);
  else if (kind->second == kind_name(ProductKind::dataset))
    check_dataset(record);
}

void check_safe_name(const std::string& what, const std::string& name) {
  std::string shown;  // control characters as \xNN, so the message stays on one line
  bool control = false;
  for (unsigned char c : name) {
    const bool bad = c < 0x20 || c == 0x7f;
    control = control || bad;
    shown += bad ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
  }
  if (name.empty() || control || name == "." || name.find("..") != std::string::npos ||
      name.find_first_of("/\\") != std::string::npos)
    throw Error("", fmt::format("unsafe {} name '{}': a name must be non-empty, without '/', "
                                "'\\', '..' or control characters",
                                what, shown));
}

}  // namespace blindspot::host
