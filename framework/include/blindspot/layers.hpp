// A model's layers as the analyses see them: kind, weights and hyper-parameters.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// What a layer computes.
enum class LayerKind {
  linear,
  conv2d,
  relu,
  sigmoid,
  tanh,
  max_pool,
  avg_pool,
  batch_norm,
  flatten,
  other
};

/// Name of a layer kind ("linear", "conv2d", ...).
BLINDSPOT_API const char* kind_name(LayerKind kind);

/// One layer in forward order, with what the spectral analysis needs to bound it.
struct Layer {
  std::string name;
  LayerKind kind = LayerKind::other;
  at::Tensor weight;  // linear [out, in]; conv2d [out, in, kh, kw]; batch_norm gamma
  at::Tensor bias;    // may be undefined
  std::vector<std::int64_t> kernel, stride, padding;  // conv2d and pooling
  at::Tensor running_var;                             // batch_norm
  double eps = 0.0;                                   // batch_norm
  std::vector<std::int64_t> input_shape;              // per sample, e.g. {1, 28, 28}
  std::vector<std::int64_t> output_shape;             // per sample
};

}  // namespace blindspot
