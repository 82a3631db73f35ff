// Tests of the pgd plugin through the real loader: the ball, closed-form boundaries of linear
// models, targets, restarts and seeding.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// Two classes on 2x2 images with W = [w; -w]: the logits are x.w and -x.w.
at::Tensor linear_w() {
  return torch::tensor({1.f, -2.f, 3.f, -4.f});
}
at::Tensor two_class() {
  return torch::stack({linear_w(), -linear_w()});
}
// Three classes on 2x2 images: the logit of class c is pixel c; pixel 3 is ignored.
at::Tensor three_class() {
  return torch::eye(3, 4);
}

// A softmax model trained on the tiny data set (64 test images of 28x28), and that data set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("softmax", "{epochs: 5}", 128);
  return inputs;
}

// Per-sample size of the perturbation in the attack's norm.
at::Tensor linf_sizes(const AdversarialSet& set) {
  return set.perturbation().abs().flatten(1).amax(1);
}
at::Tensor l2_sizes(const AdversarialSet& set) {
  return set.perturbation().flatten(1).norm(2, {1});
}

// Every field of two sets, extra values included, is identical; with `rounding`, x' and the
// distortion only up to float rounding, since a batch of another size may take another BLAS
// path (its kernels sum in another order) and change their last bits.
bool identical(const AdversarialSet& a, const AdversarialSet& b, bool rounding = false) {
  if (a.extra.size() != b.extra.size()) return false;
  for (const auto& [name, values] : a.extra)
    if (!b.extra.count(name) || !torch::equal(values, b.extra.at(name))) return false;
  const bool images = rounding ? torch::allclose(a.adversarial, b.adversarial, 0, 1e-5) &&
                                     torch::allclose(a.distortion, b.distortion, 1e-4, 1e-6)
                               : torch::equal(a.adversarial, b.adversarial) &&
                                     torch::equal(a.distortion, b.distortion);
  return images && torch::equal(a.target, b.target) && torch::equal(a.prediction, b.prediction) &&
         torch::equal(a.success, b.success);
}

}  // namespace

TEST_CASE("x' never leaves its epsilon-ball nor [0, 1], for both norms") {
  const auto& inputs = trained();
  const std::vector<std::pair<std::string, double>> cases = {
      {"linf", 0.03}, {"linf", 0.3}, {"l2", 0.5}, {"l2", 4.0}};
  for (const auto& [norm, eps] : cases) {
    const std::string with = "{norm: " + norm + ", epsilon: " + std::to_string(eps) +
                             ", iterations: 10, restarts: 2, batch: 16}";
    CAPTURE(with);
    const auto set = testing::run_attack("pgd", with, inputs);
    REQUIRE(set.size() == 64);
    const at::Tensor sizes = norm == "linf" ? linf_sizes(set) : l2_sizes(set);
    CHECK(sizes.max().item<double>() <= eps + 1e-6);
    CHECK(sizes.max().item<double>() > 0.5 * eps);  // the attack does move
    CHECK(set.adversarial.min().item<float>() >= 0);
    CHECK(set.adversarial.max().item<float>() <= 1);
    CHECK(torch::equal(set.extra.at("epsilon_" + norm), torch::full({64}, eps, torch::kFloat)));
    CHECK(set.extra.count(norm == "linf" ? "epsilon_l2" : "epsilon_linf") == 0);
    const at::Tensor restarts = set.extra.at("restarts");
    CHECK((restarts.scalar_type() == torch::kLong));
    CHECK((restarts >= 1).logical_or(set.original_prediction.ne(set.labels)).all().item<bool>());
    CHECK((restarts <= 2).all().item<bool>());
  }
}

