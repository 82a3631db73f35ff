// The RobustnessCurves product kind: accuracy against the allowed distortion, a curve per
// minimal-distortion set and a point per fixed-budget set, with what `show` and `report` print.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "blindspot/products.hpp"
#include "blindspot/record.hpp"

namespace robustness {

using blindspot::ProductKind;
using blindspot::Record;

/// The norms a curve may measure the perturbation r = x' - x in, as the parameter names them.
extern const std::vector<std::string> kNorms;

/// A norm as axis labels and titles write it: RMS, L2 or L-inf.
std::string norm_label(const std::string& norm);

/// Accuracy against the allowed distortion: a curve per minimal-distortion set on a shared grid
/// of epsilons, and a point per fixed-budget set at its budget (both in `norm`).
class RobustnessCurves final : public blindspot::Product {
 public:
  static ProductKind product_kind();
  ProductKind kind() const override { return product_kind(); }
  Record save() const override;
  /// The curves of a record; throws Error unless it has the form save() writes.
  static RobustnessCurves load(const Record& record);

  std::string norm;                            // rms, l2 or linf
  std::vector<std::string> sets, budgeted;     // node names
  at::Tensor epsilon;                          // float64 [points], ascending from 0
  at::Tensor accuracy;                         // float64 [sets, points]
  at::Tensor budget_epsilon, budget_accuracy;  // float64 [budgeted]
};

}  // namespace robustness
