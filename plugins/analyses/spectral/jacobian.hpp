// The empirical lower bound of a network's Lipschitz constant: the spectral norm of the Jacobian
// of its logits with respect to each input image.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "krylov.hpp"

namespace blindspot::spectral {

/// |d logits / d image|_2 for every image, by the iterative method on J J^T (J^T u by one
/// backward pass, J v by differentiating J^T u with respect to u), `batch` images at a time;
/// start vectors come from `generator`; `progress` advances by one per image.
TopSingularValue jacobian_norms(const Classifier& net, const at::Tensor& images, std::int64_t batch,
                                const IterationOptions& options, at::Generator& generator,
                                Progress& progress);

}  // namespace blindspot::spectral
