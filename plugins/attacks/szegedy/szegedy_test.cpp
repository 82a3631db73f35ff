// Tests of the szegedy plugin through the real loader, on linear models with known geometry.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// A softmax model trained on the tiny data set, and that data set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("softmax", "{epochs: 5}", 128);
  return inputs;
}

// Three classes on 2x2 images: the logit of class c is pixel c; pixel 3 is ignored.
// Labels 0, 1, 2, 1; the last sample is predicted 0, so it is misclassified.
testing::Connections three_class() {
  const at::Tensor pixels = torch::tensor(
      {.9f, .5f, .1f, .5f, .2f, .8f, .5f, .4f, .3f, .1f, .7f, .6f, .6f, .2f, .4f, .3f});
  return {{"model", testing::linear_model(torch::eye(3, 4), torch::zeros({3}))},
          {"data",
           testing::hand_made_dataset(pixels.view({4, 1, 2, 2}), {0, 1, 2, 1}, 3, 100, "train")}};
}

// A sigmoid MLP trained on five noisy 1x6x6 prototypes, with its data: a nonlinear
// model with several classes, on which the nearest other class differs from sample to sample.
const testing::Connections& five_class_mlp() {
  static const testing::Connections inputs = [] {
    torch::manual_seed(5);
    const std::int64_t classes = 5, n = 300;
    const at::Tensor prototypes = 0.2 + 0.6 * torch::rand({classes, 36});
    const at::Tensor labels = torch::arange(n).remainder(classes);
    const at::Tensor pixels =
        (prototypes.index_select(0, labels) + 0.15 * torch::randn({n, 36})).clamp(0, 1);
    auto dataset = std::make_shared<blindspot::Dataset>();
    dataset->source = "five prototypes";
    dataset->num_classes = classes;
    dataset->splits["train"] = {pixels.view({n, 1, 6, 6}), labels, torch::arange(n)};
    const auto model = testing::run_node("mlp",
                                         "{hidden: [16], lambdas: [0, 0], epochs: 40, batch: 20, "
                                         "learning_rate: 0.5}",
                                         {{"data", dataset}})
                           .find("model");
    return testing::Connections{{"model", model}, {"data", dataset}};
  }();
  return inputs;
}

// The mean distortion of the samples both sets fooled.
std::pair<double, double> paired_means(const AdversarialSet& a, const AdversarialSet& b) {
  const at::Tensor both = a.success.logical_and(b.success);
  return {a.distortion.masked_select(both).mean().item<double>(),
          b.distortion.masked_select(both).mean().item<double>()};
}

}  // namespace

TEST_CASE("untargeted finds examples about as close as the best of all targeted ones") {
  const auto& inputs = five_class_mlp();
  const auto untargeted = testing::run_attack("szegedy", "{count: 40, target: untargeted}", inputs);
  const auto all = testing::run_attack("szegedy", "{count: 40, target: all}", inputs);
  const at::Tensor correct = untargeted.original_prediction.eq(untargeted.labels);
  REQUIRE(correct.sum().item<int>() >= 30);
  CHECK(torch::equal(untargeted.success, correct.to(torch::kUInt8)));
  CHECK(torch::equal(all.success, correct.to(torch::kUInt8)));
  const auto [u, a] = paired_means(untargeted, all);
  MESSAGE("mean distortion untargeted " << u << ", best target " << a);
  // Ascending the true label's cross-entropy (unbounded) gave several times the distortion.
  CHECK(u <= a * 1.05);
  CHECK(u >= a * 0.95);  // `all` includes the class untargeted lands in: it cannot be far better
}

TEST_CASE("untargeted: one and two drivers agree within 0.1% on the mean") {
  const auto& inputs = five_class_mlp();
  const auto one =
      testing::run_attack("szegedy", "{count: 40, target: untargeted, threads: 1}", inputs);
  const auto two = testing::run_attack(
      "szegedy", "{count: 40, target: untargeted, threads: 2, batch: 7}", inputs);
  CHECK(torch::equal(one.success, two.success));
  const auto [a, b] = paired_means(one, two);
  CHECK(b == doctest::Approx(a).epsilon(0.001));
}

