// Tests of the fgsm plugin through the real loader, on linear models whose gradients are known.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <random>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// Two classes on 2x2 images; class 1's weights are class 0's negated, so the untargeted step of
// a class-y sample is -epsilon * sign(W[y]).
at::Tensor two_class() {
  return torch::tensor({{1.f, -2.f, 3.f, -4.f}, {-1.f, 2.f, -3.f, 4.f}});
}
// Three classes on 2x2 images: the logit of class c is pixel c; pixel 3 is ignored.
at::Tensor three_class() {
  return torch::eye(3, 4);
}

// A softmax model trained on the tiny data set, and that data set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("softmax", "{epochs: 5}", 128);
  return inputs;
}

}  // namespace

TEST_CASE("the untargeted step is -epsilon * sign(W[y]) on the two-class linear model") {
  const auto set = testing::run_attack(
      "fgsm", "{epsilon: 0.2}",
      {{"model", testing::linear_model(two_class())},
       {"data",
        testing::hand_made_dataset(
            testing::images_from_rows({{.5f, .5f, .7f, .3f}, {.5f, .5f, .4f, .6f}}, {1, 2, 2}),
            {0, 1}, 3, 100)}});
  const at::Tensor expected_step = -0.2f * two_class().sign().view({2, 1, 2, 2});
  CHECK(torch::allclose(set.perturbation(), expected_step, 0, 1e-6));
  CHECK(testing::int64_values(set.original_prediction) == std::vector<std::int64_t>{0, 1});
  CHECK(testing::int64_values(set.prediction) == std::vector<std::int64_t>{1, 0});
  CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{1, 1});
  CHECK(testing::int64_values(set.target) == std::vector<std::int64_t>{-1, -1});
  CHECK(testing::int64_values(set.indices) == std::vector<std::int64_t>{100, 101});
  CHECK(torch::allclose(set.distortion, torch::full({2}, 0.2f)));
  CHECK(torch::equal(set.extra.at("epsilon_linf"), torch::full({2}, 0.2f)));
}

TEST_CASE("no pixel moves further than epsilon, and clipped images stay in [0, 1]") {
  const auto& inputs = trained();
  const auto& net = testing::model_in(inputs);
  for (const char* clip : {"true", "false"})
    for (double eps : {0.0, 0.05, 0.3, 1.0}) {
      const std::string with =
          "{epsilon: " + std::to_string(eps) + ", clip: " + clip + ", batch: 7}";
      CAPTURE(with);
      const auto set = testing::run_attack("fgsm", with, inputs);
      const auto test =
          std::dynamic_pointer_cast<const blindspot::Dataset>(inputs.at(1).second)->split("test");
      REQUIRE(set.size() == test.size());
      CHECK(torch::equal(set.original, test.images));
      CHECK(torch::equal(set.labels, test.labels));
      CHECK(torch::equal(set.indices, test.indices));
      CHECK(set.perturbation().abs().max().item<double>() <= eps + 1e-6);
      if (std::string(clip) == "true") {
        CHECK(set.adversarial.min().item<float>() >= 0);
        CHECK(set.adversarial.max().item<float>() <= 1);
      }
      CHECK(torch::equal(set.original_prediction, net.logits(test.images).argmax(1)));
      CHECK(torch::equal(set.prediction, net.logits(set.adversarial).argmax(1)));
      const at::Tensor rms = set.perturbation().pow(2).mean({1, 2, 3}).sqrt();
      CHECK(torch::allclose(set.distortion, rms, 1e-5, 1e-7));
      const at::Tensor flipped =
          set.prediction.ne(set.labels).logical_and(set.original_prediction.eq(set.labels));
      CHECK(torch::equal(set.success, flipped.to(torch::kUInt8)));
      if (eps == 0.0) CHECK(set.success.sum().item<int>() == 0);
      if (eps == 1.0) CHECK(set.success.sum().item<int>() > 0);
    }
}

