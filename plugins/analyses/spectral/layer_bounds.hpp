// Upper Lipschitz bounds (in the L2 norm) of single layers, by layer kind.
#pragma once

#include <ATen/core/Generator.h>

#include <limits>
#include <string>

#include "blindspot/layers.hpp"
#include "krylov.hpp"

namespace blindspot::spectral {

/// What the analysis finds for one layer; NaN where a number does not apply.
struct LayerBound {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  std::string size;          // "1x5x5x32" (in x kh x kw x out), "3136x256", "max 3x3", or the kind
  double stride = kNone;     // conv and pooling, when the same along both axes
  double fourier = kNone;    // conv and average pooling: the norm with periodic padding
  double iterative = kNone;  // linear, conv and average pooling: the norm as the layer runs
  double steps = kNone;      // Gram operator applications behind `iterative`
  bool converged = true;     // the iterative estimate met the tolerance
  double bound = kNone;      // the Lipschitz constant used in the product; NaN when unknown
  std::string unknown;       // why there is no bound; "" when there is one
};

/// The bound of `layer`. Linear, conv and average pooling: their operator norm as they run, by
/// the iterative method from a start drawn from `generator`. Max pooling: sqrt of the most
/// windows that share a pixel (1 when they do not overlap). Batch norm: max |gamma| /
/// sqrt(var + eps). ReLU, tanh, flatten: 1; sigmoid: 1/4. Any other layer: unknown.
LayerBound bound_layer(const Layer& layer, const IterationOptions& options,
                       at::Generator& generator);

/// Whether a layer's bound is 1 by its kind alone (ReLU, tanh, flatten).
bool is_unit_kind(LayerKind kind);

}  // namespace blindspot::spectral
