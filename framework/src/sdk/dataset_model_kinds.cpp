// The Dataset and Model kinds: archived by their node, which alone can rebuild them (a dataset
// re-reads its images, a model needs its architecture); shown in one line each.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include "blindspot/error.hpp"
#include "blindspot/products.hpp"

namespace blindspot {

namespace {

const std::string kLabels = "/labels";

/// The split a tensor name "SPLIT/labels" belongs to, or "" for another tensor.
std::string split_of_labels(const std::string& name) {
  if (name.size() <= kLabels.size() ||
      name.compare(name.size() - kLabels.size(), kLabels.size(), kLabels) != 0)
    return "";
  return name.substr(0, name.size() - kLabels.size());
}

/// Datasets: a source and, per split, int64 labels and indices of one length.
class DatasetType final : public ProductType {
 public:
  DatasetType() : ProductType("Dataset") {}
  void check(const Record& record) const override {
    if (!text_attribute(record, "source")) throw Error("", "the dataset has no 'source' text");
    for (const auto& [name, labels] : record.tensors) {
      const std::string split = split_of_labels(name);
      if (split.empty()) continue;
      auto indices = record.tensors.find(split + "/indices");
      if (indices == record.tensors.end())
        throw Error("", fmt::format("dataset split '{}' has labels but no indices", split));
      for (const at::Tensor* tensor : {&labels, &indices->second})
        if (tensor->scalar_type() != at::kLong || tensor->dim() != 1)
          throw Error(
              "",
              fmt::format("dataset split '{}': labels and indices must be int64 vectors", split));
      if (labels.size(0) != indices->second.size(0))
        throw Error("", fmt::format("dataset split '{}' has {} labels but {} indices", split,
                                    labels.size(0), indices->second.size(0)));
    }
  }
  std::string summary(const Record& record) const override {
    std::string splits;
    for (const auto& [name, tensor] : record.tensors)
      if (const std::string split = split_of_labels(name); !split.empty())
        splits += fmt::format("{}{} {}", splits.empty() ? "" : ", ", split, tensor.size(0));
    const std::string* source = text_attribute(record, "source");
    return fmt::format("Dataset ({}): {}", source ? *source : "?", splits);
  }
};

/// Models: the state dict; only the model's plugin can rebuild the network around it.
class ModelType final : public ProductType {
 public:
  ModelType() : ProductType("Model") {}
  std::string summary(const Record& record) const override {
    std::int64_t weights = 0;
    for (const auto& [name, tensor] : record.tensors) weights += tensor.numel();
    return fmt::format("Model: {} tensors, {} weights", record.tensors.size(), weights);
  }
};

}  // namespace

ProductKind Dataset::product_kind() {
  static const DatasetType type;
  return &type;
}

ProductKind Model::product_kind() {
  static const ModelType type;
  return &type;
}

}  // namespace blindspot
