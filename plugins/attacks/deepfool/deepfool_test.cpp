// Tests of the deepfool plugin through the real loader, on linear models whose boundaries are
// known.
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

// The weights of class 0 in the two-class model; class 1's are these negated.
const std::vector<double> kW = {1, -2, 3, -4};

// Two classes on 2x2 images: logits (w.x, -w.x), so the boundary is the hyperplane w.x = 0.
at::Tensor two_class() {
  const at::Tensor w = torch::tensor(kW, torch::kFloat);
  return torch::stack({w, -w});
}
// Three classes on 2x2 images: the logit of class c is scale[c] times pixel c; pixel 3 is ignored.
at::Tensor three_class(const std::vector<float>& scale = {1, 1, 1}) {
  return torch::eye(3, 4) * torch::tensor(scale).unsqueeze(1);
}

// A softmax model trained on the tiny data set, and that data set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("softmax", "{epochs: 5}", 128);
  return inputs;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

// For a linear f(x) = f0 + g.(x' - x) that is negative at x: (1 + overshoot) times the
// orthogonal projection of x onto the hyperplane f = 0, plus 1e-4 along its unit normal g/|g|.
std::vector<double> boundary_step(double f0, const std::vector<double>& g, double overshoot) {
  const double norm = std::sqrt(dot(g, g));
  std::vector<double> step;
  for (double gi : g)
    step.push_back((1 + overshoot) * (-f0 * gi / (norm * norm) + 1e-4 * gi / norm));
  return step;
}

std::vector<double> perturbation_of(const AdversarialSet& set, std::int64_t sample) {
  const at::Tensor row = set.perturbation()[sample].flatten().to(torch::kDouble).contiguous();
  return {row.data_ptr<double>(), row.data_ptr<double>() + row.numel()};
}

// Every pixel of `got` within 1e-5 of `want`.
void check_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(got[i] - want[i]) <= 1e-5);
  }
}

}  // namespace

TEST_CASE("one step on the two-class linear model is the projection onto w.x = 0, 1e-4 past it") {
  const std::vector<std::vector<double>> pixels = {{.6, .4, .65, .4}, {.55, .45, .55, .45}};
  const std::vector<std::int64_t> labels = {0, 1};  // w.x = 0.15 and -0.5
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data",
       testing::hand_made_dataset(
           testing::images_from_rows({{.6f, .4f, .65f, .4f}, {.55f, .45f, .55f, .45f}}, {1, 2, 2}),
           labels, 3, 100)}};
  for (double overshoot : {0.0, 0.02}) {
    const std::string with = "{iterations: 1, overshoot: " + std::to_string(overshoot) + "}";
    CAPTURE(with);
    const auto set = testing::run_attack("deepfool", with, inputs);
    for (std::int64_t i = 0; i < 2; ++i) {
      CAPTURE(i);
      // f = Z_other - Z_label = -+2 w.x, whose gradient is -+2 w.
      std::vector<double> g;
      for (double wi : kW) g.push_back(labels[i] == 0 ? -2 * wi : 2 * wi);
      const double f0 = dot(g, pixels[i]);
      REQUIRE(f0 < 0);
      check_close(perturbation_of(set, i), boundary_step(f0, g, overshoot));
    }
    CHECK(testing::int64_values(set.prediction) == std::vector<std::int64_t>{1, 0});
    CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{1, 1});
    CHECK(testing::int64_values(set.target) == std::vector<std::int64_t>{-1, -1});
    CHECK(testing::int64_values(set.extra.at("iterations")) == std::vector<std::int64_t>{1, 1});
  }
}