TEST_CASE("a large targeted step reaches the next and the least-likely label") {
  // Logits are pixels 0-2: labels 0, 1, 2, 0; least likely 2, 0, 1, 1.
  auto inputs = testing::Connections{
      {"model", testing::linear_model(three_class())},
      {"data", testing::hand_made_dataset(testing::images_from_rows({{.9f, .5f, .1f, .5f},
                                                                     {.2f, .8f, .5f, .4f},
                                                                     {.3f, .1f, .7f, .6f},
                                                                     {.6f, .2f, .4f, .3f}},
                                                                    {1, 2, 2}),
                                          {0, 1, 2, 0}, 3, 100)}};
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> cases = {
      {"next", {1, 2, 0, 1}}, {"least-likely", {2, 0, 1, 1}}};
  for (const auto& [target, expected] : cases) {
    CAPTURE(target);
    const auto set =
        testing::run_attack("fgsm", "{epsilon: 1, mode: targeted, target: " + target + "}", inputs);
    CHECK(testing::int64_values(set.target) == expected);
    CHECK(torch::equal(set.prediction, set.target));
    CHECK(set.success.all().item<bool>());
    // Descending the target's loss raises its pixel to 1, lowers the other logits' pixels to 0
    // and leaves pixel 3 (zero gradient) alone.
    const at::Tensor pixels = set.adversarial.view({4, 4});
    const at::Tensor want = torch::one_hot(set.target, 4).to(torch::kFloat);
    CHECK(torch::equal(pixels.narrow(1, 0, 3), want.narrow(1, 0, 3)));
    CHECK(torch::equal(pixels.select(1, 3), set.original.view({4, 4}).select(1, 3)));
  }
}

TEST_CASE("the random target is never the true label and is fixed by the seed") {
  const std::int64_t n = 300;
  std::vector<std::vector<float>> pixels(n, {.5f, .5f, .5f, .5f});
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(i % 3);
  const testing::Connections inputs{
      {"model", testing::linear_model(three_class())},
      {"data",
       testing::hand_made_dataset(testing::images_from_rows(pixels, {1, 2, 2}), labels, 3, 100)}};
  const std::string with = "{mode: targeted, count: 300}";
  const auto set = testing::run_attack("fgsm", with, inputs, 7);
  const std::vector<std::int64_t> targets = testing::int64_values(set.target);
  // The portable draw: rng() % 2 (rejecting nothing in practice) from mt19937_64(seed), skipping
  // the true label.
  std::mt19937_64 rng(7);
  std::int64_t next = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    CHECK(targets[i] != labels[i]);
    const auto other = static_cast<std::int64_t>(rng() % 2);
    CHECK(targets[i] == (other >= labels[i] ? other + 1 : other));
    next += targets[i] == (labels[i] + 1) % 3;
  }
  CHECK(next > 100);  // both other labels are drawn, about equally often
  CHECK(next < 200);
  CHECK(torch::equal(testing::run_attack("fgsm", with, inputs, 7).target, set.target));
  CHECK_FALSE(torch::equal(testing::run_attack("fgsm", with, inputs, 8).target, set.target));
}

TEST_CASE("search finds, per sample, the smallest epsilon that flips it") {
  const auto& inputs = trained();
  const auto& net = testing::model_in(inputs);
  const auto set =
      testing::run_attack("fgsm", "{epsilon: 0.5, search: true, search_steps: 20}", inputs);
  const auto plain = testing::run_attack("fgsm", "{epsilon: 0.5}", inputs);
  CHECK(torch::equal(set.success, plain.success));  // the search never loses a success
  REQUIRE(set.success.sum().item<int>() > 0);
  const at::Tensor direction = blindspot::input_gradient(net, set.original, set.labels).sign();
  const at::Tensor eps = set.extra.at("epsilon_linf");
  const auto classify_at = [&](const at::Tensor& e) {
    return net.logits((set.original + e.view({-1, 1, 1, 1}) * direction).clamp(0, 1)).argmax(1);
  };
  const at::Tensor won = set.success.to(torch::kBool);
  CHECK((eps <= 0.5f).all().item<bool>());
  CHECK(torch::equal(eps.masked_select(won.logical_not()),
                     torch::full({(~won).sum().item<std::int64_t>()}, 0.5f)));
  CHECK(classify_at(eps).ne(set.labels).masked_select(won).all().item<bool>());
  CHECK(classify_at(0.95f * eps).eq(set.labels).masked_select(won).all().item<bool>());
  CHECK((set.perturbation().abs().amax({1, 2, 3}) <= eps + 1e-6).all().item<bool>());
}

