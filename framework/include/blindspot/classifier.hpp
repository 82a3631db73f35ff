// The interface every model plugin implements, so attacks and analyses can use any model.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "blindspot/export.hpp"
#include "blindspot/layers.hpp"

namespace blindspot {

/// Named weights and buffers of a model, as archived.
using TensorMap = std::map<std::string, at::Tensor>;

/// A trained image classifier: inputs [N, C, H, W] float32 in [0, 1], outputs logits [N, classes].
class BLINDSPOT_API Classifier {
 public:
  virtual ~Classifier();
  /// Logits for a batch; differentiable with respect to `images`.
  virtual at::Tensor logits(const at::Tensor& images) const = 0;
  /// Number of classes (the width of logits()).
  virtual std::int64_t num_classes() const = 0;
  /// Every weight and buffer by name; load_state() accepts exactly this.
  virtual TensorMap state() const = 0;
  /// Replaces the weights; throws Error if a name or shape does not match.
  virtual void load_state(const TensorMap& state) = 0;
  /// The layers in forward order (linear, convolution, activation, pooling, ...).
  virtual std::vector<Layer> layers() const = 0;
  /// Output of the named layer (one of layers()) for a batch of images.
  virtual at::Tensor activations(const std::string& layer, const at::Tensor& images) const = 0;
};

/// Gradient of the cross-entropy loss of `labels` with respect to each image (same shape as
/// `images`); each sample's gradient depends only on that sample.
BLINDSPOT_API at::Tensor input_gradient(const Classifier& model, const at::Tensor& images,
                                        const at::Tensor& labels);

/// Throws Error(where, "weights do not fit the model: ...") naming every weight of `given`
/// that is missing, unexpected or of the wrong shape compared with `current` (a state()).
BLINDSPOT_API void check_state_fits(const TensorMap& current, const TensorMap& given,
                                    const std::string& where = "");

/// A shape as text for messages: "[3, 28, 28]".
BLINDSPOT_API std::string shape_text(at::IntArrayRef sizes);

/// Predicted labels (int64 [N]) for `images`, evaluated in batches without gradients.
BLINDSPOT_API at::Tensor predict(const Classifier& model, const at::Tensor& images,
                                 std::int64_t batch = 1024);

}  // namespace blindspot
