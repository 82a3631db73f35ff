// The attack support of the SDK: target modes, the random draw, the success rule, the set.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/attack_support.hpp"
#include "blindspot/testing.hpp"

using blindspot::LabelledImages;
namespace testing = blindspot::testing;

namespace {

// A classifier with `classes` classes whose logits are all zero on 1x1x1 images.
std::shared_ptr<const blindspot::Model> blank_model(std::int64_t classes) {
  return testing::linear_model(torch::zeros({classes, 1}));
}

// Samples with these 1x1x1 or 1x2x2 images (`pixels`: one row of 1 or 4 per sample) and labels;
// the source index of sample i is 100 + i unless `indices` are given.
LabelledImages samples_of(const at::Tensor& pixels, const std::vector<std::int64_t>& labels,
                          const std::vector<std::int64_t>& indices = {}) {
  const auto n = static_cast<std::int64_t>(labels.size());
  const std::int64_t side = pixels.size(1) == 4 ? 2 : 1;
  return {pixels.view({n, 1, side, side}), torch::tensor(labels),
          indices.empty() ? torch::arange(100, 100 + n) : torch::tensor(indices)};
}

// n blank 1x1x1 samples whose labels cycle through 0 .. classes - 1.
LabelledImages cycling(std::int64_t n, std::int64_t classes) {
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(i % classes);
  return samples_of(torch::zeros({n, 1}), labels);
}

std::vector<std::int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

// Four 2x2 images for a model whose logit c is pixel c (pixel 3 ignored): on the clean images
// the logits are the first three pixels of each row.
at::Tensor four_images() {
  return torch::tensor(
      {{.9f, .5f, .1f, .5f}, {.2f, .8f, .5f, .4f}, {.3f, .1f, .7f, .6f}, {.6f, .2f, .4f, .3f}});
}

// choose_targets() with an engine seeded with `seed`.
at::Tensor targets(const blindspot::Model& model, const LabelledImages& samples,
                   const std::string& mode, const std::vector<std::int64_t>& given = {},
                   std::int64_t batch = 100, std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  return blindspot::choose_targets(*model.net, samples, mode, given, batch, rng);
}

}  // namespace

TEST_CASE("next is (label + 1) mod classes, untargeted is -1 everywhere") {
  const auto model = blank_model(5);
  const LabelledImages samples = cycling(7, 5);  // labels 0 1 2 3 4 0 1
  CHECK(to_vector(targets(*model, samples, "next")) ==
        std::vector<std::int64_t>{1, 2, 3, 4, 0, 1, 2});
  CHECK(to_vector(targets(*model, samples, "untargeted")) == std::vector<std::int64_t>(7, -1));
  CHECK(to_vector(blindspot::no_targets(samples.labels)) == std::vector<std::int64_t>(7, -1));
}

TEST_CASE("least-likely is the argmin of the clean logits, whatever the batch") {
  const auto model = testing::linear_model(torch::eye(3, 4));
  const LabelledImages samples = samples_of(four_images(), {0, 1, 2, 0});
  // Logits (.9 .5 .1), (.2 .8 .5), (.3 .1 .7), (.6 .2 .4).
  for (std::int64_t batch : {1, 3, 4, 100}) {
    CAPTURE(batch);
    CHECK(to_vector(targets(*model, samples, "least-likely", {}, batch)) ==
          std::vector<std::int64_t>{2, 0, 1, 1});
  }
}

TEST_CASE("list gives one label to all or one per sample, and checks both") {
  const auto model = blank_model(3);
  const LabelledImages samples = cycling(3, 3);
  CHECK(to_vector(targets(*model, samples, "list", {2})) == std::vector<std::int64_t>{2, 2, 2});
  CHECK(to_vector(targets(*model, samples, "list", {1, 0, 2})) ==
        std::vector<std::int64_t>{1, 0, 2});
  CHECK(testing::error_of([&] {
          targets(*model, samples, "list", {1, 2});
        }) == "targets lists 2 labels for 3 samples; give one, or one per sample");
  CHECK(testing::error_of([&] { targets(*model, samples, "list", {3}); }) ==
        "target 3 is not a label of the model");
}

