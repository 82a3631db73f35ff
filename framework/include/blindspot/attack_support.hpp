// What attacks share: the label each sample is aimed at, the success rule, and the set they write.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/export.hpp"
#include "blindspot/products.hpp"

namespace blindspot {

/// int64 [N] of -1: the target of samples attacked without one (AdversarialSet::target).
BLINDSPOT_API at::Tensor no_targets(const at::Tensor& labels);

/// One target label per sample (int64 [N]) by target mode `mode`:
/// - untargeted: no_targets();
/// - random: uniform over the other labels of `net`, drawn from `rng` sample by sample, the same
///   on every platform; needs at least two classes;
/// - next: (label + 1) mod classes;
/// - least-likely: the lowest logit of `net` on the clean image, in batches of `batch`;
/// - list: `given`, one label for every sample or one per sample in order;
/// - by-index: `given[i]` for the sample of source index i.
/// Only random draws from `rng`. Throws Error for another mode (all other labels at once are
/// other_labels()), and when `given` does not fit the samples or names no label of `net`.
BLINDSPOT_API at::Tensor choose_targets(const Classifier& net, const LabelledImages& samples,
                                        const std::string& mode,
                                        const std::vector<std::int64_t>& given, std::int64_t batch,
                                        std::mt19937_64& rng);

/// Every label of `classes` but each sample's own, in increasing order: int64 [N, classes - 1].
BLINDSPOT_API at::Tensor other_labels(const at::Tensor& labels, std::int64_t classes);

/// uint8 [N], 1 where an attack succeeded: the model was right on the clean sample
/// (original_prediction == labels) and on the adversarial one predicts the target where
/// target >= 0 (a target equal to the label never succeeds), or any other label where it is -1.
BLINDSPOT_API at::Tensor judge_success(const at::Tensor& labels,
                                       const at::Tensor& original_prediction,
                                       const at::Tensor& prediction, const at::Tensor& target);

/// The set of `samples` attacked into `adversarial` and aimed at `target`, judged by `net` in
/// batches of `batch`: prediction is `net` on `adversarial`, success judge_success(), distortion
/// AdversarialSet::rms_distortion(). `original_prediction` is `net` on the clean images when the
/// attack has it already; left undefined, it is predicted here. `extra` is left empty.
BLINDSPOT_API AdversarialSet adversarial_set(const Classifier& net, const LabelledImages& samples,
                                             const at::Tensor& adversarial,
                                             const at::Tensor& target, std::int64_t batch,
                                             const at::Tensor& original_prediction = {});

/// The log line of an attack's set: "487 of 487 attacked succeeded (100.0%), 13 already
/// misclassified". A sample the model gets wrong before the attack can never succeed, so it
/// counts in neither of the first two numbers.
BLINDSPOT_API std::string attack_summary(const AdversarialSet& set);

/// `make(start, count)` for consecutive batches of at most `batch` of `n` samples, concatenated
/// along the first dimension; for n = 0, an undefined tensor.
BLINDSPOT_API at::Tensor in_batches(
    std::int64_t n, std::int64_t batch,
    const std::function<at::Tensor(std::int64_t start, std::int64_t count)>& make);

/// `values` (one per sample, [N]) viewed as [N, 1, ..., 1] to broadcast over `like` ([N, ...]).
BLINDSPOT_API at::Tensor per_sample(const at::Tensor& values, const at::Tensor& like);

}  // namespace blindspot
