// Operator norms of a 2D convolution: with periodic padding from the DFT of its kernel (the
// paper's method), and as the network runs it (zero padding, stride) through its Gram operator.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "krylov.hpp"

namespace blindspot::spectral {

/// A convolution (cross-correlation, dilation 1) as a layer applies it to one input.
struct Convolution {
  at::Tensor weight;                          // [out, in / groups, kh, kw]
  std::vector<std::int64_t> input;            // {channels, height, width}
  std::vector<std::int64_t> stride, padding;  // {vertical, horizontal}
  std::int64_t groups = 1;

  /// {out channels, height, width} of the output.
  std::vector<std::int64_t> output() const;
};

/// The exact operator norm of the convolution with periodic padding on the input size, rounded
/// up to a multiple of the stride: the largest singular value over spatial frequencies xi of
/// the out x (in * stride^2) matrix of the kernel's 2D DFT at xi and its stride^2 aliases,
/// divided by the stride (Szegedy et al. Section 4.3; Sedghi et al. 2019 for stride 1).
double periodic_norm(const Convolution& conv);

/// x -> A^T A x for the convolution A as it runs (zero padding, stride), on float64 rows of
/// in * height * width values; A^T is the transposed convolution, both in the weight's dtype.
GramOperator gram_operator(const Convolution& conv);

}  // namespace blindspot::spectral
