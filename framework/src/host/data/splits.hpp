// Seeded, platform-independent splitting of images into train, test and the halves p1, p2.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "blindspot/products.hpp"
#include "data/raw_images.hpp"

namespace blindspot::host {

/// How many images each split takes, and whether to add the halves of train.
struct SplitSizes {
  std::int64_t train = 0;  // 0: all available
  std::int64_t test = 0;   // 0: all available (for a pool: the rest)
  bool halves = false;     // add "p1" and "p2", the disjoint halves of train
  bool shuffle = true;     // false: take the files' order instead of a seeded permutation
};

/// A permutation of 0..n-1 by Fisher-Yates with an exact uniform draw: unlike std::shuffle,
/// the same on every standard library for the same generator state.
std::vector<std::int64_t> portable_permutation(std::int64_t n, std::mt19937_64& rng);

/// Splits one pool: train is the first `train` of a seeded permutation (or of the file's order
/// without shuffle), test the next `test`. `where` names the pool in errors.
std::map<std::string, LabelledImages> split_pool(const RawImages& pool, const SplitSizes& sizes,
                                                 std::mt19937_64& rng, const std::string& where);

/// Splits separate train and test sets: the first `train` and `test` of a permutation of each
/// (train's permutation drawn first; the files' order without shuffle). Their images must be
/// of one size. `train_where` and `test_where` name them in errors.
std::map<std::string, LabelledImages> split_pair(const RawImages& train, const RawImages& test,
                                                 const SplitSizes& sizes, std::mt19937_64& rng,
                                                 const std::string& train_where,
                                                 const std::string& test_where);

}  // namespace blindspot::host
