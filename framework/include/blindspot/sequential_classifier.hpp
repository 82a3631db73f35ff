// A Classifier made from a torch::nn::Sequential of named layers: what native model plugins build.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/export.hpp"

namespace blindspot {

/// Runs `net` on images; the layers, state and activations come from its named children.
class BLINDSPOT_API SequentialClassifier : public Classifier {
 public:
  /// `input_shape` is one image's shape ({1, 28, 28}); `net` maps images to logits.
  SequentialClassifier(torch::nn::Sequential net, std::vector<std::int64_t> input_shape,
                       std::int64_t classes);

  at::Tensor logits(const at::Tensor& images) const override;
  std::int64_t num_classes() const override { return classes_; }
  /// Parameters and buffers of `net` and of every kept module, named "child.weight".
  TensorMap state() const override;
  void load_state(const TensorMap& state) override;
  std::vector<Layer> layers() const override;
  at::Tensor activations(const std::string& layer, const at::Tensor& images) const override;

  /// Keeps a module that is not part of the forward pass (a decoder) in state() under `name`.
  void keep(const std::string& name, std::shared_ptr<torch::nn::Module> module);
  /// Every trainable parameter of the forward pass.
  std::vector<at::Tensor> parameters() const;
  /// The named child's weight; throws Error if it has none.
  at::Tensor weight(const std::string& child) const;
  torch::nn::Sequential& net() { return net_; }

 private:
  torch::nn::Sequential net_;
  std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> kept_;
  std::vector<std::int64_t> input_shape_;
  std::int64_t classes_;
};

}  // namespace blindspot
