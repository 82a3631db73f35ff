// The label each sample is pushed towards, by the szegedy node's `target` mode.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/products.hpp"

namespace blindspot::szegedy {

/// One target label per sample for `mode`: next, least-likely (lowest clean logit, predicted in
/// batches of `batch`), list (`given`: one label, or one per sample in order), by-index
/// (`given[i]` for the sample of source index i) or random (uniform over the other labels, drawn
/// from `rng`). Throws Error when `given` does not fit the samples or names no label of `net`.
at::Tensor choose_targets(const Classifier& net, const LabelledImages& samples,
                          const std::string& mode, const std::vector<std::int64_t>& given,
                          std::int64_t batch, std::mt19937_64& rng);

}  // namespace blindspot::szegedy
