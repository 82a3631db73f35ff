// A kind of product, described in one place: its name and what `show`, `report`, `reproduce`
// and `run --resume` do with its archived records. The host dispatches through it and never
// names a kind; a plugin defines a new kind by deriving from ProductType.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/export.hpp"
#include "blindspot/record.hpp"
#include "blindspot/report.hpp"

namespace blindspot {

class Product;

/// How far a re-computed record is from the archived one (`blindspot reproduce`).
struct RecordDifference {
  double largest = 0.0;  // largest absolute difference of any value; inf if shapes or texts differ
  std::string where;     // the tensor, string list or attribute holding it
};

/// What a product's figures are asked to draw.
struct FigureRequest {
  std::string node, port;               // where the product is, for file names and captions
  std::vector<std::int64_t> positions;  // the samples to draw (see figure_candidates)
};

/// One kind of product. Each kind is a single object (the kind's identity is its address);
/// a product class returns it from `static ProductKind product_kind()`. The defaults suit a
/// kind with nothing to show: override what the kind has.
class BLINDSPOT_API ProductType {
 public:
  /// `name` is archived in each record's `kind` attribute and shown to users ("Table").
  explicit ProductType(std::string name) : name_(std::move(name)) {}
  virtual ~ProductType();
  ProductType(const ProductType&) = delete;
  ProductType& operator=(const ProductType&) = delete;

  const std::string& name() const { return name_; }
  /// Throws Error (no location) unless `record` has the form the kind promises: archives are
  /// untrusted. The default checks nothing.
  virtual void check(const Record& record) const;
  /// The product rebuilt from its record alone, for `run --resume`; nullptr when only its node
  /// can rebuild it (a model needs its architecture). The default: nullptr.
  virtual std::shared_ptr<const Product> load(const Record& record) const;
  /// One line for `blindspot show`. The default: the name and the number of tensors.
  virtual std::string summary(const Record& record) const;
  /// Lines `show` prints under the summary (a small table's rows). The default: none.
  virtual std::vector<std::string> details(const Record& record) const;
  /// The tables `report` prints for this product, found on output `port`. The default: none.
  virtual std::vector<TextTable> tables(const std::string& port, const Record& record) const;
  /// How many samples a figure can draw from (0: none), and the ones it picks among unless
  /// the user lists positions (ascending). The defaults: none, and every sample.
  virtual std::int64_t figure_samples(const Record& record) const;
  virtual std::vector<std::int64_t> figure_candidates(const Record& record) const;
  /// The figures of this product; `request.positions` are already chosen. The default: none.
  virtual std::vector<Figure> figures(const FigureRequest& request, const Record& record,
                                      Drawing& drawing) const;
  /// How far a re-computation is from the archive. The default compares every tensor, string
  /// list and attribute (compare_records).
  virtual RecordDifference compare(const Record& archived, const Record& recomputed) const;

 private:
  std::string name_;
};

/// A product kind: the address of its one ProductType.
using ProductKind = const ProductType*;

/// Name of a product kind as shown to users and archived ("Dataset", "Model", ...).
BLINDSPOT_API const char* kind_name(ProductKind kind);

/// The kind a record's `kind` attribute names, or nullptr when there is no such kind (or no
/// attribute). The built-in kinds are always known; plugins' kinds once registered.
BLINDSPOT_API ProductKind find_product_kind(const Record& record);
/// The kind registered under `name`, or nullptr.
BLINDSPOT_API ProductKind find_product_kind(const std::string& name);
/// Makes a plugin's kind known by its name (the host does this for every kind a loaded plugin
/// declares on its ports). The same object may be registered again (it is counted); another
/// object of a taken name throws Error.
BLINDSPOT_API void register_product_kind(ProductKind kind);
/// Undoes one register_product_kind, before the plugin that defines the kind is unloaded; the
/// name is forgotten with the last one.
BLINDSPOT_API void unregister_product_kind(ProductKind kind);

/// The largest difference between two records: of any tensor (NaNs in the same places are
/// equal), or infinite when a tensor, string list or attribute differs in shape or text or is
/// on one side only.
BLINDSPOT_API RecordDifference compare_records(const Record& archived, const Record& recomputed);

}  // namespace blindspot
