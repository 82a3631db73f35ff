// Tests of the gaussian plugin through the real loader: achieved noise, clipping, seeding, success.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
namespace testing = blindspot::testing;

namespace {

// 200 test images of 28x28 (the tiny data set's test half) and a softmax model trained on it.
const testing::Connections& trained() {
  static const testing::Connections inputs = [] {
    auto tiny = testing::tiny_dataset(400);
    auto model = testing::run_node("softmax", "{epochs: 5}", {{"data", tiny}}).find("model");
    return testing::Connections{{"model", model}, {"data", tiny}};
  }();
  return inputs;
}

const blindspot::LabelledImages& test_split() {
  return std::dynamic_pointer_cast<const blindspot::Dataset>(trained().at(1).second)->split("test");
}

}  // namespace

TEST_CASE("unclipped noise achieves the requested stddev") {
  const auto set = testing::run_attack("gaussian", "{stddev: 0.1}", trained());
  REQUIRE(set.size() == 200);
  CHECK(set.original[0].numel() == 784);
  CHECK(set.distortion.mean().item<double>() == doctest::Approx(0.1).epsilon(0.05));
  // One sample's RMS over 784 pixels varies by about 2.5%.
  CHECK(set.distortion.min().item<double>() > 0.085);
  CHECK(set.distortion.max().item<double>() < 0.115);
  CHECK(std::abs(set.perturbation().mean().item<double>()) < 0.002);
  CHECK(set.adversarial.min().item<float>() < 0);  // really unclipped
  CHECK(torch::equal(set.extra.at("stddev"), torch::full({200}, 0.1f)));
  const at::Tensor rms = set.perturbation().pow(2).mean({1, 2, 3}).sqrt();
  CHECK(torch::allclose(set.distortion, rms, 1e-5, 1e-7));
}

TEST_CASE("clipped noise is the unclipped noise clamped into [0, 1], with a lower distortion") {
  const auto raw = testing::run_attack("gaussian", "{stddev: 0.3}", trained());
  const auto clipped = testing::run_attack("gaussian", "{stddev: 0.3, clip: true}", trained());
  CHECK(torch::equal(clipped.adversarial, raw.adversarial.clamp(0, 1)));
  CHECK(clipped.adversarial.min().item<float>() >= 0);
  CHECK(clipped.adversarial.max().item<float>() <= 1);
  CHECK((clipped.distortion <= raw.distortion).all().item<bool>());
  CHECK(clipped.distortion.mean().item<double>() < 0.9 * raw.distortion.mean().item<double>());
  CHECK(torch::equal(clipped.extra.at("stddev"), torch::full({200}, 0.3f)));
}

TEST_CASE("the same seed gives the same noise, another seed other noise") {
  const auto a = testing::run_attack("gaussian", "{stddev: 0.1}", trained(), 5);
  CHECK(torch::equal(testing::run_attack("gaussian", "{stddev: 0.1}", trained(), 5).adversarial,
                     a.adversarial));
  CHECK_FALSE(torch::equal(
      testing::run_attack("gaussian", "{stddev: 0.1}", trained(), 6).adversarial, a.adversarial));
  // The noise does not depend on the batch size of the forward passes.
  CHECK(torch::equal(
      testing::run_attack("gaussian", "{stddev: 0.1, batch: 7}", trained(), 5).adversarial,
      a.adversarial));
}

TEST_CASE("zero stddev leaves every image alone and succeeds nowhere") {
  const auto set = testing::run_attack("gaussian", "{stddev: 0}", trained());
  CHECK(torch::equal(set.adversarial, set.original));
  CHECK(torch::equal(set.prediction, set.original_prediction));
  CHECK(set.success.sum().item<int>() == 0);
  CHECK(set.distortion.abs().max().item<float>() == 0);
}

TEST_CASE("every field is filled, and success means a correct label changed") {
  // Class 0 while the first pixel is positive; the odd samples' labels (1) are wrong on purpose.
  const auto weight = torch::tensor({{1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}});
  const std::int64_t n = 400;
  auto dataset = std::make_shared<blindspot::Dataset>();
  dataset->num_classes = 2;
  const at::Tensor images = torch::full({n, 1, 2, 2}, 0.5f);
  images.view({n, 4}).select(1, 0).fill_(0.05f);  // predicted 0, close to the boundary
  const at::Tensor labels = torch::arange(n).remainder(2);
  dataset->splits["test"] = {images, labels, torch::arange(1000, 1000 + n)};
  const testing::Connections inputs{{"model", testing::linear_model(weight)}, {"data", dataset}};
  const auto set = testing::run_attack("gaussian", "{stddev: 0.5, count: 400, batch: 64}", inputs);
  CHECK(torch::equal(set.original, images));
  CHECK(torch::equal(set.labels, labels));
  CHECK(torch::equal(set.indices, torch::arange(1000, 1000 + n)));
  CHECK(torch::equal(set.target, torch::full({n}, -1, torch::kLong)));
  CHECK(torch::equal(set.original_prediction, torch::zeros({n}, torch::kLong)));
  const at::Tensor first_pixel = set.adversarial.view({n, 4}).select(1, 0);
  const at::Tensor expected_prediction = first_pixel.gt(0).logical_not().to(torch::kLong);
  CHECK(torch::equal(set.prediction, expected_prediction));
  const at::Tensor correct = labels.eq(0);
  CHECK(torch::equal(set.success,
                     expected_prediction.ne(labels).logical_and(correct).to(torch::kUInt8)));
  // Label-1 samples are misclassified at the start: some now read 1, yet none succeeds.
  CHECK(set.prediction.masked_select(correct.logical_not()).eq(1).any().item<bool>());
  CHECK(set.success.masked_select(correct.logical_not()).sum().item<int>() == 0);
  CHECK(set.success.sum().item<int>() > 0);
}

TEST_CASE("count and offset take a slice of the split, and a short split is taken whole") {
  CHECK(testing::run_attack("gaussian", "{count: 5000}", trained()).size() == 200);
  const auto set = testing::run_attack("gaussian", "{offset: 190, count: 5}", trained());
  CHECK(torch::equal(set.indices, test_split().indices.narrow(0, 190, 5)));
  CHECK(testing::run_attack("gaussian", "{offset: 195, count: 50}", trained()).size() == 5);
  CHECK_THROWS_WITH_AS(testing::run_attack("gaussian", "{offset: 200}", trained()),
                       doctest::Contains("offset"), blindspot::Error);
}

TEST_CASE("round_trip restores an identical noisy set") {
  const std::string with = "{stddev: 0.2, clip: true}";
  const auto out = testing::run_node("gaussian", with, trained());
  const auto back = testing::round_trip("gaussian", with, trained(), out);
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
  CHECK(torch::equal(a->extra.at("stddev"), b->extra.at("stddev")));
}

TEST_CASE("bad parameters are rejected with errors naming them") {
  for (const auto& [with, name] :
       std::vector<std::pair<std::string, std::string>>{{"{stddev: -0.1}", "stddev"},
                                                        {"{count: 0}", "count"},
                                                        {"{offset: -3}", "offset"},
                                                        {"{clip: maybe}", "clip"},
                                                        {"{sigma: 0.1}", "sigma"}}) {
    CAPTURE(with);
    CHECK_THROWS_WITH_AS(testing::run_attack("gaussian", with, trained()),
                         doctest::Contains(name.c_str()), blindspot::Error);
  }
}
