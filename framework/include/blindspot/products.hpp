// The product kinds that flow between nodes; each knows its own archive form.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/export.hpp"
#include "blindspot/record.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// Base of every product: its kind and its archive form.
class BLINDSPOT_API Product {
 public:
  virtual ~Product();
  virtual ProductKind kind() const = 0;
  virtual Record save() const = 0;
};

/// Images with labels: images float32 [N, C, H, W] in [0, 1], labels and source indices int64 [N].
struct BLINDSPOT_API LabelledImages {
  at::Tensor images;
  at::Tensor labels;
  at::Tensor indices;  // position of each image in the source files

  std::int64_t size() const;
  /// Rows [offset, offset + count); throws Error if out of range.
  LabelledImages slice(std::int64_t offset, std::int64_t count) const;
};

/// A data set split into named parts ("train", "test", and the disjoint halves "p1", "p2").
class BLINDSPOT_API Dataset final : public Product {
 public:
  static constexpr ProductKind product_kind = ProductKind::dataset;
  std::string source;  // "mnist", "fashion-mnist" or a folder
  std::int64_t num_classes = 10;
  std::map<std::string, LabelledImages> splits;

  /// The named split; throws Error naming the splits that exist.
  const LabelledImages& split(const std::string& name) const;
  ProductKind kind() const override { return product_kind; }
  /// Labels and source indices per split; images are re-read from the source, not archived.
  Record save() const override;
};

/// A trained classifier.
class BLINDSPOT_API Model final : public Product {
 public:
  static constexpr ProductKind product_kind = ProductKind::model;
  std::shared_ptr<Classifier> net;

  explicit Model(std::shared_ptr<Classifier> classifier) : net(std::move(classifier)) {}
  ProductKind kind() const override { return product_kind; }
  /// The state dict, one dataset per weight.
  Record save() const override;
};

/// A table of numbers with named rows and columns (error rates, transfer matrices, ...).
class BLINDSPOT_API Table final : public Product {
 public:
  static constexpr ProductKind product_kind = ProductKind::table;
  std::string title;
  std::vector<std::string> rows, columns;
  at::Tensor values;  // float64 [rows, columns]

  Table() = default;
  Table(std::string title, std::vector<std::string> rows, std::vector<std::string> columns);
  double at(std::size_t row, std::size_t column) const;
  void set(std::size_t row, std::size_t column, double value);
  ProductKind kind() const override { return product_kind; }
  Record save() const override;
  static Table load(const Record& record);
};

}  // namespace blindspot