TEST_CASE("by-index takes the label listed at each sample's source index") {
  const auto model = blank_model(3);
  const LabelledImages samples = samples_of(torch::zeros({3, 1}), {0, 1, 2}, {5, 2, 0});
  CHECK(to_vector(targets(*model, samples, "by-index", {0, 1, 2, 0, 0, 1})) ==
        std::vector<std::int64_t>{1, 2, 0});
  CHECK(testing::error_of([&] {
          targets(*model, samples, "by-index", {0, 1, 2});
        }) ==
        "targets lists 3 labels, so none for the sample of source index 5; by-index needs one "
        "per source index up to the largest attacked");
  CHECK(testing::error_of([&] {
          targets(*model, samples, "by-index", {0, 1, 7, 0, 0, 1});
        }) == "target 7 is not a label of the model");
}

TEST_CASE("random is one draw rng() % (classes - 1) per sample, in order, skipping the label") {
  const auto model = blank_model(10);
  const LabelledImages samples = cycling(50, 10);
  std::mt19937_64 rng(7);
  const std::vector<std::int64_t> got =
      to_vector(blindspot::choose_targets(*model->net, samples, "random", {}, 100, rng));
  // 2^64 - 1 = 6 (mod 9): only the top 7 of 2^64 draws would be rejected, so none is here.
  std::mt19937_64 reference(7);
  for (std::int64_t i = 0; i < 50; ++i) {
    const auto other = static_cast<std::int64_t>(reference() % 9);
    CHECK(got[i] == (other >= i % 10 ? other + 1 : other));
  }
  CHECK(rng == reference);  // exactly one draw per sample
}

TEST_CASE("random rejects the draws that would bias rng() % k, as many as it takes") {
  // k = classes - 1 = ceil(2^64 / 3): 2k <= 2^64 - 1 < 3k, so 2k is the largest multiple of k
  // the engine can draw below, and draws >= 2k (a third of them) are rejected. A stride-0
  // weight gives the model that many classes without memory.
  const std::uint64_t k = 6148914691236517206ULL, limit = 2 * k;
  const auto classes = static_cast<std::int64_t>(k + 1);
  const auto model = testing::linear_model(torch::zeros({1, 1}).expand({classes, 1}));
  const LabelledImages samples = samples_of(torch::zeros({30, 1}), std::vector<std::int64_t>(30));
  std::mt19937_64 rng(3), reference(3);
  const std::vector<std::int64_t> got =
      to_vector(blindspot::choose_targets(*model->net, samples, "random", {}, 100, rng));
  int rejected = 0;
  for (std::int64_t i = 0; i < 30; ++i) {
    std::uint64_t draw = reference();
    for (; draw >= limit; draw = reference()) ++rejected;
    CHECK(got[i] == static_cast<std::int64_t>(draw % k) + 1);  // label 0 is skipped
  }
  CHECK(rejected > 0);
  CHECK(rng == reference);
}

TEST_CASE("random never picks the label and picks each other label about equally often") {
  const auto model = blank_model(10);
  const LabelledImages samples = cycling(18000, 10);
  const at::Tensor got = targets(*model, samples, "random", {}, 100, 11);
  CHECK(got.ne(samples.labels).all().item<bool>());
  CHECK(got.ge(0).all().item<bool>());
  CHECK(got.lt(10).all().item<bool>());
  // Each (label, target) pair of 90 is expected 200 times, with a standard deviation of 13.
  const at::Tensor pairs = torch::bincount(samples.labels * 10 + got, {}, 100).view({10, 10});
  const at::Tensor off_diagonal = pairs.masked_select(torch::eye(10).logical_not());
  CHECK(off_diagonal.min().item<std::int64_t>() > 200 - 70);
  CHECK(off_diagonal.max().item<std::int64_t>() < 200 + 70);
  CHECK_FALSE(torch::equal(got, targets(*model, samples, "random", {}, 100, 12)));
}

TEST_CASE("only random draws from the engine, and it needs two classes") {
  const auto model = testing::linear_model(torch::eye(3, 4));
  const LabelledImages samples = samples_of(four_images(), {0, 1, 2, 0});
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> modes = {
      {"untargeted", {}},
      {"next", {}},
      {"least-likely", {}},
      {"list", {1}},
      {"by-index", std::vector<std::int64_t>(104, 1)}};  // source indices 100 .. 103
  for (const auto& [mode, given] : modes) {
    CAPTURE(mode);
    std::mt19937_64 rng(5);
    blindspot::choose_targets(*model->net, samples, mode, given, 2, rng);
    CHECK(rng == std::mt19937_64(5));
  }
  CHECK(testing::error_of([] { targets(*blank_model(1), cycling(2, 1), "random"); }) ==
        "a random target needs at least two classes");
  CHECK(testing::error_of([&] { targets(*model, samples, "sideways"); }) ==
        "unknown target mode 'sideways'");
}

