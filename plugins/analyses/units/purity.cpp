// Label purity of sets of images and its summaries.
#include "purity.hpp"

#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

namespace blindspot::units {

at::Tensor label_purity(const at::Tensor& labels) {
  const std::int64_t classes = labels.max().item<std::int64_t>() + 1;
  const at::Tensor counts = torch::one_hot(labels, classes).sum(1);
  return std::get<0>(counts.max(1)).to(torch::kDouble) / static_cast<double>(labels.size(1));
}

at::Tensor chance_purity(const at::Tensor& labels, std::int64_t size, std::int64_t sets,
                         at::Generator& gen) {
  std::vector<at::Tensor> subsets;
  for (std::int64_t s = 0; s < sets; ++s)
    subsets.push_back(labels.index_select(
        0, torch::randperm(labels.size(0), gen, torch::kLong).narrow(0, 0, size)));
  return label_purity(torch::stack(subsets));
}

std::vector<std::string> purity_columns() {
  return {"mean", "sd", "se", "min", "max", "sets"};
}

void summarise(const at::Tensor& purity, Table& table, std::size_t row) {
  table.set(row, 0, purity.mean().item<double>());
  const double sd = purity.std(/*unbiased=*/true).item<double>();
  const auto sets = static_cast<double>(purity.size(0));
  table.set(row, 1, sd);
  table.set(row, 2, sd / std::sqrt(sets));  // standard error of the mean
  table.set(row, 3, purity.min().item<double>());
  table.set(row, 4, purity.max().item<double>());
  table.set(row, 5, sets);
}

}  // namespace blindspot::units
