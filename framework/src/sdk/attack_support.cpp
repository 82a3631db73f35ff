// Target selection, the success rule and the adversarial set shared by the attacks.
#include "blindspot/attack_support.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "blindspot/error.hpp"

namespace blindspot {

namespace {

std::int64_t checked_label(std::int64_t label, std::int64_t classes) {
  if (label < 0 || label >= classes)
    throw Error("", "target " + std::to_string(label) + " is not a label of the model");
  return label;
}

// given[i] for each sample of source index i.
at::Tensor by_index(const at::Tensor& indices, const std::vector<std::int64_t>& given,
                    std::int64_t classes) {
  const auto count = static_cast<std::int64_t>(given.size());
  at::Tensor out = indices.clone(at::MemoryFormat::Contiguous);
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

// Uniform over the classes - 1 other labels, by a draw that is the same everywhere.
at::Tensor random_others(const at::Tensor& labels, std::int64_t classes, std::mt19937_64& rng) {
  if (classes < 2) throw Error("", "a random target needs at least two classes");
  at::Tensor out = labels.clone(at::MemoryFormat::Contiguous);
  auto* label = out.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < out.size(0); ++i) {
    const std::int64_t other = uniform(rng, classes - 1);
    label[i] = other >= label[i] ? other + 1 : other;
  }
  return out;
}

}  // namespace

at::Tensor no_targets(const at::Tensor& labels) {
  return torch::full_like(labels, -1);
}

at::Tensor choose_targets(const Classifier& net, const LabelledImages& samples,
                          const std::string& mode, const std::vector<std::int64_t>& given,
                          std::int64_t batch, std::mt19937_64& rng) {
  const std::int64_t classes = net.num_classes();
  if (mode == "untargeted") return no_targets(samples.labels);
  if (mode == "random") return random_others(samples.labels, classes, rng);
  if (mode == "next") return (samples.labels + 1).remainder(classes);
  if (mode == "least-likely") return least_likely(net, samples.images, batch);
  if (mode == "list") return in_order(samples.size(), given, classes);
  if (mode == "by-index") return by_index(samples.indices, given, classes);
  throw Error("", "unknown target mode '" + mode + "'");
}

at::Tensor other_labels(const at::Tensor& labels, std::int64_t classes) {
  const at::Tensor other = torch::arange(classes - 1).expand({labels.size(0), classes - 1});
  return other + other.ge(labels.unsqueeze(1)).to(torch::kLong);
}

at::Tensor judge_success(const at::Tensor& labels, const at::Tensor& original_prediction,
                         const at::Tensor& prediction, const at::Tensor& target) {
  const at::Tensor on_target = prediction.eq(target).logical_and(target.ne(labels));
  const at::Tensor reached = torch::where(target.ge(0), on_target, prediction.ne(labels));
  return reached.logical_and(original_prediction.eq(labels)).to(torch::kUInt8);
}

AdversarialSet adversarial_set(const Classifier& net, const LabelledImages& samples,
                               const at::Tensor& adversarial, const at::Tensor& target,
                               std::int64_t batch, const at::Tensor& original_prediction) {
  AdversarialSet set;
  set.original = samples.images;
  set.adversarial = adversarial;
  set.labels = samples.labels;
  set.indices = samples.indices;
  set.target = target;
  set.original_prediction =
      original_prediction.defined() ? original_prediction : predict(net, samples.images, batch);
  set.prediction = predict(net, adversarial, batch);
  set.success = judge_success(set.labels, set.original_prediction, set.prediction, set.target);
  set.distortion = AdversarialSet::rms_distortion(set.original, set.adversarial);
  return set;
}

std::string attack_summary(const AdversarialSet& set) {
  const std::int64_t won = set.successes(), wrong = set.misclassified_before();
  const std::int64_t attacked = set.size() - wrong;
  char percent[32] = "";
  if (attacked > 0) std::snprintf(percent, sizeof percent, " (%.1f%%)", 100.0 * won / attacked);
  return std::to_string(won) + " of " + std::to_string(attacked) + " attacked succeeded" + percent +
         ", " + std::to_string(wrong) + " already misclassified";
}

at::Tensor in_batches(std::int64_t n, std::int64_t batch,
                      const std::function<at::Tensor(std::int64_t, std::int64_t)>& make) {
  if (batch < 1) throw Error("", "a batch needs at least one sample");
  std::vector<at::Tensor> parts;
  for (std::int64_t start = 0; start < n; start += batch)
    parts.push_back(make(start, std::min(batch, n - start)));
  return parts.empty() ? at::Tensor() : torch::cat(parts);
}

at::Tensor per_sample(const at::Tensor& values, const at::Tensor& like) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(like.dim()), 1);
  shape[0] = values.size(0);
  return values.view(shape);
}

}  // namespace blindspot
