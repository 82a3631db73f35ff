// Tests of the cw_l2 plugin through the real loader, on linear models whose closest adversarial
// examples are known in closed form.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// Class 0's weights on 4x4 images; class 1's are their negation, so the logit difference is
// 2 x.w. The weights sum to 0, so mid-grey sits on the boundary.
at::Tensor binary_w() {
  return torch::tensor({1.f, -2.f, 3.f, -4.f, .5f, -.5f, 1.5f, -1.5f, 2.f, -1.f, 1.f, -2.f, -3.f,
                        4.f, -3.f, 4.f}) /
         4;
}
// Three classes on 2x2 images: the logit of class c is pixel c; pixel 3 is ignored.
at::Tensor three_class() {
  return torch::eye(3, 4);
}

// Eight 4x4 images within 0.15 of mid-grey, labelled by the two-class model's decision (or by
// `flip`ped labels where asked, which the model then misclassifies).
testing::Connections binary_inputs(const std::vector<int>& flip = {}) {
  const at::Tensor u = torch::sin(1.5 * torch::arange(8).view({8, 1}) + 0.8 * torch::arange(16));
  const at::Tensor x = (0.5 + 0.15 * u).to(torch::kFloat);
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < 8; ++i) {
    const bool negative = x[i].dot(binary_w()).item<float>() < 0;
    const bool flipped = std::find(flip.begin(), flip.end(), i) != flip.end();
    labels.push_back(negative != flipped);
  }
  return {{"model", testing::linear_model(torch::stack({binary_w(), -binary_w()}))},
          {"data", testing::hand_made_dataset(x.view({8, 1, 4, 4}), labels, 2, 100)}};
}

// Per sample, the distance from the clean image to the two-class model's boundary, moved past it
// until the logit gap 2 |x.w| reaches `kappa`: (|x.w| + kappa / 2) / ||w||.
at::Tensor binary_distance(const at::Tensor& images, double kappa = 0) {
  return (images.flatten(1).matmul(binary_w()).abs() + kappa / 2) / binary_w().norm();
}

// The exact distance from x (4 pixels) to the three-class model's region of `target`: raise
// pixel t and lower the k largest other logits to a common level, for the k that fits.
double distance_to_region(const at::Tensor& x, std::int64_t target) {
  const double own = x[target].item<double>();
  std::vector<double> others;
  for (std::int64_t i = 0; i < 3; ++i)
    if (i != target) others.push_back(x[i].item<double>());
  std::sort(others.rbegin(), others.rend());
  if (own >= others[0]) return 0.0;
  double sum = own;
  for (std::size_t k = 0; k < others.size(); ++k) {
    sum += others[k];
    const double level = sum / static_cast<double>(k + 2);
    if (k + 1 == others.size() || others[k + 1] <= level) {
      double squared = (level - own) * (level - own);
      for (std::size_t j = 0; j <= k; ++j) squared += (others[j] - level) * (others[j] - level);
      return std::sqrt(squared);
    }
  }
  return 0.0;
}

// Four 2x2 images for the three-class model, labelled 0, 0, 1, 2; the second sample's region of
// class 1 needs two logits lowered.
testing::Connections three_class_inputs() {
  const at::Tensor x = torch::tensor(
      {{.7f, .4f, .3f, .5f}, {.6f, .45f, .57f, .5f}, {.3f, .7f, .4f, .5f}, {.4f, .3f, .65f, .5f}});
  return {{"model", testing::linear_model(three_class())},
          {"data", testing::hand_made_dataset(x.view({4, 1, 2, 2}), {0, 0, 1, 2}, 3, 100)}};
}

// Per sample, ||x' - x||_2.
at::Tensor l2_of(const AdversarialSet& set) {
  return set.perturbation().flatten(1).norm(2, 1);
}

// Per sample, the gap between the two logits of a two-class model.
at::Tensor two_class_gap(const blindspot::Classifier& net, const at::Tensor& images) {
  const at::Tensor z = net.logits(images).detach();
  return (z.select(1, 0) - z.select(1, 1)).abs();
}

// A softmax model trained on the tiny data set, and that data set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("softmax", "{epochs: 5}", 128);
  return inputs;
}

// Per sample of a linear model, the distance from x to the nearest boundary with another class,
// the box ignored: min over j != y of (Z_y - Z_j) / ||W_y - W_j||.
at::Tensor linear_boundary_distance(const blindspot::Classifier& net, const at::Tensor& x,
                                    const at::Tensor& labels) {
  at::Tensor nearest = torch::full({x.size(0)}, std::numeric_limits<float>::infinity());
  for (std::int64_t j = 0; j < net.num_classes(); ++j) {
    torch::AutoGradMode enable(true);
    const at::Tensor input = x.detach().clone().requires_grad_(true);
    const at::Tensor z = net.logits(input);
    const at::Tensor difference = z.gather(1, labels.unsqueeze(1)).squeeze(1) - z.select(1, j);
    const at::Tensor normal = torch::autograd::grad({difference.sum()}, {input})[0].flatten(1);
    const at::Tensor distance = difference.detach() / normal.norm(2, 1);
    nearest = torch::where(labels.eq(j), nearest, torch::minimum(nearest, distance));
  }
  return nearest;
}

}  // namespace