TEST_CASE("on W = [w; -w], PGD succeeds just outside the closest boundary and never inside it") {
  // The logit difference is 2 x.w, so the boundary is x.w = 0: the closest point is
  // |x.w| / ||w||_2 away in L2 and |x.w| / ||w||_1 in L-inf. Mid-grey inputs keep the box from
  // binding. Labels follow the sign of x.w.
  const std::vector<std::vector<float>> pixels = {{.5f, .5f, .5f, .5f},
                                                  {.6f, .4f, .5f, .45f},
                                                  {.5f, .4f, .6f, .4f},
                                                  {.7f, .4f, .65f, .4f},
                                                  {.5f, .3f, .6f, .35f}};
  const at::Tensor w = linear_w();
  std::vector<std::int64_t> labels;
  for (const auto& row : pixels)
    labels.push_back(torch::tensor(row).dot(w).item<float>() > 0 ? 0 : 1);
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data",
       testing::hand_made_dataset(testing::images_from_rows(pixels, {1, 2, 2}), labels, 3, 10)}};
  for (const std::string norm : {"l2", "linf"}) {
    const double dual = norm == "l2" ? w.norm(2).item<double>() : w.abs().sum().item<double>();
    for (std::size_t i = 0; i < pixels.size(); ++i) {
      const double closest = std::abs(torch::tensor(pixels[i]).dot(w).item<double>()) / dual;
      for (const double factor : {1.1, 0.9}) {
        const std::string with = "{norm: " + norm +
                                 ", epsilon: " + std::to_string(factor * closest) +
                                 ", offset: " + std::to_string(i) + ", count: 1}";
        CAPTURE(with);
        const auto set = testing::run_attack("pgd", with, inputs);
        const double size = (norm == "l2" ? l2_sizes(set) : linf_sizes(set)).item<double>();
        const double side = set.adversarial.flatten().dot(w).item<double>();
        if (factor > 1) {
          CHECK(set.success.item<int>() == 1);
          CHECK((labels[i] == 0 ? side < 0 : side > 0));  // across the boundary, by hand
          CHECK(size >= closest * (1 - 1e-5));
          CHECK(size <= factor * closest + 1e-6);
        } else {
          CHECK(set.success.item<int>() == 0);
          CHECK((labels[i] == 0 ? side > 0 : side < 0));
        }
      }
    }
  }
}

TEST_CASE("targeted mode reaches the target on the three-class linear model") {
  // Logits are pixels 0-2: labels 0, 1, 2, 0. Reaching the next label (1, 2, 0, 1) needs an
  // L-inf move of at most 0.2, reaching the listed labels (2, 0, 1, 1) at most 0.4.
  const testing::Connections inputs{
      {"model", testing::linear_model(three_class())},
      {"data", testing::hand_made_dataset(testing::images_from_rows({{.9f, .5f, .1f, .5f},
                                                                     {.2f, .8f, .5f, .4f},
                                                                     {.3f, .1f, .7f, .6f},
                                                                     {.6f, .2f, .4f, .3f}},
                                                                    {1, 2, 2}),
                                          {0, 1, 2, 0}, 3, 10)}};
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> cases = {
      {"{epsilon: 0.25, mode: targeted, target: next}", {1, 2, 0, 1}},
      {"{epsilon: 0.6, norm: l2, mode: targeted, target: next}", {1, 2, 0, 1}},
      {"{epsilon: 0.45, mode: targeted, target: list, targets: [2, 0, 1, 1]}", {2, 0, 1, 1}},
      // Source indices are 10-13, so by-index needs labels for 0-13.
      {"{epsilon: 0.45, mode: targeted, target: by-index, targets: [0, 0, 0, 0, 0, 0, 0, 0, 0, "
       "0, 2, 0, 1, 1]}",
       {2, 0, 1, 1}}};
  for (const auto& [with, expected] : cases) {
    CAPTURE(with);
    const auto set = testing::run_attack("pgd", with, inputs);
    CHECK(testing::int64_values(set.target) == expected);
    CHECK(torch::equal(set.prediction, set.target));
    CHECK(set.success.all().item<bool>());
  }
  // From x, each sign step raises the target's pixel, lowers the other logits' pixels and leaves
  // pixel 3 (zero gradient) alone, until the ball or the box stops it.
  const auto set = testing::run_attack(
      "pgd", "{epsilon: 0.25, mode: targeted, target: next, random_start: false}", inputs);
  const at::Tensor x = set.original.view({4, 4}), moved = set.adversarial.view({4, 4});
  const at::Tensor up = torch::one_hot(set.target, 3).to(torch::kBool);
  const at::Tensor logit_pixels = x.narrow(1, 0, 3);
  const at::Tensor want = torch::where(up, logit_pixels + 0.25f, logit_pixels - 0.25f).clamp(0, 1);
  CHECK(torch::allclose(moved.narrow(1, 0, 3), want, 0, 1e-6));
  CHECK(torch::equal(moved.select(1, 3), x.select(1, 3)));
  CHECK(testing::int64_values(set.extra.at("restarts")) == std::vector<std::int64_t>{1, 1, 1, 1});
  CHECK(testing::run_attack("pgd", "{epsilon: 0.1, mode: targeted, target: next}", inputs)
            .success.sum()
            .item<int>() == 0);
}