TEST_CASE("samples misclassified before the attack are recorded but never succeed") {
  // Sample 1 is labelled 1 but predicted 0; sample 3 is labelled 0 but predicted 1.
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data", testing::hand_made_dataset(testing::images_from_rows({{.5f, .5f, .7f, .3f},
                                                                     {.5f, .5f, .7f, .3f},
                                                                     {.5f, .5f, .3f, .7f},
                                                                     {.5f, .5f, .3f, .7f}},
                                                                    {1, 2, 2}),
                                          {0, 1, 1, 0}, 3, 100)}};
  for (const char* with : {"{epsilon: 0.3}", "{epsilon: 0.3, search: true}",
                           "{epsilon: 0.3, mode: targeted, target: next}"}) {
    CAPTURE(with);
    const auto set = testing::run_attack("fgsm", with, inputs);
    CHECK(testing::int64_values(set.original_prediction) == std::vector<std::int64_t>{0, 0, 1, 1});
    CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{1, 0, 1, 0});
    CHECK(set.prediction[1].item<std::int64_t>() == 0);  // still "wrong", yet no success
    CHECK(set.extra.at("epsilon_linf")[1].item<float>() == doctest::Approx(0.3));
  }
}

TEST_CASE("count and offset take a slice of the split, and a short split is attacked whole") {
  const auto& inputs = trained();
  const auto test =
      std::dynamic_pointer_cast<const blindspot::Dataset>(inputs.at(1).second)->split("test");
  CHECK(testing::run_attack("fgsm", "{count: 100000}", inputs).size() == test.size());
  const auto set = testing::run_attack("fgsm", "{offset: 5, count: 4}", inputs);
  CHECK(torch::equal(set.indices, test.indices.narrow(0, 5, 4)));
  CHECK(torch::equal(set.original, test.images.narrow(0, 5, 4)));
  CHECK(testing::run_attack("fgsm", "{offset: 60, count: 10}", inputs).size() == test.size() - 60);
  const auto train =
      std::dynamic_pointer_cast<const blindspot::Dataset>(inputs.at(1).second)->split("train");
  CHECK(torch::equal(testing::run_attack("fgsm", "{split: train, count: 3}", inputs).indices,
                     train.indices.narrow(0, 0, 3)));
  CHECK_THROWS_WITH_AS(testing::run_attack("fgsm", "{offset: 1000}", inputs),
                       doctest::Contains("offset"), blindspot::Error);
  CHECK_THROWS_WITH_AS(testing::run_attack("fgsm", "{split: nope}", inputs),
                       doctest::Contains("nope"), blindspot::Error);
}

TEST_CASE("round_trip restores an identical adversarial set") {
  const auto& inputs = trained();
  const std::string with = "{mode: targeted, epsilon: 0.4, search: true}";
  const auto out = testing::run_node("fgsm", with, inputs);
  const auto back = testing::round_trip("fgsm", with, inputs, out);
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
  REQUIRE(b->extra.size() == 1);
  CHECK(torch::equal(a->extra.at("epsilon_linf"), b->extra.at("epsilon_linf")));
}

TEST_CASE("bad parameters are rejected with errors naming them") {
  const auto& inputs = trained();
  for (const auto& [with, name] :
       std::vector<std::pair<std::string, std::string>>{{"{epsilon: 2}", "epsilon"},
                                                        {"{epsilon: -0.1}", "epsilon"},
                                                        {"{mode: sideways}", "mode"},
                                                        {"{target: nearest}", "target"},
                                                        {"{count: 0}", "count"},
                                                        {"{offset: -1}", "offset"},
                                                        {"{batch: 0}", "batch"},
                                                        {"{search_steps: 0}", "search_steps"},
                                                        {"{epsilom: 0.1}", "epsilom"}}) {
    CAPTURE(with);
    CHECK_THROWS_WITH_AS(testing::run_attack("fgsm", with, inputs), doctest::Contains(name.c_str()),
                         blindspot::Error);
  }
}
