// Upper Lipschitz bounds of single layers: operator norms of the linear ones, known constants of
// the others.
#include "layer_bounds.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "conv_norms.hpp"

namespace blindspot::spectral {

namespace {

using Ints = std::vector<std::int64_t>;

LayerBound unknown(LayerBound out, std::string why) {
  out.unknown = std::move(why);
  return out;
}

// The stride column: the stride when it is the same along both axes.
double common_stride(const Ints& stride) {
  return stride.size() == 2 && stride[0] == stride[1] ? static_cast<double>(stride[0])
                                                      : LayerBound::kNone;
}

// What a conv or pooling layer lacks to be bounded: kernel, stride and padding for both axes,
// and its input shape; "" if nothing.
std::string missing_geometry(const Layer& layer) {
  if (layer.kernel.size() != 2 || layer.stride.size() != 2) return "kernel or stride unknown";
  if (layer.padding.size() != 2) return "padding unknown (such as padding='same')";
  if (layer.input_shape.size() != 3)
    return "input shape unknown (the model is not a plain chain of its layers)";
  if (layer.input_shape[1] + 2 * layer.padding[0] < layer.kernel[0] ||
      layer.input_shape[2] + 2 * layer.padding[1] < layer.kernel[1])
    return "kernel larger than the padded input";
  return "";
}

// Why the output shape the layer reports differs from `expected` (dilation, ceil mode); "" if
// it does not, or if the layer reports none.
std::string unexpected_output(const Layer& layer, const Ints& expected) {
  if (layer.output_shape.empty() || layer.output_shape == expected) return "";
  return fmt::format(
      "output shape [{}] does not follow from kernel, stride and padding ([{}]): dilation or "
      "ceil mode, which the layer list does not show",
      fmt::join(layer.output_shape, ", "), fmt::join(expected, ", "));
}

// Sets the iterative norm of `gram` (on rows of `dim` values) as the layer's bound.
LayerBound iterate(LayerBound out, const GramOperator& gram, std::int64_t dim,
                   const IterationOptions& options, at::Generator& generator) {
  const TopSingularValue top =
      top_singular_value(gram, at::randn({1, dim}, generator, at::kDouble), options);
  out.iterative = out.bound = top.value.item<double>();
  out.steps = static_cast<double>(top.steps);
  out.converged = top.converged;
  return out;
}

LayerBound linear(const Layer& layer, const IterationOptions& options, at::Generator& generator) {
  LayerBound out;
  if (!layer.weight.defined() || layer.weight.dim() != 2) return unknown(out, "weight unknown");
  const at::Tensor& w = layer.weight;
  out.size = fmt::format("{}x{}", w.size(1), w.size(0));
  auto gram = [w](const at::Tensor& rows) {  // in the weight's dtype, as the layer runs
    return at::matmul(at::matmul(rows.to(w.scalar_type()), w.t()), w).to(at::kDouble);
  };
  return iterate(out, gram, w.size(1), options, generator);
}

LayerBound convolution(const Layer& layer, const IterationOptions& options,
                       at::Generator& generator) {
  LayerBound out;
  const at::Tensor& w = layer.weight;
  if (!w.defined() || w.dim() != 4) return unknown(out, "weight unknown");
  const std::int64_t in = layer.input_shape.size() == 3 ? layer.input_shape[0] : w.size(1);
  out.size = fmt::format("{}x{}x{}x{}", in, w.size(2), w.size(3), w.size(0));
  out.stride = common_stride(layer.stride);
  if (std::string missing = missing_geometry(layer); !missing.empty()) return unknown(out, missing);
  if (in % w.size(1) != 0)
    return unknown(out, fmt::format("{} input channels do not fit a kernel for {}", in, w.size(1)));
  const Convolution conv{w, layer.input_shape, layer.stride, layer.padding, in / w.size(1)};
  if (std::string why = unexpected_output(layer, conv.output()); !why.empty())
    return unknown(out, why);
  out.fourier = periodic_norm(conv);
  const std::int64_t dim = in * layer.input_shape[1] * layer.input_shape[2];
  return iterate(out, gram_operator(conv), dim, options, generator);
}

// Average pooling is the same box filter on every channel: one channel's convolution norm.
// Padding is assumed to count in the average (PyTorch's default, count_include_pad).
LayerBound average_pool(const Layer& layer, const IterationOptions& options,
                        at::Generator& generator) {
  LayerBound out;
  const Ints& k = layer.kernel;
  if (k.size() == 2) out.size = fmt::format("avg {}x{}", k[0], k[1]);
  out.stride = common_stride(layer.stride);
  if (std::string missing = missing_geometry(layer); !missing.empty()) return unknown(out, missing);
  const Ints& shape = layer.input_shape;
  const Convolution box{
      at::full({1, 1, k[0], k[1]}, 1.0 / static_cast<double>(k[0] * k[1]), at::kDouble),
      {1, shape[1], shape[2]},
      layer.stride,
      layer.padding};
  const Ints plane = box.output();
  if (std::string why = unexpected_output(layer, {shape[0], plane[1], plane[2]}); !why.empty())
    return unknown(out, why);
  out.fourier = periodic_norm(box);
  return iterate(out, gram_operator(box), shape[1] * shape[2], options, generator);
}

// The most windows of one axis that hold the same pixel: n pixels, `windows` windows of
// `kernel` pixels, one every `stride` from -padding.
std::int64_t windows_per_pixel(std::int64_t n, std::int64_t kernel, std::int64_t stride,
                               std::int64_t padding, std::int64_t windows) {
  std::int64_t most = 0;
  for (std::int64_t pixel = 0; pixel < n; ++pixel) {
    std::int64_t count = 0;
    for (std::int64_t j = 0; j < windows; ++j)
      count += j * stride - padding <= pixel && pixel < j * stride - padding + kernel;
    most = std::max(most, count);
  }
  return most;
}

// |max(a) - max(b)| <= max|a - b| <= |a - b| over each window, so |pool(a) - pool(b)|^2 is at
// most the sum over pixels of (windows holding the pixel) * (a - b)^2: the bound is sqrt of the
// most windows that share a pixel, reached when that pixel is the maximum of all of them.
LayerBound max_pool(const Layer& layer) {
  LayerBound out;
  const Ints &k = layer.kernel, &s = layer.stride;
  if (k.size() == 2) out.size = fmt::format("max {}x{}", k[0], k[1]);
  out.stride = common_stride(s);
  if (k.size() != 2 || s.size() != 2) return unknown(out, "kernel or stride unknown");
  std::int64_t shared = ((k[0] + s[0] - 1) / s[0]) * ((k[1] + s[1] - 1) / s[1]);  // any size
  const Ints& in = layer.input_shape;
  if (in.size() == 3 && layer.output_shape.size() == 3 && layer.padding.size() == 2)
    shared = windows_per_pixel(in[1], k[0], s[0], layer.padding[0], layer.output_shape[1]) *
             windows_per_pixel(in[2], k[1], s[1], layer.padding[1], layer.output_shape[2]);
  out.bound = std::sqrt(static_cast<double>(shared));
  return out;
}

LayerBound batch_norm(const Layer& layer) {
  LayerBound out;
  if (!layer.running_var.defined()) return unknown(out, "running variance unknown");
  const at::Tensor var = layer.running_var.to(at::kDouble);
  const at::Tensor gamma =
      layer.weight.defined() ? layer.weight.to(at::kDouble).abs() : at::ones_like(var);
  out.bound = (gamma / (var + layer.eps).sqrt()).max().item<double>();
  return out;
}

LayerBound constant(double bound) {
  LayerBound out;
  out.bound = bound;
  return out;
}

// The bound by the layer's kind.
LayerBound bound_by_kind(const Layer& layer, const IterationOptions& options,
                         at::Generator& generator) {
  switch (layer.kind) {
    case LayerKind::linear:
      return linear(layer, options, generator);
    case LayerKind::conv2d:
      return convolution(layer, options, generator);
    case LayerKind::avg_pool:
      return average_pool(layer, options, generator);
    case LayerKind::max_pool:
      return max_pool(layer);
    case LayerKind::batch_norm:
      return batch_norm(layer);
    case LayerKind::sigmoid:
      return constant(0.25);  // sigma' = sigma (1 - sigma) <= 1/4
    case LayerKind::relu:
    case LayerKind::tanh:
    case LayerKind::flatten:
      return constant(1.0);
    case LayerKind::other:
      break;
  }
  return unknown(LayerBound{}, "a layer of unknown kind");
}

}  // namespace

bool is_unit_kind(LayerKind kind) {
  return kind == LayerKind::relu || kind == LayerKind::tanh || kind == LayerKind::flatten;
}

LayerBound bound_layer(const Layer& layer, const IterationOptions& options,
                       at::Generator& generator) {
  LayerBound out = bound_by_kind(layer, options, generator);
  if (out.size.empty()) out.size = kind_name(layer.kind);
  return out;
}

}  // namespace blindspot::spectral
