// Restarted Lanczos and power iteration for the largest eigenvalue of batched Gram operators.
#include "krylov.hpp"

#include <ATen/ATen.h>

#include <limits>
#include <tuple>
#include <vector>

namespace blindspot::spectral {

namespace {

// Lanczos vectors kept before restarting from the best Ritz vector: enough to converge in tens
// of steps on the layers of AlexNet, few enough that the basis of a 3x224x224 input stays small.
constexpr std::int64_t kRestart = 30;

// Each row scaled to unit length; zero rows stay zero.
at::Tensor unit_rows(const at::Tensor& v) {
  return v / v.norm(2, {1}, /*keepdim=*/true).clamp_min(std::numeric_limits<double>::min());
}

/// The current estimate of every row; a row that has met the tolerance keeps its estimate.
class Estimates {
 public:
  Estimates(std::int64_t rows, double tolerance)
      : tolerance_(tolerance),
        value_(at::zeros({rows}, at::kDouble)),
        done_(at::zeros({rows}, at::kBool)) {}

  /// Takes new estimates; `comparable` is false when the step could not change them (the first
  /// step after a restart repeats the Ritz value), so it cannot show convergence.
  void update(const at::Tensor& fresh, bool comparable) {
    const at::Tensor next = at::where(done_, value_, fresh);
    if (comparable) done_ = done_.logical_or((next - value_).abs() <= tolerance_ * next);
    value_ = next;
  }
  bool all_done() const { return done_.all().item<bool>(); }
  TopSingularValue result(std::int64_t steps) const { return {value_, steps, all_done()}; }

 private:
  double tolerance_;
  at::Tensor value_, done_;
};

// Eigenvalues (ascending) and eigenvectors of each row's Lanczos tridiagonal matrix.
std::tuple<at::Tensor, at::Tensor> tridiagonal_eigen(const std::vector<at::Tensor>& alpha,
                                                     const std::vector<at::Tensor>& beta) {
  at::Tensor t = at::diag_embed(at::stack(alpha, 1));
  if (alpha.size() > 1) {
    const at::Tensor off =
        at::stack(std::vector<at::Tensor>(beta.begin(), beta.begin() + alpha.size() - 1), 1);
    t = t + at::diag_embed(off, 1) + at::diag_embed(off, -1);
  }
  return at::linalg_eigh(t);
}

TopSingularValue lanczos(const GramOperator& gram, const at::Tensor& start,
                         const IterationOptions& options) {
  Estimates estimates(start.size(0), options.tolerance);
  at::Tensor v = unit_rows(start);
  std::int64_t steps = 0;
  for (bool restarted = false;; restarted = true) {
    std::vector<at::Tensor> basis{v}, alpha, beta;
    for (std::int64_t j = 0;; ++j) {
      at::Tensor w = gram(basis[j]);
      ++steps;
      alpha.push_back((w * basis[j]).sum(1));
      const at::Tensor stacked = at::stack(basis, 1);  // [batch, j + 1, dim]
      for (int pass = 0; pass < 2; ++pass)  // full reorthogonalisation; one pass leaves rounding
        w = w - at::bmm(at::bmm(stacked, w.unsqueeze(2)).transpose(1, 2), stacked).squeeze(1);
      beta.push_back(w.norm(2, {1}));
      const auto [theta, ritz] = tridiagonal_eigen(alpha, beta);
      const at::Tensor top = theta.select(1, j).clamp_min(0);
      estimates.update(top.sqrt(), j > 0 || !restarted);
      if (estimates.all_done() || steps >= options.max_steps) return estimates.result(steps);
      if (j + 1 == kRestart) {
        v = unit_rows(at::bmm(ritz.select(2, j).unsqueeze(1), stacked).squeeze(1));
        break;
      }
      // A row whose Krylov space is exhausted already holds its exact value; it goes on with zeros.
      const at::Tensor exhausted = (beta.back() <= 1e-12 * top).unsqueeze(1);
      basis.push_back(at::where(exhausted, at::zeros_like(w), w / beta.back().unsqueeze(1)));
    }
  }
}

TopSingularValue power_iteration(const GramOperator& gram, const at::Tensor& start,
                                 const IterationOptions& options) {
  Estimates estimates(start.size(0), options.tolerance);
  at::Tensor v = unit_rows(start);
  for (std::int64_t steps = 1;; ++steps) {
    const at::Tensor w = gram(v);
    estimates.update((w * v).sum(1).clamp_min(0).sqrt(), /*comparable=*/true);  // |A v|, |v| = 1
    if (estimates.all_done() || steps >= options.max_steps) return estimates.result(steps);
    v = unit_rows(w);
  }
}

}  // namespace

TopSingularValue top_singular_value(const GramOperator& gram, const at::Tensor& start,
                                    const IterationOptions& options) {
  return options.method == Iteration::lanczos ? lanczos(gram, start, options)
                                              : power_iteration(gram, start, options);
}

}  // namespace blindspot::spectral