TEST_CASE("by-index targets follow each sample's source index") {
  const auto inputs = three_class();  // source indices 100..103, labels 0, 1, 2, 1
  std::string targets = "[";
  for (int i = 0; i < 104; ++i) targets += (i ? ", " : "") + std::to_string(i == 100 ? 2 : 0);
  targets += "]";
  const auto set =
      testing::run_attack("szegedy", "{target: by-index, targets: " + targets + "}", inputs);
  CHECK(torch::equal(set.target, torch::tensor({2, 0, 0, 0}).to(torch::kLong)));
  CHECK(set.success[0].item<int>() == 1);
  CHECK(set.success[1].item<int>() == 1);
  CHECK(set.success[2].item<int>() == 1);
  CHECK(set.success[3].item<int>() == 0);  // misclassified before
  CHECK_THROWS_WITH_AS(
      testing::run_attack("szegedy", "{target: by-index, targets: [1, 2]}", inputs),
      doctest::Contains("source index 100"), blindspot::Error);
}

TEST_CASE("on a two-class linear model the distortion meets the distance to the boundary") {
  const at::Tensor w = torch::tensor({{1.f, -1.f, .5f, 0.f}, {-1.f, 1.f, -.5f, .2f}});
  const at::Tensor b = torch::tensor({.1f, -.1f});
  const at::Tensor x = torch::tensor(
      {{.5f, .4f, .5f, .5f}, {.4f, .6f, .3f, .2f}, {.6f, .3f, .6f, .9f}, {.45f, .5f, .5f, .1f}});
  const at::Tensor y = (x.matmul(w.t()) + b).argmax(1);
  const std::vector<std::int64_t> labels(y.data_ptr<std::int64_t>(),
                                         y.data_ptr<std::int64_t>() + 4);
  // The target's region is a half-space: distance |margin| / ||w_l - w_y||; its foot is inside
  // the box, so the bounds do not bind.
  const at::Tensor sign = 1 - 2 * y.to(torch::kFloat);  // +1 for class 0, -1 for class 1
  const at::Tensor normal = w[1] - w[0];
  const at::Tensor margin = (x.matmul(w[0] - w[1]) + (b[0] - b[1])) * sign;
  const at::Tensor bound = margin / normal.norm();
  const at::Tensor foot = x + (bound * sign).unsqueeze(1) * normal / normal.norm();
  REQUIRE((margin > 0).all().item<bool>());
  REQUIRE(((foot > 0) & (foot < 1)).all().item<bool>());
  const auto set = testing::run_attack(
      "szegedy", "{target: next, search: {plugin: c_search, steps: 20}}",
      {{"model", testing::linear_model(w, b)},
       {"data", testing::hand_made_dataset(x.view({4, 1, 2, 2}), labels, 2, 100, "train")}});
  CHECK(set.success.all().item<bool>());
  const at::Tensor l2 = set.distortion * 2;  // sqrt(D) = 2
  CAPTURE(l2);
  CAPTURE(bound);
  MESSAGE("largest distortion / bound " << (l2 / bound).max().item<float>());
  CHECK((l2 >= bound * (1 - 1e-5)).all().item<bool>());
  CHECK((l2 <= bound * 1.03).all().item<bool>());
}

