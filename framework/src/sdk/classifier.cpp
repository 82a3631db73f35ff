// The classifier interface and batched prediction.
#include "blindspot/classifier.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace blindspot {

Classifier::~Classifier() = default;

at::Tensor predict(const Classifier& model, const at::Tensor& images, std::int64_t batch) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> parts;
  for (std::int64_t start = 0; start < images.size(0); start += batch) {
    std::int64_t count = std::min(batch, images.size(0) - start);
    parts.push_back(model.logits(images.narrow(0, start, count)).argmax(1));
  }
  if (parts.empty()) return at::empty({0}, at::kLong);
  return at::cat(parts);
}

}  // namespace blindspot