TEST_CASE("samples misclassified before the attack are left alone and never succeed") {
  // Sample 1 is labelled 1 but predicted 0; sample 3 is labelled 0 but predicted 1.
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data", testing::hand_made_dataset(testing::images_from_rows({{.5f, .5f, .7f, .3f},
                                                                     {.5f, .5f, .7f, .3f},
                                                                     {.5f, .5f, .3f, .7f},
                                                                     {.5f, .5f, .3f, .7f}},
                                                                    {1, 2, 2}),
                                          {0, 1, 1, 0}, 3, 10)}};
  for (const std::string with :
       {"{epsilon: 0.3, restarts: 3}", "{norm: l2, epsilon: 0.5, restarts: 3}",
        "{epsilon: 0.3, restarts: 3, mode: targeted, target: next}"}) {
    CAPTURE(with);
    const auto set = testing::run_attack("pgd", with, inputs);
    CHECK(testing::int64_values(set.original_prediction) == std::vector<std::int64_t>{0, 0, 1, 1});
    CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{1, 0, 1, 0});
    CHECK(torch::equal(set.adversarial[1], set.original[1]));
    CHECK(torch::equal(set.adversarial[3], set.original[3]));
    // The others are fooled by their first attempt.
    CHECK(testing::int64_values(set.extra.at("restarts")) == std::vector<std::int64_t>{1, 0, 1, 0});
  }
}

TEST_CASE("every success is re-checked by the model on the archived x'") {
  const auto& inputs = trained();
  const auto& net = testing::model_in(inputs);
  // The tiny data set's classes are 0.6 apart on half the pixels: about half the samples fall
  // at an L-inf epsilon of 0.3 (L2 8), almost all at 0.32 (L2 9).
  for (const std::string with :
       {"{epsilon: 0.3}", "{norm: l2, epsilon: 8}", "{epsilon: 0.32, mode: targeted}",
        "{norm: l2, epsilon: 9, mode: targeted, target: least-likely}"}) {
    CAPTURE(with);
    const auto set = testing::run_attack("pgd", with, inputs);
    CHECK(torch::equal(blindspot::predict(net, set.adversarial), set.prediction));
    CHECK(torch::equal(blindspot::predict(net, set.original), set.original_prediction));
    const bool targeted = with.find("targeted") != std::string::npos;
    const at::Tensor reached =
        targeted ? set.prediction.eq(set.target) : set.prediction.ne(set.labels);
    const at::Tensor won = reached.logical_and(set.original_prediction.eq(set.labels));
    CHECK(torch::equal(set.success, won.to(torch::kUInt8)));
    CHECK(set.success.sum().item<int>() > 0);
  }
}

TEST_CASE("the same seed gives the same set, and another batch size the same up to rounding") {
  const auto& inputs = trained();
  for (const std::string norm : {"linf", "l2"}) {
    // Few iterations, so that x' still depends on the start; every sample is restarted.
    const std::string eps = norm == "linf" ? "0.3" : "8";
    const std::string with =
        "{norm: " + norm + ", epsilon: " + eps + ", iterations: 5, restarts: 2";
    CAPTURE(with);
    const auto set = testing::run_attack("pgd", with + ", batch: 64}", inputs, 3);
    CHECK(identical(testing::run_attack("pgd", with + ", batch: 64}", inputs, 3), set));
    CHECK(identical(testing::run_attack("pgd", with + ", batch: 1}", inputs, 3), set, true));
    CHECK_FALSE(torch::equal(
        testing::run_attack("pgd", with + ", batch: 64}", inputs, 4).adversarial, set.adversarial));
  }
}