TEST_CASE("the untargeted distortion is within 5% above the distance to a linear boundary") {
  const auto inputs = binary_inputs();
  const auto set = testing::run_attack("cw_l2", "{}", inputs);
  const at::Tensor d = binary_distance(set.original);
  REQUIRE((d > 0.05).all().item<bool>());
  REQUIRE(set.success.all().item<bool>());
  const at::Tensor ratio = l2_of(set) / d;
  MESSAGE("L2 / analytic distance: min " << ratio.min().item<double>() << ", max "
                                         << ratio.max().item<double>());
  CHECK((ratio >= 1 - 1e-5).all().item<bool>());
  CHECK((ratio <= 1.05).all().item<bool>());
  CHECK(set.adversarial.min().item<float>() >= 0);
  CHECK(set.adversarial.max().item<float>() <= 1);
  CHECK(torch::isfinite(set.extra.at("c")).all().item<bool>());
  CHECK((set.extra.at("c") > 0).all().item<bool>());
}

TEST_CASE("a targeted attack reaches the target no closer than the target's region") {
  const auto inputs = three_class_inputs();
  const at::Tensor x = testing::split_in(inputs, "test").images.view({4, 4});
  const auto set = testing::run_attack("cw_l2", "{target: next}", inputs);
  CHECK(torch::equal(set.target, torch::tensor({1, 1, 2, 0}).to(torch::kLong)));
  CHECK(torch::equal(set.prediction, set.target));
  REQUIRE(set.success.all().item<bool>());
  const at::Tensor l2 = l2_of(set);
  for (std::int64_t i = 0; i < 4; ++i) {
    const double d = distance_to_region(x[i], set.target[i].item<std::int64_t>());
    CAPTURE(i);
    MESSAGE("sample " << i << ": L2 " << l2[i].item<double>() << ", analytic " << d);
    CHECK(l2[i].item<double>() >= d * (1 - 1e-5));
    CHECK(l2[i].item<double>() <= d * 1.05);
  }
}

TEST_CASE("every success is re-checked, and misclassified samples are left alone") {
  const auto inputs = binary_inputs({2, 5});
  const auto& net = testing::model_in(inputs);
  const auto set =
      testing::run_attack("cw_l2", "{iterations: 200, binary_search_steps: 5}", inputs);
  CHECK(torch::equal(blindspot::predict(net, set.adversarial), set.prediction));
  const at::Tensor flipped =
      set.prediction.ne(set.labels).logical_and(set.original_prediction.eq(set.labels));
  CHECK(torch::equal(set.success, flipped.to(torch::kUInt8)));
  for (std::int64_t i : {2, 5}) {
    CAPTURE(i);
    CHECK(set.original_prediction[i].item<std::int64_t>() != set.labels[i].item<std::int64_t>());
    CHECK(set.success[i].item<int>() == 0);
    CHECK(torch::equal(set.adversarial[i], set.original[i]));
    CHECK(std::isnan(set.extra.at("c")[i].item<float>()));
    CHECK(set.extra.at("iterations")[i].item<std::int64_t>() == 0);
  }
  CHECK(set.success.sum().item<int>() == 6);
}

TEST_CASE("a target equal to the label is never attacked") {
  const auto set = testing::run_attack(
      "cw_l2", "{target: list, targets: [1, 0, 0, 1], iterations: 50}", three_class_inputs());
  CHECK(torch::equal(set.success, torch::tensor({1, 0, 1, 1}).to(torch::kUInt8)));
  CHECK(torch::equal(set.adversarial[1], set.original[1]));
  CHECK(set.extra.at("iterations")[1].item<std::int64_t>() == 0);
  CHECK(std::isnan(set.extra.at("c")[1].item<float>()));
}

TEST_CASE("round_trip restores an identical adversarial set, extras included") {
  const auto inputs = binary_inputs({3});
  const std::string with = "{iterations: 20, binary_search_steps: 2}";
  const auto out = testing::run_node("cw_l2", with, inputs);
  const auto back = testing::round_trip("cw_l2", with, inputs, out);
  const auto& a = testing::product_of<AdversarialSet>(out, "adversarial");
  const auto& b = testing::product_of<AdversarialSet>(back, "adversarial");
  CHECK(torch::equal(a.adversarial, b.adversarial));
  CHECK(torch::equal(a.success, b.success));
  CHECK(torch::allclose(a.extra.at("c"), b.extra.at("c"), 0, 0, true));
  CHECK(torch::equal(a.extra.at("iterations"), b.extra.at("iterations")));
}