TEST_CASE("other_labels lists every label but the sample's own, in order") {
  const at::Tensor others = blindspot::other_labels(torch::tensor({0, 2, 1}).to(torch::kLong), 3);
  CHECK(torch::equal(others, torch::tensor({{1, 2}, {0, 1}, {0, 2}}).to(torch::kLong)));
}

TEST_CASE("success: right before, and wrong after (untargeted) or on a target (targeted)") {
  // label, original prediction, prediction, target -> success
  const std::vector<std::vector<std::int64_t>> table = {
      {0, 0, 1, -1, 1},  // untargeted, fooled
      {0, 0, 0, -1, 0},  // untargeted, still right
      {0, 1, 1, -1, 0},  // wrong before: never a success
      {0, 1, 0, -1, 0},  // wrong before, right after
      {0, 0, 2, 2, 1},   // on target
      {0, 0, 1, 2, 0},   // fooled, but off target
      {0, 0, 0, 2, 0},   // still right
      {0, 1, 2, 2, 0},   // on target, but wrong before
      {1, 1, 1, 1, 0},   // the target is the label: never a success
  };
  std::vector<std::int64_t> columns[5];
  for (const auto& row : table)
    for (int c = 0; c < 5; ++c) columns[c].push_back(row[c]);
  const auto column = [&](int c) { return torch::tensor(columns[c]); };
  const at::Tensor success = blindspot::judge_success(column(0), column(1), column(2), column(3));
  CHECK((success.scalar_type() == torch::kUInt8));
  CHECK(to_vector(success) == columns[4]);
}

TEST_CASE("adversarial_set predicts, judges and measures, keeping what it is given") {
  // Logit c is pixel c. Sample 0 (label 0) gets pixel 1 raised by .5, so it reads 1; sample 1
  // (label 1, target 2) gets pixel 2 raised by .4, so it reads 2; sample 2 (label 1) reads 2
  // before and after.
  const auto model = testing::linear_model(torch::eye(3, 4));
  const LabelledImages samples = samples_of(four_images().narrow(0, 0, 3), {0, 1, 1});
  const at::Tensor adversarial =
      samples.images +
      torch::tensor({{0.f, .5f, 0.f, 0.f}, {0.f, 0.f, .4f, 0.f}, {0.f, 0.f, 0.f, 0.f}})
          .view({3, 1, 2, 2});
  const at::Tensor target = torch::tensor({-1, 2, -1}).to(torch::kLong);
  const auto set = blindspot::adversarial_set(*model->net, samples, adversarial, target, 2);
  CHECK(torch::equal(set.original, samples.images));
  CHECK(torch::equal(set.adversarial, adversarial));
  CHECK(torch::equal(set.labels, samples.labels));
  CHECK(to_vector(set.indices) == std::vector<std::int64_t>{100, 101, 102});
  CHECK(torch::equal(set.target, target));
  CHECK(to_vector(set.original_prediction) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(to_vector(set.prediction) == std::vector<std::int64_t>{1, 2, 2});
  CHECK((set.success.scalar_type() == torch::kUInt8));
  CHECK(to_vector(set.success) == std::vector<std::int64_t>{1, 1, 0});
  // RMS over four pixels: sqrt(.5^2 / 4) = .25, sqrt(.4^2 / 4) = .2, 0.
  CHECK((set.distortion.scalar_type() == torch::kFloat));
  CHECK(torch::allclose(set.distortion, torch::tensor({.25f, .2f, 0.f}), 0, 1e-6));
  CHECK(set.extra.empty());
  // A given original prediction is taken as it is: here sample 2 was "right" before.
  const auto given = blindspot::adversarial_set(*model->net, samples, adversarial, target, 2,
                                                torch::tensor({0, 1, 1}).to(torch::kLong));
  CHECK(to_vector(given.original_prediction) == std::vector<std::int64_t>{0, 1, 1});
  CHECK(to_vector(given.success) == std::vector<std::int64_t>{1, 1, 1});
}