TEST_CASE("deepfool steps to the nearest boundary among the candidate classes") {
  struct Case {
    std::vector<float> scale, pixels;
    std::int64_t label;
    std::string with;
    std::int64_t nearest;  // worked out by hand from |f_k| / ||w_k||
  };
  const std::vector<Case> cases = {
      // Distances 0.3 / sqrt 2 to class 1 and 0.1 / sqrt 2 to class 2.
      {{1, 1, 1}, {.9f, .6f, .8f, .5f}, 0, "{}", 2},
      // Distances 0.4 / sqrt 2 to class 0 and 0.6 / sqrt 2 to class 2.
      {{1, 1, 1}, {.3f, .7f, .1f, .5f}, 1, "{}", 0},
      // Logits 0.6, 0.5, 0.4: distances 0.1 / sqrt 2 = 0.071 to class 1, 0.2 / sqrt 17 = 0.049 to
      // class 2. All classes: class 2; the top two only: class 1, although it is further.
      {{1, 1, 4}, {.6f, .5f, .1f, .5f}, 0, "{}", 2},
      {{1, 1, 4}, {.6f, .5f, .1f, .5f}, 0, "{candidates: 3}", 2},
      {{1, 1, 4}, {.6f, .5f, .1f, .5f}, 0, "{candidates: 99}", 2},
      {{1, 1, 4}, {.6f, .5f, .1f, .5f}, 0, "{candidates: 2}", 1},
  };
  for (const Case& c : cases) {
    CAPTURE(c.with);
    CAPTURE(c.label);
    const at::Tensor weight = three_class(c.scale);
    const auto set = testing::run_attack(
        "deepfool", c.with,
        {{"model", testing::linear_model(weight)},
         {"data", testing::hand_made_dataset(testing::images_from_rows({c.pixels}, {1, 2, 2}),
                                             {c.label}, 3, 100)}});
    CHECK(set.prediction[0].item<std::int64_t>() == c.nearest);
    CHECK(set.success[0].item<int>() == 1);
    // Linear logits: one step crosses, and the sample stops there.
    CHECK(set.extra.at("iterations")[0].item<std::int64_t>() == 1);
    const at::Tensor w = (weight[c.nearest] - weight[c.label]).to(torch::kDouble).contiguous();
    const std::vector<double> g(w.data_ptr<double>(), w.data_ptr<double>() + 4);
    const double f0 = dot(g, {c.pixels.begin(), c.pixels.end()});
    check_close(perturbation_of(set, 0), boundary_step(f0, g, 0.02));
  }
}

TEST_CASE("a clipped step falls short, the next one crosses, and batch-mates stop earlier") {
  // Sample 0: w.x = 0.84; the projection would take pixel 0 to -0.008, so clipping keeps the
  // sample on its side (w.x' = +0.007) and a second step is needed. Sample 1 crosses in one step
  // (w.x = 0.15), sample 2 is misclassified.
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data",
       testing::hand_made_dataset(
           testing::images_from_rows(
               {{.02f, .9f, .9f, .02f}, {.6f, .4f, .65f, .4f}, {.6f, .4f, .65f, .4f}}, {1, 2, 2}),
           {0, 0, 1}, 3, 100)}};
  const auto set = testing::run_attack("deepfool", "{overshoot: 0, batch: 3}", inputs);
  CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{1, 1, 0});
  CHECK(testing::int64_values(set.extra.at("iterations")) == std::vector<std::int64_t>{2, 1, 0});
  CHECK(set.adversarial.min().item<float>() >= 0);
  CHECK(set.adversarial.max().item<float>() <= 1);
  CHECK(set.adversarial.flatten()[0].item<float>() == 0);
  std::vector<double> g;
  for (double wi : kW) g.push_back(-2 * wi);
  check_close(perturbation_of(set, 1), boundary_step(dot(g, {.6, .4, .65, .4}), g, 0));
  const auto alone = testing::run_attack("deepfool", "{overshoot: 0, batch: 1}", inputs);
  CHECK(torch::equal(alone.adversarial, set.adversarial));
}

TEST_CASE("a candidate whose logit moves with the label's gives no direction and no NaN") {
  // Class 1 copies class 0's weights, so Z_1 - Z_0 has a zero gradient (and ties at 0, which
  // argmax resolves to class 0). With class 2 as well, deepfool steps to class 2; with class 2
  // copying class 0 too, no sample can move and it stays put for every iteration.
  const at::Tensor to_class_2 =
      torch::tensor({{1.f, 0.f, 0.f, 0.f}, {1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 1.f, 0.f}});
  const auto data_set = testing::hand_made_dataset(
      testing::images_from_rows({{.5f, .2f, .3f, .5f}}, {1, 2, 2}), {0}, 3, 100);
  const auto set = testing::run_attack(
      "deepfool", "{}", {{"model", testing::linear_model(to_class_2)}, {"data", data_set}});
  CHECK(set.prediction[0].item<std::int64_t>() == 2);
  check_close(perturbation_of(set, 0), boundary_step(-0.2, {-1, 0, 1, 0}, 0.02));
  const at::Tensor stuck = torch::tensor({1.f, 0.f, 0.f, 0.f}).expand({3, 4});
  const auto none = testing::run_attack(
      "deepfool", "{iterations: 3}", {{"model", testing::linear_model(stuck)}, {"data", data_set}});
  CHECK(torch::equal(none.adversarial, none.original));
  CHECK(none.success[0].item<int>() == 0);
  CHECK(none.extra.at("iterations")[0].item<std::int64_t>() == 3);
}

