// One layer's activations phi(x) over many images, reduced batch by batch: which units vary,
// and the projections <phi(x), v> on given directions.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/layers.hpp"

namespace blindspot::units {

/// The layer just before the model's last linear layer (the last hidden representation);
/// throws Error naming the layers if there is none.
std::string default_layer(const std::vector<Layer>& layers);

/// Number of values in one image's output of `layer` (the length of phi(x)); throws Error naming
/// the layers that exist if the model has no such layer.
std::int64_t layer_width(const std::vector<Layer>& layers, const std::string& layer);

/// Bool [D]: the units of phi that do not take the same value on every image.
at::Tensor varying_units(const Classifier& net, const std::string& layer, const at::Tensor& images,
                         std::int64_t batch);

/// Float64 [N, S]: <phi(x_n), d_s> for every image and every row d_s of `directions` [S, D].
at::Tensor projections(const Classifier& net, const std::string& layer, const at::Tensor& images,
                       const at::Tensor& directions, std::int64_t batch);

}  // namespace blindspot::units
