// A Classifier that runs a TorchScript module saved from PyTorch with torch.jit.save.
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/classifier.hpp"

namespace blindspot {

/// Runs a TorchScript module on images mapped to its input range and normalised per channel;
/// layers from its submodules.
class ScriptClassifier final : public Classifier {
 public:
  /// Wraps `module`, loaded from `path` (named in errors), whose output has `classes` columns;
  /// images are reshaped to `input_shape`, mapped from [0, 1] to [low, high], then, unless `mean`
  /// is empty, to (x - mean[c]) / stddev[c] for each channel c (the first axis of input_shape).
  ScriptClassifier(std::string path, torch::jit::Module module,
                   std::vector<std::int64_t> input_shape, double low, double high,
                   const std::vector<double>& mean, const std::vector<double>& stddev,
                   std::int64_t classes);

  at::Tensor logits(const at::Tensor& images) const override;
  std::int64_t num_classes() const override { return classes_; }
  /// Parameters and buffers of the module, named as in PyTorch's state_dict ("0.weight").
  TensorMap state() const override;
  void load_state(const TensorMap& state) override;
  /// Submodules in order (Sequentials flattened); shapes only if the model is a plain chain.
  std::vector<Layer> layers() const override;
  /// Output of a layer; only for models that are a plain chain of their submodules.
  at::Tensor activations(const std::string& layer, const at::Tensor& images) const override;

 private:
  at::Tensor model_input(const at::Tensor& images) const;
  bool runs_as_chain() const;

  std::string path_;
  mutable torch::jit::Module module_;  // forward() is not const in LibTorch
  std::vector<std::pair<std::string, torch::jit::Module>> leaves_;  // Sequentials flattened
  std::vector<std::int64_t> input_shape_;
  double low_, high_;
  at::Tensor mean_, stddev_;  // [channels, 1, ...], broadcast over a batch; undefined: none
  std::int64_t classes_;
  bool chain_ = false;  // running leaves_ in order is the forward pass
};

}  // namespace blindspot
