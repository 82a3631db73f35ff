// Tests of the amplify plugin through the real loader: achieved RMS, clipping, success, fields.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// An untargeted set of n MNIST-sized samples with originals `base` and perturbations `r`.
std::shared_ptr<AdversarialSet> set_of(const at::Tensor& base, const at::Tensor& r) {
  const std::int64_t n = base.size(0);
  auto set = std::make_shared<AdversarialSet>();
  set->original = base;
  set->adversarial = base + r;
  set->labels = torch::zeros({n}, torch::kLong);
  set->indices = torch::arange(100, 100 + n);
  set->target = torch::full({n}, -1, torch::kLong);
  set->original_prediction = torch::zeros({n}, torch::kLong);
  set->prediction = torch::zeros({n}, torch::kLong);
  set->success = torch::zeros({n}, torch::kUInt8);
  set->distortion = AdversarialSet::rms_distortion(set->original, set->adversarial);
  set->extra["c"] = torch::arange(n).to(torch::kFloat);
  return set;
}

// Says class 0 whatever it sees.
std::shared_ptr<const blindspot::Model> constant_model() {
  return testing::linear_model(torch::zeros({2, 784}));
}

AdversarialSet amplify(const std::string& with, const std::shared_ptr<AdversarialSet>& set,
                       std::shared_ptr<const blindspot::Model> model = constant_model()) {
  const auto out = testing::run_node("amplify", with, {{"set", set}, {"model", model}});
  return testing::product_of<AdversarialSet>(out, "adversarial");
}

// Mid-grey images with small random perturbations of different sizes: clipping never binds.
std::shared_ptr<AdversarialSet> small_perturbations() {
  torch::manual_seed(3);
  const at::Tensor r =
      torch::randn({6, 1, 28, 28}) * torch::linspace(0.01, 0.08, 6).view({6, 1, 1, 1});
  return set_of(torch::full({6, 1, 28, 28}, 0.5f), r);
}

double max_abs(const at::Tensor& t) {
  return t.abs().max().item<double>();
}

}  // namespace

TEST_CASE("each perturbation reaches the requested RMS when clipping does not bind") {
  const auto given = small_perturbations();
  for (double stddev : {0.05, 0.1}) {
    CAPTURE(stddev);
    const auto set = amplify("{stddev: " + std::to_string(stddev) + "}", given);
    const at::Tensor rms = set.perturbation().pow(2).mean({1, 2, 3}).sqrt();
    CHECK(max_abs(rms - stddev) < 1e-6);
    CHECK(max_abs(set.distortion - stddev) < 1e-6);
    // The direction is kept: r' = r * scale, scale = stddev / rms(r).
    const at::Tensor scale = stddev / given->distortion.to(torch::kDouble);
    CHECK(max_abs(set.extra.at("scale") - scale) < 1e-4);
    const at::Tensor expected = given->perturbation() * scale.view({6, 1, 1, 1});
    CHECK(max_abs(set.perturbation() - expected) < 1e-6);
  }
}

TEST_CASE("clipping keeps x' in [0, 1] and the distortion is the RMS achieved") {
  // Bright images: a perturbation of RMS 0.1 pushes many pixels above 1.
  torch::manual_seed(4);
  const auto given =
      set_of(torch::full({5, 1, 28, 28}, 0.95f), torch::randn({5, 1, 28, 28}) * 0.02);
  const auto clipped = amplify("{}", given);
  CHECK(clipped.adversarial.min().item<float>() >= 0);
  CHECK(clipped.adversarial.max().item<float>() <= 1);
  CHECK(torch::allclose(clipped.distortion,
                        AdversarialSet::rms_distortion(clipped.original, clipped.adversarial)));
  CHECK(clipped.distortion.max().item<float>() < 0.09f);
  // Unclipped, the same perturbations leave [0, 1] and reach the RMS exactly.
  const auto unclipped = amplify("{clip: false}", given);
  CHECK(unclipped.adversarial.max().item<float>() > 1);
  CHECK(max_abs(unclipped.distortion - 0.1) < 1e-6);
  CHECK(torch::equal(clipped.adversarial, unclipped.adversarial.clamp(0, 1)));
  CHECK(torch::equal(clipped.extra.at("scale"), unclipped.extra.at("scale")));
}