TEST_CASE("x' stays in [0, 1], success is re-verified, and misclassified samples never succeed") {
  const auto inputs = three_class();
  const auto& net = testing::model_in(inputs);
  for (const char* target : {"next", "untargeted", "random", "least-likely"}) {
    CAPTURE(target);
    const auto set =
        testing::run_attack("szegedy", std::string("{target: ") + target + "}", inputs);
    CHECK(set.adversarial.min().item<float>() >= 0);
    CHECK(set.adversarial.max().item<float>() <= 1);
    CHECK(torch::equal(set.prediction, net.logits(set.adversarial).argmax(1)));
    const at::Tensor reached = std::string(target) == "untargeted" ? set.prediction.ne(set.labels)
                                                                   : set.prediction.eq(set.target);
    CHECK(torch::equal(
        set.success,
        reached.logical_and(set.original_prediction.eq(set.labels)).to(torch::kUInt8)));
    CHECK(set.success[3].item<int>() == 0);
    CHECK(set.success.narrow(0, 0, 3).all().item<bool>());
    CHECK(torch::allclose(set.distortion,
                          AdversarialSet::rms_distortion(set.original, set.adversarial)));
    if (std::string(target) == "next")
      CHECK(torch::equal(set.target, torch::tensor({1, 2, 0, 2}).to(torch::kLong)));
    if (std::string(target) == "untargeted") CHECK((set.target == -1).all().item<bool>());
    if (std::string(target) == "random") CHECK(set.target.ne(set.labels).all().item<bool>());
    CHECK(set.extra.at("c").masked_select(set.success.to(torch::kBool)).gt(0).all().item<bool>());
    CHECK(set.extra.at("evaluations").narrow(0, 0, 3).gt(0).all().item<bool>());
  }
}

TEST_CASE("target all reports the closest of the single-target runs") {
  const auto inputs = three_class();
  const auto all = testing::run_attack("szegedy", "{target: all}", inputs);
  // Sample 0 (pixels .9 .5 .1): label 1 is closer (distance .4 / sqrt 2) than label 2.
  CHECK(all.target[0].item<std::int64_t>() == 1);
  CHECK(all.success.narrow(0, 0, 3).all().item<bool>());
  for (int l = 0; l < 3; ++l) {
    CAPTURE(l);
    const auto one = testing::run_attack(
        "szegedy", "{target: list, targets: [" + std::to_string(l) + "]}", inputs);
    for (int i = 0; i < 3; ++i) {
      if (one.labels[i].item<int>() == l) {
        CHECK(one.success[i].item<int>() == 0);  // the true label is no target
        continue;
      }
      CHECK(one.success[i].item<int>() == 1);
      CHECK(all.distortion[i].item<float>() <= one.distortion[i].item<float>() * (1 + 1e-4));
    }
  }
}

TEST_CASE("every correctly classified tiny sample is attacked successfully") {
  const auto& inputs = trained();
  const auto set = testing::run_attack("szegedy", "{count: 24}", inputs);
  REQUIRE(set.size() == 24);
  const at::Tensor correct = set.original_prediction.eq(set.labels);
  REQUIRE(correct.sum().item<int>() > 20);
  CHECK(torch::equal(set.success, correct.to(torch::kUInt8)));
  CHECK(set.adversarial.min().item<float>() >= 0);
  CHECK(set.adversarial.max().item<float>() <= 1);
  CHECK(torch::equal(set.prediction, predict(testing::model_in(inputs), set.adversarial)));
}

TEST_CASE("warm start reaches the same distortion with fewer evaluations") {
  const auto& inputs = trained();
  const auto warm =
      testing::run_attack("szegedy", "{count: 24, search: {plugin: c_search, steps: 15}}", inputs);
  const auto cold = testing::run_attack(
      "szegedy", "{count: 24, warm_start: false, search: {plugin: c_search, steps: 15}}", inputs);
  CHECK(torch::equal(warm.success, cold.success));
  const auto won = warm.success.to(torch::kBool);
  const double w = warm.distortion.masked_select(won).mean().item<double>();
  const double c = cold.distortion.masked_select(won).mean().item<double>();
  CHECK(w == doctest::Approx(c).epsilon(0.03));
  const auto we = warm.extra.at("evaluations").sum().item<std::int64_t>();
  const auto ce = cold.extra.at("evaluations").sum().item<std::int64_t>();
  MESSAGE("distortion warm " << w << " cold " << c << "; evaluations warm " << we << " cold "
                             << ce);
  CHECK(we < ce);
}

