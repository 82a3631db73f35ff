// The classifier interface and batched prediction.
#include "blindspot/classifier.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <vector>

#include "blindspot/error.hpp"

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

void check_state_fits(const TensorMap& current, const TensorMap& given, const std::string& where) {
  std::vector<std::string> problems;
  for (const auto& [name, tensor] : current) {
    auto found = given.find(name);
    if (found == given.end())
      problems.push_back(fmt::format("missing '{}'", name));
    else if (found->second.sizes() != tensor.sizes())
      problems.push_back(fmt::format("'{}' has shape {}, expected {}", name,
                                     shape_text(found->second.sizes()),
                                     shape_text(tensor.sizes())));
  }
  for (const auto& [name, tensor] : given)
    if (!current.count(name)) problems.push_back(fmt::format("unexpected '{}'", name));
  if (!problems.empty())
    throw Error(where, fmt::format("weights do not fit the model: {}", fmt::join(problems, "; ")));
}

std::string shape_text(at::IntArrayRef sizes) {
  return fmt::format("[{}]", fmt::join(sizes, ", "));
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