TEST_CASE("a zero perturbation stays zero") {
  at::Tensor r = torch::full({2, 1, 28, 28}, 0.01f);
  r[1].zero_();
  const auto set = amplify("{}", set_of(torch::full({2, 1, 28, 28}, 0.5f), r));
  CHECK(torch::equal(set.adversarial[1], set.original[1]));
  CHECK(set.distortion[1].item<float>() == 0);
  CHECK(set.extra.at("scale")[1].item<float>() == 1);
  CHECK_FALSE(set.adversarial.isnan().any().item<bool>());
  CHECK(set.distortion[0].item<float>() == doctest::Approx(0.1));
}

TEST_CASE("a success stays one while the model is still fooled, on target or not") {
  // Three classes on two pixels: 0 while both are below 0.5, else the larger pixel's (1 or 2).
  const auto model = testing::linear_model(torch::tensor({{0.f, 0.f}, {1.f, 0.f}, {0.f, 1.f}}),
                                           torch::tensor({0.5f, 0.f, 0.f}));
  const at::Tensor base = torch::full({4, 1, 1, 2}, 0.3f);
  const at::Tensor r =
      torch::tensor({0.1f, 0.f, 0.1f, 0.15f, 0.15f, 0.1f, 0.f, 0.1f}).view({4, 1, 1, 2});
  auto given = set_of(base, r);
  // Untargeted; target 2; target 2; untargeted, but label 1 was wrong from the start, so the
  // given set did not count it a success.
  given->target = torch::tensor({-1, 2, 2, -1}, torch::kLong);
  given->labels = torch::tensor({0, 0, 0, 1}, torch::kLong);
  given->success = torch::tensor({1, 1, 1, 0}, torch::kUInt8);
  // At RMS 0.3: x' = (0.72, 0.3), (0.54, 0.65), (0.65, 0.54), (0.3, 0.72).
  const auto set = amplify("{stddev: 0.3}", given, model);
  CHECK(torch::equal(set.prediction, torch::tensor({1, 2, 1, 2}, torch::kLong)));
  CHECK(torch::equal(set.success, torch::tensor({1, 1, 1, 0}, torch::kUInt8)));
  CHECK(torch::equal(set.extra.at("on_target"), torch::tensor({0, 1, 0, 0}, torch::kUInt8)));
  // Scaled down to RMS 0.05 every sample falls back to class 0: no success is left.
  const auto shrunk = amplify("{stddev: 0.05}", given, model);
  CHECK(torch::equal(shrunk.prediction, torch::zeros({4}, torch::kLong)));
  CHECK(shrunk.success.sum().item<int>() == 0);
}

TEST_CASE("the originals, labels, targets and extras are kept") {
  const auto given = small_perturbations();
  const auto set = amplify("{}", given);
  for (auto [a, b] : std::vector<std::pair<at::Tensor, at::Tensor>>{
           {given->original, set.original},
           {given->labels, set.labels},
           {given->indices, set.indices},
           {given->target, set.target},
           {given->original_prediction, set.original_prediction},
           {given->extra.at("c"), set.extra.at("c")}})
    CHECK(torch::equal(a, b));
  CHECK(set.extra.size() == 3);
  CHECK(torch::equal(set.prediction, torch::zeros({6}, torch::kLong)));
}

TEST_CASE("round_trip restores an identical amplified set") {
  const testing::Connections inputs{{"set", small_perturbations()}, {"model", constant_model()}};
  const auto out = testing::run_node("amplify", "{stddev: 0.2}", inputs);
  const auto back = testing::round_trip("amplify", "{stddev: 0.2}", inputs, out);
  const auto& a = testing::product_of<AdversarialSet>(out, "adversarial");
  const auto& b = testing::product_of<AdversarialSet>(back, "adversarial");
  for (auto [x, y] :
       std::vector<std::pair<at::Tensor, at::Tensor>>{{a.adversarial, b.adversarial},
                                                      {a.prediction, b.prediction},
                                                      {a.success, b.success},
                                                      {a.distortion, b.distortion},
                                                      {a.extra.at("scale"), b.extra.at("scale")},
                                                      {a.extra.at("c"), b.extra.at("c")}})
    CHECK(torch::equal(x, y));
}

TEST_CASE("bad parameters are rejected with errors naming them") {
  for (const auto& bad :
       std::vector<std::pair<std::string, std::string>>{{"{stddev: 0}", "stddev"},
                                                        {"{stddev: -0.1}", "stddev"},
                                                        {"{batch: 0}", "batch"},
                                                        {"{clip: maybe}", "clip"},
                                                        {"{sigma: 0.1}", "sigma"}}) {
    CAPTURE(bad.first);
    const std::string message =
        testing::error_of([&] { amplify(bad.first, small_perturbations()); });
    CHECK(message.find(bad.second) != std::string::npos);
  }
}
