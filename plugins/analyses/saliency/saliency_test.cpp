// Tests of the saliency plugin through the real loader: the closed form on a linear model, finite
// differences on a trained MLP, the selected samples, restoring and bad parameters.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::Arrays;
namespace testing = blindspot::testing;

namespace {

// An FC16-8-2 sigmoid net trained briefly on the tiny data set (32 test images), and that set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("mlp", "{hidden: [16, 8], lambdas: [0, 0, 0], batch: 8, epochs: 2}");
  return inputs;
}

const Arrays& saliency_of(const blindspot::Outputs& out) {
  return testing::product_of<Arrays>(out, "saliency");
}

// The softmax probability of `label` for one image.
double probability(const blindspot::Classifier& net, const at::Tensor& image, std::int64_t label) {
  torch::NoGradGuard no_grad;
  return torch::softmax(net.logits(image.unsqueeze(0)).to(torch::kDouble), 1)[0][label]
      .item<double>();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("on a linear model the saliency is p_c (w_c - sum_j p_j w_j)") {
  const at::Tensor w =
      torch::tensor({{1.f, -2.f, .5f, 0.f}, {-1.f, 1.f, 2.f, .3f}, {.2f, .4f, -1.f, 1.f}});
  const at::Tensor x =
      torch::tensor({{.2f, .4f, .6f, .8f}, {.9f, .1f, .3f, .5f}, {.1f, .1f, .1f, .9f}});
  auto data = std::make_shared<blindspot::Dataset>();
  data->source = "hand-made";
  data->num_classes = 3;
  data->splits["test"] = {x.view({3, 1, 2, 2}), torch::tensor({0, 1, 2}).to(torch::kLong),
                          torch::arange(3)};
  const auto out =
      testing::run_node("saliency", "{}", {{"model", testing::linear_model(w)}, {"data", data}});
  const Arrays& result = saliency_of(out);
  const at::Tensor p = torch::softmax(x.matmul(w.t()), 1);
  const at::Tensor c = p.argmax(1);
  const at::Tensor expected = p.gather(1, c.unsqueeze(1)) * (w.index({c}) - p.matmul(w));  // [3, 4]
  CHECK(result.get("saliency").sizes() == torch::IntArrayRef({3, 1, 2, 2}));
  CHECK(torch::allclose(result.get("saliency").view({3, 4}), expected, 1e-5, 1e-7));
  CHECK(torch::equal(result.get("predictions"), c));
  CHECK(torch::allclose(result.get("probabilities"), p));
}

TEST_CASE("the saliency equals central differences of the predicted-class probability") {
  const auto out = testing::run_node("saliency", "{count: 4, offset: 10, batch: 3}", trained());
  const Arrays& result = saliency_of(out);
  const auto& net = testing::model_in(trained());
  const double eps = 1e-2;
  for (std::int64_t n = 0; n < 4; ++n) {
    const at::Tensor image = result.get("images")[n];
    const at::Tensor gradient = result.get("saliency")[n].flatten();
    const std::int64_t predicted = result.get("predictions")[n].item<std::int64_t>();
    const double scale = gradient.abs().max().item<double>();
    REQUIRE(scale > 0);
    // The three steepest pixels and two ordinary ones.
    std::vector<std::int64_t> pixels = {100, 500};
    for (std::int64_t i = 0; i < 3; ++i)
      pixels.push_back(std::get<1>(gradient.abs().topk(3))[i].item<std::int64_t>());
    for (std::int64_t pixel : pixels) {
      CAPTURE(n);
      CAPTURE(pixel);
      at::Tensor up = image.clone(), down = image.clone();
      up.view({-1})[pixel] += eps;
      down.view({-1})[pixel] -= eps;
      const double numeric =
          (probability(net, up, predicted) - probability(net, down, predicted)) / (2 * eps);
      // Measured: within 0.2% of the sample's steepest slope; float32 logits limit the quotient.
      CHECK(std::abs(numeric - gradient[pixel].item<double>()) <= 1e-2 * scale);
    }
  }
}

TEST_CASE("the samples, labels, predictions and indices follow the selection") {
  const auto& split = testing::split_in(trained(), "test");
  const auto& net = testing::model_in(trained());
  for (const char* with : {"{count: 5, offset: 3}", "{positions: [3, 4, 5, 6, 7], count: 2}"}) {
    CAPTURE(with);
    const Arrays result = saliency_of(testing::run_node("saliency", with, trained()));
    const at::Tensor positions = torch::arange(3, 8);
    CHECK(torch::equal(result.get("positions"), positions));
    CHECK(torch::equal(result.get("images"), split.images.index({positions})));
    CHECK(torch::equal(result.get("labels"), split.labels.index({positions})));
    CHECK(torch::equal(result.get("indices"), split.indices.index({positions})));
    CHECK(torch::equal(result.get("predictions"),
                       blindspot::predict(net, split.images.index({positions}))));
    CHECK(result.get("probabilities").sizes() == torch::IntArrayRef({5, 2}));
    CHECK(torch::allclose(result.get("probabilities").sum(1), torch::ones({5})));
    CHECK(result.get("saliency").sizes() == torch::IntArrayRef({5, 1, 28, 28}));
  }
  const Arrays picked =
      saliency_of(testing::run_node("saliency", "{positions: [31, 0, 31]}", trained()));
  CHECK(torch::equal(picked.get("indices"), split.indices.index({torch::tensor({31, 0, 31})})));
  // The same image twice in one batch: equal up to float rounding (rows may sum differently).
  CHECK(torch::allclose(picked.get("saliency")[0], picked.get("saliency")[2], 1e-5, 1e-9));
}

TEST_CASE("the archived product restores unchanged") {
  const std::string with = "{count: 3}";
  const auto out = testing::run_node("saliency", with, trained());
  const auto restored = testing::round_trip("saliency", with, trained(), out);
  CHECK(saliency_of(restored).title == saliency_of(out).title);
  for (const auto& [name, tensor] : saliency_of(out).values) {
    CAPTURE(name);
    CHECK(torch::equal(saliency_of(restored).get(name), tensor));
  }
}

TEST_CASE("bad parameters are refused with one clear line") {
  const auto saliency = [](const std::string& with) {
    return testing::error_of([&] { testing::run_node("saliency", with, trained()); });
  };
  CHECK(contains(saliency("{positions: [2, 32]}"),
                 "position 32 is past the end of split 'test' (32 samples)"));
  CHECK(contains(saliency("{positions: [-1]}"), "positions"));
  CHECK(contains(saliency("{offset: 32}"), "offset 32 is past the end of split 'test'"));
  CHECK(contains(saliency("{split: valid}"), "valid"));
  CHECK(saliency("{positions: [2, 32]}").find('\n') == std::string::npos);
}
