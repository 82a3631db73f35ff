// Label purity of sets of images (the share of a set's most common label) and its summaries.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "blindspot/products.hpp"

namespace blindspot::units {

/// Share of each row's most common label: labels int64 [sets, k] to float64 [sets].
at::Tensor label_purity(const at::Tensor& labels);

/// Purity of `sets` subsets of `size` labels drawn from `labels` [N] without replacement.
at::Tensor chance_purity(const at::Tensor& labels, std::int64_t size, std::int64_t sets,
                         at::Generator& gen);

/// Writes mean, sample standard deviation, standard error of the mean, min, max and count of
/// `purity` into `row` of a table whose columns are purity_columns().
void summarise(const at::Tensor& purity, Table& table, std::size_t row);

/// The columns summarise() fills.
std::vector<std::string> purity_columns();

}  // namespace blindspot::units
