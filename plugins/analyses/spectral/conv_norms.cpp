// Periodic (Fourier) and zero-padded (Gram operator) norms of a 2D convolution.
#include "conv_norms.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace blindspot::spectral {

namespace {

// Bytes of kernel DFT held at once: the frequencies are visited in chunks of about this size.
constexpr std::int64_t kChunkBytes = std::int64_t{64} << 20;

std::int64_t round_up(std::int64_t n, std::int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

// The kernel of a grouped convolution as one dense [out, in, kh, kw] kernel, zero across groups.
at::Tensor dense_weight(const Convolution& conv) {
  const at::Tensor w = conv.weight.to(at::kDouble);
  if (conv.groups == 1) return w;
  const std::int64_t per_in = w.size(1), per_out = w.size(0) / conv.groups;
  at::Tensor dense =
      at::zeros({w.size(0), per_in * conv.groups, w.size(2), w.size(3)}, w.options());
  for (std::int64_t g = 0; g < conv.groups; ++g)
    dense.narrow(0, g * per_out, per_out)
        .narrow(1, g * per_in, per_in)
        .copy_(w.narrow(0, g * per_out, per_out));
  return dense;
}

// exp(-2 pi i f t / n) for the frequencies f (rows) and the kernel taps t < taps (columns). A
// kernel longer than n wraps around, as it does under periodic padding.
at::Tensor dft_matrix(const at::Tensor& frequencies, std::int64_t n, std::int64_t taps) {
  const at::Tensor angle = frequencies.to(at::kDouble).unsqueeze(1) *
                           at::arange(taps, at::kDouble).unsqueeze(0) * (-2.0 * M_PI / n);
  return at::polar(at::ones_like(angle), angle);
}

// The largest eigenvalue of A A^H over a batch of complex matrices A.
double largest_gram_eigenvalue(const at::Tensor& a) {
  const at::Tensor gram = a.size(1) <= a.size(2) ? at::matmul(a, a.mH()) : at::matmul(a.mH(), a);
  return at::linalg_eigvalsh(gram).select(-1, -1).max().item<double>();
}

}  // namespace

std::vector<std::int64_t> Convolution::output() const {
  return {weight.size(0), (input[1] + 2 * padding[0] - weight.size(2)) / stride[0] + 1,
          (input[2] + 2 * padding[1] - weight.size(3)) / stride[1] + 1};
}

double periodic_norm(const Convolution& conv) {
  const at::Tensor w = dense_weight(conv).to(at::kComplexDouble);
  const std::int64_t out = w.size(0), in = w.size(1);
  const std::int64_t sh = conv.stride[0], sw = conv.stride[1];
  const std::int64_t nh = round_up(conv.input[1], sh), nw = round_up(conv.input[2], sw);
  const std::int64_t mh = nh / sh, mw = nw / sw;
  // The DFT along the width, [out, in, kh, nw]; along the height chunk by chunk below.
  const at::Tensor by_column = at::matmul(w, dft_matrix(at::arange(nw), nw, w.size(3)).t());
  // Output frequency row a takes input frequency rows a + l * mh, l < sh. The kernel is real, so
  // frequency -xi gives the conjugate matrix of xi: rows up to mh / 2 cover every singular value.
  const std::int64_t half = mh / 2 + 1;
  const std::int64_t rows_per_chunk =
      std::max<std::int64_t>(1, kChunkBytes / (out * in * sh * nw * 16));
  double largest = 0.0;
  for (std::int64_t first = 0; first < half; first += rows_per_chunk) {
    const std::int64_t rows = std::min(rows_per_chunk, half - first);
    const at::Tensor frequencies =
        (at::arange(sh).unsqueeze(1) * mh + at::arange(first, first + rows).unsqueeze(0)).flatten();
    const at::Tensor dft = at::matmul(dft_matrix(frequencies, nh, w.size(2)), by_column);
    // [out, in, sh, rows, sw, mw] -> one out x (in * sh * sw) matrix per output frequency.
    const at::Tensor aliased = dft.reshape({out, in, sh, rows, sw, mw})
                                   .permute({3, 5, 0, 1, 2, 4})
                                   .reshape({rows * mw, out, in * sh * sw});
    largest = std::max(largest, largest_gram_eigenvalue(aliased));
  }
  return std::sqrt(largest / static_cast<double>(sh * sw));
}

GramOperator gram_operator(const Convolution& conv) {
  const at::Tensor& w = conv.weight;
  const std::vector<std::int64_t> out = conv.output();
  // What the strided convolution leaves of the input: the transposed one must give it back.
  const std::vector<std::int64_t> output_padding = {
      conv.input[1] + 2 * conv.padding[0] - w.size(2) - (out[1] - 1) * conv.stride[0],
      conv.input[2] + 2 * conv.padding[1] - w.size(3) - (out[2] - 1) * conv.stride[1]};
  return [conv, output_padding](const at::Tensor& rows) {
    const at::Tensor x = rows.reshape({rows.size(0), conv.input[0], conv.input[1], conv.input[2]})
                             .to(conv.weight.scalar_type());
    const at::Tensor y =
        at::conv2d(x, conv.weight, {}, conv.stride, conv.padding, {1, 1}, conv.groups);
    return at::conv_transpose2d(y, conv.weight, {}, conv.stride, conv.padding, output_padding,
                                conv.groups, {1, 1})
        .reshape({rows.size(0), -1})
        .to(at::kDouble);
  };
}

}  // namespace blindspot::spectral
