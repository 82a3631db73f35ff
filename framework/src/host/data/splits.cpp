// Seeded splitting of images: a portable permutation, then consecutive runs of it.
#include "data/splits.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <limits>
#include <utility>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

/// A uniform draw from [0, bound) by rejection, so no value is favoured by the modulo.
std::uint64_t uniform_below(std::uint64_t bound, std::mt19937_64& rng) {
  const std::uint64_t span = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = span - span % bound;  // a multiple of bound
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % bound;
}

/// The images at order[offset, offset + count), as float images [N, C, H, W] in [0, 1].
LabelledImages take(const RawImages& raw, const std::vector<std::int64_t>& order,
                    std::int64_t offset, std::int64_t count) {
  const at::Tensor positions = at::tensor(
      std::vector<std::int64_t>(order.begin() + offset, order.begin() + offset + count), at::kLong);
  LabelledImages out;
  out.images = raw.images.index_select(0, positions);
  out.images = raw.images.scalar_type() == at::kByte ? out.images.to(at::kFloat).div_(255)
                                                     : out.images.to(at::kFloat);
  out.labels = raw.labels.index_select(0, positions).to(at::kLong);
  out.indices = positions;
  return out;
}

/// The number of images to take: `asked`, or all `available` when 0; throws if too many.
std::int64_t count_of(std::int64_t asked, std::int64_t available, const char* split,
                      const std::string& where) {
  if (asked > available)
    throw Error(where, fmt::format("{} {} images asked for, but this file holds {}", split, asked,
                                   available));
  return asked == 0 ? available : asked;
}

/// Adds "p1" and "p2", the first floor(n/2) and the remaining images of "train", if asked.
void add_halves(std::map<std::string, LabelledImages>& splits, bool halves) {
  if (!halves) return;
  const LabelledImages& train = splits.at("train");
  const std::int64_t half = train.size() / 2;
  LabelledImages p1 = train.slice(0, half);
  LabelledImages p2 = train.slice(half, train.size() - half);
  splits.emplace("p1", std::move(p1));
  splits.emplace("p2", std::move(p2));
}

/// 0, 1, ..., n-1: the files' order.
std::vector<std::int64_t> file_order(std::int64_t n) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

/// The order images are taken in: a permutation drawn from `rng`, or the files' order.
std::vector<std::int64_t> order_of(std::int64_t n, bool shuffle, std::mt19937_64& rng) {
  return shuffle ? portable_permutation(n, rng) : file_order(n);
}

}  // namespace

std::vector<std::int64_t> portable_permutation(std::int64_t n, std::mt19937_64& rng) {
  std::vector<std::int64_t> order = file_order(n);
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(uniform_below(static_cast<std::uint64_t>(i) + 1, rng));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::map<std::string, LabelledImages> split_pool(const RawImages& pool, const SplitSizes& sizes,
                                                 std::mt19937_64& rng, const std::string& where) {
  const std::int64_t n = pool.labels.size(0);
  if (sizes.train == 0)
    throw Error(where, fmt::format("a single pool of {} images needs a train count "
                                   "(parameter 'train' greater than 0)",
                                   n));
  // Compared without adding them, and summed unsigned: train + test may overflow an int64.
  if (sizes.train > n || sizes.test > n - sizes.train)
    throw Error(where, fmt::format("train {} + test {} = {} images asked for, but the pool "
                                   "holds {}",
                                   sizes.train, sizes.test,
                                   static_cast<std::uint64_t>(sizes.train) +
                                       static_cast<std::uint64_t>(sizes.test),
                                   n));
  const std::int64_t test = sizes.test == 0 ? n - sizes.train : sizes.test;
  const std::vector<std::int64_t> order = order_of(n, sizes.shuffle, rng);
  std::map<std::string, LabelledImages> splits;
  splits.emplace("train", take(pool, order, 0, sizes.train));
  splits.emplace("test", take(pool, order, sizes.train, test));
  add_halves(splits, sizes.halves);
  return splits;
}

std::map<std::string, LabelledImages> split_pair(const RawImages& train, const RawImages& test,
                                                 const SplitSizes& sizes, std::mt19937_64& rng,
                                                 const std::string& train_where,
                                                 const std::string& test_where) {
  const std::int64_t n_train = count_of(sizes.train, train.labels.size(0), "train", train_where);
  const std::int64_t n_test = count_of(sizes.test, test.labels.size(0), "test", test_where);
  if (!train.images.sizes().slice(1).equals(test.images.sizes().slice(1)))
    throw Error(test_where, fmt::format("images of {} (channels x height x width), but the train "
                                        "images of {} are {}; train and test images must be of "
                                        "one size",
                                        fmt::join(test.images.sizes().slice(1), "x"), train_where,
                                        fmt::join(train.images.sizes().slice(1), "x")));
  const std::vector<std::int64_t> train_order = order_of(train.labels.size(0), sizes.shuffle, rng);
  const std::vector<std::int64_t> test_order = order_of(test.labels.size(0), sizes.shuffle, rng);
  std::map<std::string, LabelledImages> splits;
  splits.emplace("train", take(train, train_order, 0, n_train));
  splits.emplace("test", take(test, test_order, 0, n_test));
  add_halves(splits, sizes.halves);
  return splits;
}

}  // namespace blindspot::host
