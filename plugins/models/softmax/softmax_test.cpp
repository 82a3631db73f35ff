// Tests of the softmax plugin through the real loader: training, weight decay, input gradients,
// archive round trip, determinism and parameter validation.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::Model;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

std::shared_ptr<const blindspot::Dataset> data() {
  static const auto dataset = testing::tiny_dataset();
  return dataset;
}

blindspot::Outputs train(const std::string& with, std::uint64_t seed = 1) {
  return testing::run_node("softmax", with, {{"data", data()}}, seed);
}

blindspot::Classifier& net_of(const blindspot::Outputs& out) {
  auto model = std::dynamic_pointer_cast<const Model>(out.find("model"));
  REQUIRE(model);
  return *model->net;
}

const Table& curve_of(const blindspot::Outputs& out) {
  auto curve = std::dynamic_pointer_cast<const Table>(out.find("curve"));
  REQUIRE(curve);
  return *curve;
}

double weight_norm(const blindspot::Outputs& out) {
  return net_of(out).state().at("fc.weight").norm().item<double>();
}

using testing::error_of;

}  // namespace

TEST_CASE("training lowers the loss and separates the tiny data set") {
  const auto out = train("{epochs: 10, batch: 8}");
  const Table& curve = curve_of(out);
  REQUIRE(curve.rows.size() == 10);
  REQUIRE(curve.columns == std::vector<std::string>{"loss", "error"});
  CHECK(curve.at(9, 0) < 0.5 * curve.at(0, 0));
  CHECK(curve.at(9, 1) <= 0.05);
  const auto& split = data()->split("train");
  const auto wrong = blindspot::predict(net_of(out), split.images).ne(split.labels).sum();
  CHECK(wrong.item<std::int64_t>() <= split.size() / 20);
  CHECK(net_of(out).num_classes() == data()->num_classes);
}

TEST_CASE("weight decay shrinks the weights") {
  // A small step keeps SGD stable under the penalty's curvature of 2 * lambda.
  const std::string with = ", epochs: 20, batch: 8, learning_rate: 0.01}";
  const double free = weight_norm(train("{lambda: 0" + with));
  const double decayed = weight_norm(train("{lambda: 10" + with));
  MESSAGE("weight norm with lambda 0: " << free << ", with lambda 10: " << decayed);
  CHECK(decayed < 0.25 * free);
}

TEST_CASE("the input gradient through logits() matches central finite differences") {
  const auto out = train("{lambda: 1, epochs: 5, batch: 8, learning_rate: 0.01}");
  const auto& net = net_of(out);
  const auto& split = data()->split("test");
  const torch::Tensor images = split.images.narrow(0, 0, 4).clone();
  // Wrong labels as targets, as an attack uses them: the loss is far from saturated.
  const torch::Tensor targets = (split.labels.narrow(0, 0, 4) + 1) % net.num_classes();
  CHECK(testing::gradient_error(net, images, targets) < 1e-2);
}

TEST_CASE("a model restored from the archive gives identical logits") {
  const std::string with = "{epochs: 3, batch: 8}";
  const auto out = train(with);
  const auto restored = testing::round_trip("softmax", with, {{"data", data()}}, out);
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(net_of(out).logits(images), net_of(restored).logits(images)));
  CHECK(torch::equal(curve_of(out).values, curve_of(restored).values));
}

TEST_CASE("the same seed gives the same weights, another seed other weights") {
  const auto first = net_of(train("{epochs: 3, batch: 8}", 7)).state();
  const auto second = net_of(train("{epochs: 3, batch: 8}", 7)).state();
  const auto other = net_of(train("{epochs: 3, batch: 8}", 8)).state();
  for (const char* name : {"fc.weight", "fc.bias"}) {
    CAPTURE(name);
    CHECK(torch::equal(first.at(name), second.at(name)));
    CHECK_FALSE(torch::equal(first.at(name), other.at(name)));
  }
}

TEST_CASE("load_state refuses weights of the wrong names or shapes") {
  const auto out = train("{epochs: 1}");
  blindspot::Classifier& net = net_of(out);
  auto state = net.state();
  state["fc.weight"] = torch::zeros({3, 5});
  state.erase("fc.bias");
  state["scale"] = torch::ones({1});
  const std::string message = error_of([&] { net.load_state(state); });
  CHECK(message.find("'fc.weight' has shape [3, 5]") != std::string::npos);
  CHECK(message.find("missing 'fc.bias'") != std::string::npos);
  CHECK(message.find("unexpected 'scale'") != std::string::npos);
}

TEST_CASE("bad parameters are refused") {
  CHECK(error_of([] { train("{lambda: -1}"); }).find("lambda") != std::string::npos);
  CHECK(error_of([] { train("{lamda: 1}"); }).find("lamda") != std::string::npos);
  CHECK(error_of([] { train("{learning_rate: 0}"); }).find("learning_rate") != std::string::npos);
  CHECK(error_of([] { train("{epochs: 0}"); }).find("epochs") != std::string::npos);
  const std::string split = error_of([] { train("{split: nope}"); });
  CHECK(split.find("nope") != std::string::npos);
  CHECK(split.find("train") != std::string::npos);
  CHECK(split.find("test") != std::string::npos);
}
