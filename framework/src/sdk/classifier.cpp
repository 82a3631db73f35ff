// The classifier interface and batched prediction.
#include "blindspot/classifier.hpp"

#include <torch/torch.h>

namespace blindspot {

Classifier::~Classifier() = default;

at::Tensor input_gradient(const Classifier& model, const at::Tensor& images,
                          const at::Tensor& labels) {
  torch::AutoGradMode enable(true);
  at::Tensor x = images.detach().clone().requires_grad_(true);
  at::Tensor loss = torch::nn::functional::cross_entropy(
      model.logits(x), labels,
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  return torch::autograd::grad({loss}, {x})[0];
}

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
