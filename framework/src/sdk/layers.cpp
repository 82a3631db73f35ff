// Names of layer kinds.
#include "blindspot/layers.hpp"

namespace blindspot {

const char* kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::linear:
      return "linear";
    case LayerKind::conv2d:
      return "conv2d";
    case LayerKind::relu:
      return "relu";
    case LayerKind::sigmoid:
      return "sigmoid";
    case LayerKind::tanh:
      return "tanh";
    case LayerKind::max_pool:
      return "max_pool";
    case LayerKind::avg_pool:
      return "avg_pool";
    case LayerKind::batch_norm:
      return "batch_norm";
    case LayerKind::flatten:
      return "flatten";
    case LayerKind::other:
      return "other";
  }
  return "?";
}

}  // namespace blindspot