namespace {

// Checks that the attack `with` run with 1 and with 6 restarts (same seed) keeps every success
// of the first attempt, with its x', and runs as many attempts as it says; returns the successes
// of both runs.
std::pair<std::int64_t, std::int64_t> compare_restarts(const std::string& with,
                                                       const testing::Connections& inputs) {
  CAPTURE(with);
  const auto once = testing::run_attack("pgd", "{" + with + ", restarts: 1}", inputs, 5);
  const auto often = testing::run_attack("pgd", "{" + with + ", restarts: 6}", inputs, 5);
  const at::Tensor won_once = once.success.to(torch::kBool);
  const at::Tensor attacked = once.original_prediction.eq(once.labels);
  CHECK(once.successes() < attacked.sum().item<std::int64_t>());  // epsilon fails some
  CHECK((often.success >= once.success).all().item<bool>());
  // The first attempt is the same draw: what it fooled keeps its x' and is not attacked again.
  CHECK(torch::equal(often.adversarial.index({won_once}), once.adversarial.index({won_once})));
  const at::Tensor restarts = often.extra.at("restarts");
  CHECK((restarts.index({won_once}) == 1).all().item<bool>());
  const at::Tensor never = attacked.logical_and(often.success.to(torch::kBool).logical_not());
  CHECK((restarts.index({never}) == 6).all().item<bool>());
  CHECK((restarts.index({attacked.logical_not()}) == 0).all().item<bool>());
  return {once.successes(), often.successes()};
}

}  // namespace

TEST_CASE("more restarts never fool fewer samples") {
  // On the tiny softmax model the gradient's direction never changes and a start's effect
  // averages out over 784 pixels, so restarts rarely help there; the property must still hold.
  const auto [tiny_once, tiny_often] = compare_restarts("epsilon: 0.3, iterations: 20", trained());
  CHECK(tiny_often >= tiny_once);
  // On four pixels the start decides: 100 grey samples of x.w = -1 (L-inf distance 0.1 to the
  // boundary) with epsilon 0.2 and one short step succeed only from a start with w.delta above
  // 0.9, about 8% of the draws, so six attempts fool several times more samples than one.
  const testing::Connections grey{
      {"model", testing::linear_model(two_class())},
      {"data", testing::hand_made_dataset(
                   testing::images_from_rows(
                       std::vector<std::vector<float>>(100, {.5f, .5f, .5f, .5f}), {1, 2, 2}),
                   std::vector<std::int64_t>(100, 1), 3, 10)}};
  const auto [once, often] = compare_restarts("epsilon: 0.2, iterations: 1, count: 100", grey);
  MESSAGE("grey samples fooled: " << once << " by one attempt, " << often << " by six");
  CHECK(once > 0);
  CHECK(often > 2 * once);
  // Without a random start every attempt would be the same, so only one is run.
  CHECK(testing::run_attack(
            "pgd", "{epsilon: 0.2, iterations: 1, count: 100, restarts: 6, random_start: false}",
            grey)
            .extra.at("restarts")
            .max()
            .item<std::int64_t>() == 1);
}

TEST_CASE("round_trip restores the set and its extra values") {
  const auto& inputs = trained();
  const std::string with = "{norm: l2, epsilon: 1, iterations: 5, restarts: 2}";
  const auto out = testing::run_node("pgd", with, inputs);
  const auto back = testing::round_trip("pgd", with, inputs, out);
  CHECK(identical(testing::product_of<AdversarialSet>(back, "adversarial"),
                  testing::product_of<AdversarialSet>(out, "adversarial")));
}

TEST_CASE("bad parameters are refused at validation, naming them") {
  const auto& inputs = trained();
  for (const auto& [with, name] :
       std::vector<std::pair<std::string, std::string>>{{"{epsilon: 0}", "epsilon"},
                                                        {"{epsilon: -0.1}", "epsilon"},
                                                        {"{iterations: 0}", "iterations"},
                                                        {"{restarts: 0}", "restarts"},
                                                        {"{relative_step: 0}", "relative_step"},
                                                        {"{norm: l1}", "norm"},
                                                        {"{batch: 0}", "batch"},
                                                        {"{mode: sideways}", "mode"},
                                                        {"{target: nearest}", "target"},
                                                        {"{targets: [-1]}", "targets"},
                                                        {"{epsilom: 0.1}", "epsilom"}}) {
    CAPTURE(with);
    const std::string message =
        testing::error_of([&] { testing::run_attack("pgd", with, inputs); });
    CHECK(message.find("parameter '" + name + "'") != std::string::npos);
  }
}