TEST_CASE("a sample's result does not depend on the other samples of its batch") {
  const auto inputs = binary_inputs({3});
  const auto alone = testing::run_attack("cw_l2", "{batch: 1}", inputs);
  const auto together = testing::run_attack("cw_l2", "{batch: 8}", inputs);
  MESSAGE("largest pixel difference between batch 1 and 8: "
          << (alone.adversarial - together.adversarial).abs().max().item<double>());
  CHECK(torch::allclose(alone.adversarial, together.adversarial, 0, 1e-5));
  CHECK(torch::equal(alone.success, together.success));
  CHECK(torch::allclose(alone.extra.at("c"), together.extra.at("c"), 0, 0, true));
  CHECK(torch::equal(alone.extra.at("iterations"), together.extra.at("iterations")));
}

TEST_CASE("early abort stops a sample only at a check, and off runs every iteration") {
  const auto inputs = binary_inputs({3});
  const at::Tensor attacked = torch::ones({8}, torch::kLong).index_fill(0, torch::tensor({3}), 0);
  const auto full = testing::run_attack(
      "cw_l2", "{iterations: 50, binary_search_steps: 3, abort_early: false}", inputs);
  CHECK(torch::equal(full.extra.at("iterations"), 150 * attacked));
  const auto early =
      testing::run_attack("cw_l2", "{iterations: 50, binary_search_steps: 3}", inputs);
  const at::Tensor steps = early.extra.at("iterations");
  CHECK((steps <= 150 * attacked).all().item<bool>());
  CHECK((steps < 150 * attacked).any().item<bool>());
}

TEST_CASE("confidence kappa gives a logit gap of at least kappa, at a greater distance") {
  const auto inputs = binary_inputs();
  const auto& net = testing::model_in(inputs);
  const auto plain = testing::run_attack("cw_l2", "{}", inputs);
  const auto confident = testing::run_attack("cw_l2", "{confidence: 1}", inputs);
  REQUIRE(confident.success.all().item<bool>());
  const at::Tensor gap = two_class_gap(net, confident.adversarial);
  CHECK((gap >= 1).all().item<bool>());
  const at::Tensor ratio = l2_of(confident) / binary_distance(confident.original, 1);
  MESSAGE("kappa 1: L2 / analytic distance: min " << ratio.min().item<double>() << ", max "
                                                  << ratio.max().item<double>());
  CHECK((ratio >= 1 - 1e-5).all().item<bool>());
  CHECK((ratio <= 1.05).all().item<bool>());
  CHECK((l2_of(confident) > l2_of(plain)).all().item<bool>());
}

TEST_CASE("a softmax model trained on the tiny data is attacked no closer than its boundary") {
  const auto& inputs = trained();
  const auto& net = testing::model_in(inputs);
  const auto start = std::chrono::steady_clock::now();
  const auto set =
      testing::run_attack("cw_l2", "{iterations: 100, binary_search_steps: 6}", inputs);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const at::Tensor won = set.success.to(torch::kBool);
  const auto attacked = set.original_prediction.eq(set.labels).sum().item<std::int64_t>();
  MESSAGE(set.successes() << " of " << attacked << " attacked succeeded, mean RMS distortion "
                          << set.mean_success_distortion() << ", " << seconds << " s");
  CHECK(set.successes() == attacked);
  CHECK(torch::equal(blindspot::predict(net, set.adversarial), set.prediction));
  const at::Tensor bound = linear_boundary_distance(net, set.original, set.labels);
  MESSAGE("mean L2 / distance to the boundary, box ignored: "
          << (l2_of(set) / bound).masked_select(won).mean().item<double>());
  CHECK((l2_of(set) >= bound * (1 - 1e-4)).masked_select(won).all().item<bool>());
}

TEST_CASE("bad parameters are refused with errors naming them") {
  const auto inputs = binary_inputs();
  for (const auto& [with, name] : std::vector<std::pair<std::string, std::string>>{
           {"{confidence: -1}", "confidence"},
           {"{margin: -0.1}", "margin"},
           {"{iterations: 0}", "iterations"},
           {"{binary_search_steps: 0}", "binary_search_steps"},
           {"{learning_rate: 0}", "learning_rate"},
           {"{learning_rate: -0.01}", "learning_rate"},
           {"{initial_const: 0}", "initial_const"},
           {"{batch: 0}", "batch"},
           {"{target: nearest}", "target"},
           {"{targets: [-1]}", "targets"},
           {"{iteratons: 10}", "iteratons"}}) {
    CAPTURE(with);
    CHECK_MESSAGE(testing::error_of([&] {
                    testing::run_attack("cw_l2", with, inputs);
                  }).find(name) != std::string::npos,
                  with);
  }
}
