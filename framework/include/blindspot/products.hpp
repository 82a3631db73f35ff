// The built-in product kinds that flow between nodes; each knows its own archive form.
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

/// Base of every product: its kind and its archive form. A product class T also declares
/// `static ProductKind product_kind()`, which ports and Inputs::get<T> use.
class BLINDSPOT_API Product {
 public:
  virtual ~Product();
  virtual ProductKind kind() const = 0;
  virtual Record save() const = 0;
  /// Adversarial examples it holds: the run's summary reports them per second. 0 by default.
  virtual std::int64_t examples() const { return 0; }
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
  static ProductKind product_kind();
  std::string source;  // "mnist", "fashion-mnist" or a folder
  std::int64_t num_classes = 10;
  std::map<std::string, LabelledImages> splits;

  /// The named split; throws Error naming the splits that exist.
  const LabelledImages& split(const std::string& name) const;
  ProductKind kind() const override { return product_kind(); }
  /// Labels and source indices per split; images are re-read from the source, not archived.
  Record save() const override;
};

/// A trained classifier.
class BLINDSPOT_API Model final : public Product {
 public:
  static ProductKind product_kind();
  std::shared_ptr<Classifier> net;

  explicit Model(std::shared_ptr<Classifier> classifier) : net(std::move(classifier)) {}
  ProductKind kind() const override { return product_kind(); }
  /// The state dict, one dataset per weight.
  Record save() const override;
};

/// How a report prints the numbers of a table column.
enum class CellFormat {
  plain,       // whole numbers as such, others to four significant digits
  percent,     // a fraction as a percentage with two decimals ("1.64%")
  count,       // a whole number
  distortion,  // a per-pixel RMS distortion, to four significant digits
};

/// A table of numbers with named rows and columns (error rates, transfer matrices, ...).
class BLINDSPOT_API Table final : public Product {
 public:
  static ProductKind product_kind();
  std::string title;
  std::vector<std::string> rows, columns;
  std::vector<CellFormat> formats;  // one per column; plain where a table says nothing
  at::Tensor values;                // float64 [rows, columns]
  /// Values to print beside ours ("ours (theirs)"), row by row, "" where there is none; empty
  /// when the table has none. `reference_source` says where they come from.
  std::vector<std::string> references;
  std::string reference_source;

  Table() = default;
  Table(std::string title, std::vector<std::string> rows, std::vector<std::string> columns);
  double at(std::size_t row, std::size_t column) const;
  void set(std::size_t row, std::size_t column, double value);
  /// Sets the format of the named column; throws Error if there is no such column.
  Table& format(const std::string& column, CellFormat format);
  /// Sets the reference value printed beside a cell ("6.7%") and where such values come from;
  /// throws Error if there is no such row or column.
  Table& refer(const std::string& row, const std::string& column, const std::string& value,
               const std::string& source);
  /// The cell as reports print it (NaN and infinities as they are), then its reference value
  /// in brackets when it has one.
  std::string text(std::size_t row, std::size_t column) const;
  ProductKind kind() const override { return product_kind(); }
  Record save() const override;
  static Table load(const Record& record);

 private:
  /// The cell's number in its column's format.
  std::string number_text(std::size_t row, std::size_t column) const;
};

/// Perturbed copies of labelled images, made by an attack (or by noise), with per-sample facts.
class BLINDSPOT_API AdversarialSet final : public Product {
 public:
  static ProductKind product_kind();
  at::Tensor original;                      // float32 [N, C, H, W]
  at::Tensor adversarial;                   // float32 [N, C, H, W]
  at::Tensor labels;                        // int64 [N], the true labels
  at::Tensor indices;                       // int64 [N], positions in the data source
  at::Tensor target;                        // int64 [N], the label aimed at; -1 when untargeted
  at::Tensor original_prediction;           // int64 [N], the attacked model on `original`
  at::Tensor prediction;                    // int64 [N], the attacked model on `adversarial`
  at::Tensor success;                       // uint8 [N], 1 when the attack reached its goal
  at::Tensor distortion;                    // float32 [N], sqrt(mean((adversarial - original)^2))
  std::map<std::string, at::Tensor> extra;  // attack-specific per-sample values (c, iterations)

  std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  std::int64_t examples() const override { return size(); }
  /// How many successes, and their mean distortion (NaN when there are none).
  std::int64_t successes() const;
  double mean_success_distortion() const;
  /// How many samples the attacked model got wrong before the attack.
  std::int64_t misclassified_before() const;
  /// adversarial - original.
  at::Tensor perturbation() const;
  /// Per-pixel RMS of each sample's perturbation: the paper's distortion.
  static at::Tensor rms_distortion(const at::Tensor& original, const at::Tensor& adversarial);
  ProductKind kind() const override { return product_kind(); }
  /// One dataset per field, the perturbation x' - x, and `extra` values under extra/NAME.
  Record save() const override;
  static AdversarialSet load(const Record& record);

 private:
  /// Each archived field with its dataset name.
  std::vector<std::pair<const char*, at::Tensor*>> fields();
};

/// Named tensors an analysis computes that are not a table: saliency maps, top-k indices and
/// scores. Each tensor is archived as one dataset under its name.
class BLINDSPOT_API Arrays final : public Product {
 public:
  static ProductKind product_kind();
  std::string title;
  std::map<std::string, at::Tensor> values;

  /// The named tensor; throws Error naming the tensors that exist.
  const at::Tensor& get(const std::string& name) const;
  ProductKind kind() const override { return product_kind(); }
  Record save() const override;
  static Arrays load(const Record& record);
};

}  // namespace blindspot
