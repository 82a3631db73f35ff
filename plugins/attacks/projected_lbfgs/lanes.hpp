// Vector loops whose results do not depend on the vector width the compiler picks.
#pragma once

#include <algorithm>
#include <cstdint>

namespace blindspot::projected_lbfgs::lanes {

/// Partial sums kept per reduction: element j goes to lane j % kWidth, and the lanes are added
/// in one fixed order, so SSE2, AVX2 and AVX-512 code gives the same bits (with contraction to
/// fused multiply-adds off, as solver.cpp is compiled). Sixteen lanes give AVX-512 two
/// independent chains of additions.
constexpr int kWidth = 16;

/// The lanes added in a fixed order (a pairwise tree).
inline double total(const double (&lane)[kWidth]) {
  double sum[kWidth];
  std::copy(lane, lane + kWidth, sum);
  for (int half = kWidth / 2; half > 0; half /= 2)
    for (int l = 0; l < half; ++l) sum[l] += sum[l + half];
  return sum[0];
}

/// Calls body(j, l) for every j in [0, n), l = j % kWidth being its lane, in blocks of kWidth
/// that the compiler turns into vector instructions.
template <class Body>
inline void each(std::int64_t n, Body&& body) {
  std::int64_t j = 0;
  for (; j + kWidth <= n; j += kWidth)
    for (int l = 0; l < kWidth; ++l) body(j + l, l);
  for (int l = 0; j < n; ++j, ++l) body(j, l);
}

/// a'b over n values.
template <class Real>
inline double dot(const Real* __restrict a, const double* __restrict b, std::int64_t n) {
  double lane[kWidth] = {};
  each(n, [&](std::int64_t j, int l) { lane[l] += static_cast<double>(a[j]) * b[j]; });
  return total(lane);
}

/// y += a x over n values.
template <class Real>
inline void axpy(double a, const Real* __restrict x, double* __restrict y, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) y[j] += a * static_cast<double>(x[j]);
}

}  // namespace blindspot::projected_lbfgs::lanes
