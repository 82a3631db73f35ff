// The label each sample is pushed towards, by the szegedy node's `target` mode.
#include "targets.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "blindspot/error.hpp"

namespace blindspot::szegedy {

namespace {

std::int64_t checked_label(std::int64_t label, std::int64_t classes) {
  if (label >= classes)
    throw Error("", "target " + std::to_string(label) + " is not a label of the model");
  return label;
}

// given[i] for each sample of source index i.
at::Tensor by_index(const at::Tensor& indices, const std::vector<std::int64_t>& given,
                    std::int64_t classes) {
  const auto count = static_cast<std::int64_t>(given.size());
  at::Tensor out = indices.clone();
  auto* label = out.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < out.size(0); ++i) {
    const std::int64_t index = label[i];
    if (index < 0 || index >= count)
      throw Error("", "targets lists " + std::to_string(count) +
                          " labels, so none for the sample of source index " +
                          std::to_string(index) +
                          "; by-index needs one per source index up to the largest attacked");
    label[i] = checked_label(given[static_cast<std::size_t>(index)], classes);
  }
  return out;
}

// given: one label for all samples, or one per sample in order.
at::Tensor in_order(std::int64_t n, const std::vector<std::int64_t>& given, std::int64_t classes) {
  const auto count = static_cast<std::int64_t>(given.size());
  if (count != 1 && count != n)
    throw Error("", "targets lists " + std::to_string(count) + " labels for " + std::to_string(n) +
                        " samples; give one, or one per sample");
  for (std::int64_t t : given) checked_label(t, classes);
  return torch::tensor(given).expand({n}).clone();
}

at::Tensor least_likely(const Classifier& net, const at::Tensor& images, std::int64_t batch) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> parts;
  for (std::int64_t start = 0; start < images.size(0); start += batch)
    parts.push_back(
        net.logits(images.narrow(0, start, std::min(batch, images.size(0) - start))).argmin(1));
  return torch::cat(parts);
}

// A uniform integer in [0, k): rng() % k, rejecting the top draws that would bias it.
std::int64_t uniform(std::mt19937_64& rng, std::int64_t k) {
  const auto n = static_cast<std::uint64_t>(k);
  const std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = top - top % n;  // a multiple of n
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return static_cast<std::int64_t>(draw % n);
}

}  // namespace

at::Tensor choose_targets(const Classifier& net, const LabelledImages& samples,
                          const std::string& mode, const std::vector<std::int64_t>& given,
                          std::int64_t batch, std::mt19937_64& rng) {
  const std::int64_t classes = net.num_classes(), n = samples.size();
  if (mode == "next") return (samples.labels + 1).remainder(classes);
  if (mode == "least-likely") return least_likely(net, samples.images, batch);
  if (mode == "by-index") return by_index(samples.indices, given, classes);
  if (mode == "list") return in_order(n, given, classes);
  // random: uniform over the classes - 1 other labels, by a draw that is the same everywhere.
  at::Tensor out = samples.labels.clone();
  auto* label = out.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t other = uniform(rng, classes - 1);
    label[i] = other >= label[i] ? other + 1 : other;
  }
  return out;
}

}  // namespace blindspot::szegedy