TEST_CASE("samples misclassified before the attack are left unchanged and never succeed") {
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data",
       testing::hand_made_dataset(
           testing::images_from_rows(
               {{.6f, .4f, .65f, .4f}, {.55f, .45f, .55f, .45f}, {.6f, .4f, .65f, .4f}}, {1, 2, 2}),
           {1, 0, 0}, 3, 100)}};
  const auto set = testing::run_attack("deepfool", "{}", inputs);
  CHECK(testing::int64_values(set.original_prediction) == std::vector<std::int64_t>{0, 1, 0});
  CHECK(testing::int64_values(set.success) == std::vector<std::int64_t>{0, 0, 1});
  CHECK(testing::int64_values(set.extra.at("iterations")) == std::vector<std::int64_t>{0, 0, 1});
  CHECK(torch::equal(set.adversarial.narrow(0, 0, 2), set.original.narrow(0, 0, 2)));
}

TEST_CASE("on trained models, x' stays in [0, 1] and batches do not change the result") {
  const testing::Connections mlp = testing::trained_on_tiny(
      "mlp", "{hidden: [16, 8], activation: relu, lambdas: [0, 0, 0], batch: 8, epochs: 10}", 128);
  for (const auto& [name, inputs] : std::vector<std::pair<std::string, testing::Connections>>{
           {"softmax", trained()}, {"mlp", mlp}}) {
    CAPTURE(name);
    const auto& net = testing::model_in(inputs);
    const auto one = testing::run_attack("deepfool", "{batch: 1}", inputs);
    const auto all = testing::run_attack("deepfool", "{batch: 64}", inputs);
    const at::Tensor attacked = one.original_prediction.eq(one.labels);
    REQUIRE(attacked.sum().item<int>() > 0);
    for (const AdversarialSet* set : {&one, &all}) {
      CHECK(set->adversarial.min().item<float>() >= 0);
      CHECK(set->adversarial.max().item<float>() <= 1);
      const at::Tensor prediction = blindspot::predict(net, set->adversarial);
      CHECK(torch::equal(set->prediction, prediction));
      const at::Tensor fooled = prediction.ne(set->labels).logical_and(attacked);
      CHECK(torch::equal(set->success, fooled.to(torch::kUInt8)));
      const at::Tensor untouched = attacked.logical_not();
      CHECK(torch::equal(set->adversarial.index({untouched}), set->original.index({untouched})));
      const at::Tensor steps = set->extra.at("iterations");
      CHECK(steps.index({untouched}).eq(0).all().item<bool>());
      CHECK(steps.index({attacked}).ge(1).all().item<bool>());
      CHECK(steps.le(50).all().item<bool>());
    }
    CHECK(torch::equal(one.success, all.success));
    CHECK(torch::equal(one.extra.at("iterations"), all.extra.at("iterations")));
    CHECK(torch::allclose(one.adversarial, all.adversarial, 1e-4, 1e-5));
    const at::Tensor steps = one.extra.at("iterations").index({attacked}).to(torch::kDouble);
    MESSAGE(name << ": " << one.successes() << " of " << attacked.sum().item<int>()
                 << " attacked succeeded, mean RMS distortion " << one.mean_success_distortion()
                 << ", mean steps " << steps.mean().item<double>() << ", max steps "
                 << steps.max().item<double>() << ", largest batch difference "
                 << (one.adversarial - all.adversarial).abs().max().item<float>());
  }
}

TEST_CASE("bad parameters are rejected with errors naming them") {
  const testing::Connections inputs{
      {"model", testing::linear_model(two_class())},
      {"data", testing::hand_made_dataset(
                   testing::images_from_rows({{.6f, .4f, .65f, .4f}}, {1, 2, 2}), {0}, 3, 100)}};
  for (const auto& [with, name] :
       std::vector<std::pair<std::string, std::string>>{{"{overshoot: -0.1}", "overshoot"},
                                                        {"{iterations: 0}", "iterations"},
                                                        {"{candidates: 1}", "candidates"},
                                                        {"{candidates: 0}", "candidates"},
                                                        {"{batch: 0}", "batch"}}) {
    CAPTURE(with);
    CHECK_THROWS_WITH_AS(testing::run_attack("deepfool", with, inputs),
                         doctest::Contains(name.c_str()), blindspot::Error);
  }
}
