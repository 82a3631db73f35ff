// The largest singular value of many matrices at once, from their Gram operators, by restarted
// Lanczos or by plain power iteration.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace blindspot::spectral {

/// Applies A_i^T A_i to row i of a float64 [batch, dim] tensor; each row has its own matrix A_i.
using GramOperator = std::function<at::Tensor(const at::Tensor&)>;

/// How the largest eigenvalue of a Gram operator is sought.
enum class Iteration {
  lanczos,  // Krylov: the best estimate in the space power iteration explores, restarted
  power     // v <- A^T A v / |A^T A v|
};

/// The method and when it stops: when no row's estimate changes by more than `tolerance` (a
/// fraction of it) in one step, or after `max_steps` applications of the operator.
struct IterationOptions {
  Iteration method = Iteration::lanczos;
  double tolerance = 1e-6;
  std::int64_t max_steps = 1000;
};

/// The largest singular value of each A_i, and what it took to find it.
struct TopSingularValue {
  at::Tensor value;        // float64 [batch]
  std::int64_t steps = 0;  // applications of the Gram operator
  bool converged = false;  // every row met the tolerance within max_steps
};

/// Estimates sqrt(lambda_max(A_i^T A_i)) for every row of `start` (float64 [batch, dim], random),
/// from below; rows stop changing once they meet the tolerance.
TopSingularValue top_singular_value(const GramOperator& gram, const at::Tensor& start,
                                    const IterationOptions& options);

}  // namespace blindspot::spectral
