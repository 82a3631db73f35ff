// Input-Jacobian spectral norms by vector-Jacobian products and the double-backward trick.
#include "jacobian.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

namespace blindspot::spectral {

TopSingularValue jacobian_norms(const Classifier& net, const at::Tensor& images, std::int64_t batch,
                                const IterationOptions& options, at::Generator& generator,
                                Progress& progress) {
  torch::AutoGradMode grad_mode(true);
  const std::int64_t n = images.size(0);
  // Drawn at once, so each image's start does not depend on the batch size.
  const at::Tensor starts = at::randn({n, net.num_classes()}, generator, at::kDouble);
  std::vector<at::Tensor> values;
  TopSingularValue all{{}, 0, true};
  for (std::int64_t first = 0; first < n; first += batch) {
    const std::int64_t count = std::min(batch, n - first);
    const at::Tensor x = images.narrow(0, first, count).detach().clone().requires_grad_(true);
    const at::Tensor logits = net.logits(x);
    // J^T p as a function of a probe p; its derivative with respect to p along v is J v.
    const at::Tensor probe = torch::zeros_like(logits).requires_grad_(true);
    const at::Tensor transposed = torch::autograd::grad({logits}, {x}, {probe}, true, true)[0];
    auto gram = [&](const at::Tensor& rows) {
      const at::Tensor jt =
          torch::autograd::grad({logits}, {x}, {rows.to(logits.scalar_type())}, true)[0];
      return torch::autograd::grad({transposed}, {probe}, {jt}, true)[0].to(at::kDouble);
    };
    const TopSingularValue top = top_singular_value(gram, starts.narrow(0, first, count), options);
    values.push_back(top.value);
    all.steps = std::max(all.steps, top.steps);
    all.converged = all.converged && top.converged;
    progress.advance(count);
  }
  all.value = at::cat(values);
  return all;
}

}  // namespace blindspot::spectral