TEST_CASE("two drivers with small batches give the results of one driver") {
  const auto& inputs = trained();
  const auto one = testing::run_attack("szegedy", "{count: 24, threads: 1}", inputs);
  const auto two = testing::run_attack("szegedy", "{count: 24, threads: 2, batch: 5}", inputs);
  CHECK(torch::equal(one.success, two.success));
  const auto won = one.success.to(torch::kBool);
  const double a = one.distortion.masked_select(won).mean().item<double>();
  const double b = two.distortion.masked_select(won).mean().item<double>();
  CHECK(b == doctest::Approx(a).epsilon(0.001));
  // Every attacked sample tried between 1 and `steps` (10) values of c; skipped ones none.
  const at::Tensor solves = two.extra.at("solves");
  CHECK(solves.masked_select(won).min().item<std::int64_t>() >= 1);
  CHECK(solves.max().item<std::int64_t>() <= 10);
  const auto wrong = one.original_prediction.ne(one.labels);
  if (wrong.any().item<bool>()) CHECK(solves.masked_select(wrong).max().item<std::int64_t>() == 0);
}

TEST_CASE("every success wins by the margin, so re-classifying cannot undo it") {
  const auto& inputs = trained();
  const auto set = testing::run_attack("szegedy", "{count: 24, margin: 0.5}", inputs);
  const auto won = set.success.to(torch::kBool);
  REQUIRE(won.sum().item<int>() > 20);
  const at::Tensor logits = testing::model_in(inputs).logits(set.adversarial).detach();
  const at::Tensor own = logits.gather(1, set.target.clamp_min(0).unsqueeze(1)).squeeze(1);
  const at::Tensor other = logits.scatter(1, set.target.clamp_min(0).unsqueeze(1), -1e30f).amax(1);
  CHECK((own - other).masked_select(won).min().item<float>() >= 0.5f - 1e-4f);
}

TEST_CASE("bad parameters are rejected at validation, naming them") {
  const auto inputs = three_class();
  for (const auto& [with, name] : std::vector<std::pair<std::string, std::string>>{
           {"{search: {plugin: c_search, initial: -1}}", "initial"},
           {"{search: {plugin: c_search, steps: 0}}", "steps"},
           {"{target: sideways}", "target"},
           {"{optimiser: {plugin: c_search}}", "optimiser"},
           {"{search: {plugin: lbfgsb}}", "search"},
           {"{optimiser: {plugin: lbfgsb, m: 0}}", "m"},
           {"{count: 0}", "count"},
           {"{targets: [-1]}", "targets"},
           {"{threads: -1}", "threads"},
           {"{batch: 0}", "batch"},
           {"{margin: -1}", "margin"}}) {
    CAPTURE(with);
    CHECK_THROWS_WITH_AS(testing::run_attack("szegedy", with, inputs),
                         doctest::Contains(name.c_str()), blindspot::Error);
  }
  CHECK_THROWS_WITH_AS(testing::run_attack("szegedy", "{target: list, targets: [1, 2]}", inputs),
                       doctest::Contains("targets"), blindspot::Error);
}

TEST_CASE("round_trip restores an identical adversarial set") {
  const auto inputs = three_class();
  const std::string with = "{target: all}";
  const auto out = testing::run_node("szegedy", with, inputs);
  const auto back = testing::round_trip("szegedy", with, inputs, out);
  auto a = std::dynamic_pointer_cast<const AdversarialSet>(out.find("adversarial"));
  auto b = std::dynamic_pointer_cast<const AdversarialSet>(back.find("adversarial"));
  REQUIRE(a);
  REQUIRE(b);
  for (auto [x, y] : std::vector<std::pair<at::Tensor, at::Tensor>>{
           {a->original, b->original},
           {a->adversarial, b->adversarial},
           {a->labels, b->labels},
           {a->indices, b->indices},
           {a->target, b->target},
           {a->original_prediction, b->original_prediction},
           {a->prediction, b->prediction},
           {a->success, b->success},
           {a->distortion, b->distortion}})
    CHECK(torch::equal(x, y));
  REQUIRE(b->extra.size() == 4);
  for (const char* key : {"c", "iterations", "evaluations", "solves"})
    CHECK(torch::equal(a->extra.at(key), b->extra.at(key)));
}
