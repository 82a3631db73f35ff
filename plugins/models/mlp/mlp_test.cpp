// Tests of the mlp plugin through the real loader: training, per-layer weight decay, input
// gradients, archive round trip, layer listing and parameter validation.
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
  return testing::run_node("mlp", with, {{"data", data()}}, seed);
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

double weight_norm(const blindspot::Outputs& out, const std::string& layer) {
  return net_of(out).state().at(layer + ".weight").norm().item<double>();
}

using testing::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A small net keeps the tests fast; the default learning rate is for MNIST-sized data.
const std::string small = "hidden: [16, 8], lambdas: [0, 0, 0], batch: 8";

}  // namespace

TEST_CASE("training lowers the loss and separates the tiny data set") {
  const auto out = train("{" + small + ", epochs: 20, learning_rate: 0.1}");
  const Table& curve = curve_of(out);
  REQUIRE(curve.rows.size() == 20);
  REQUIRE(curve.columns == std::vector<std::string>{"loss", "error"});
  CHECK(curve.at(19, 0) < 0.5 * curve.at(0, 0));
  CHECK(curve.at(19, 1) <= 0.05);
  const auto& split = data()->split("train");
  const auto wrong = blindspot::predict(net_of(out), split.images).ne(split.labels).sum();
  CHECK(wrong.item<std::int64_t>() <= split.size() / 20);
}

TEST_CASE("each lambda decays only its own layer's weights") {
  // A small step keeps SGD stable under the penalty's curvature of 2 * lambda.
  const std::string with = "{hidden: [16, 8], batch: 8, epochs: 20, learning_rate: 0.01, lambdas: ";
  const auto free = train(with + "[0, 0, 0]}");
  const auto last = train(with + "[0, 0, 10]}");
  const auto first = train(with + "[10, 0, 0]}");
  MESSAGE("fc1 norms (free, last, first): " << weight_norm(free, "fc1") << ", "
                                            << weight_norm(last, "fc1") << ", "
                                            << weight_norm(first, "fc1"));
  MESSAGE("fc3 norms (free, last, first): " << weight_norm(free, "fc3") << ", "
                                            << weight_norm(last, "fc3") << ", "
                                            << weight_norm(first, "fc3"));
  CHECK(weight_norm(last, "fc3") < 0.25 * weight_norm(free, "fc3"));
  CHECK(weight_norm(last, "fc1") > 0.8 * weight_norm(free, "fc1"));
  CHECK(weight_norm(first, "fc1") < 0.25 * weight_norm(free, "fc1"));
  CHECK(weight_norm(first, "fc3") > 0.5 * weight_norm(free, "fc3"));
}

TEST_CASE("the input gradient matches central finite differences") {
  for (const char* activation : {"sigmoid", "tanh"}) {
    CAPTURE(activation);
    const auto out =
        train("{" + small + ", epochs: 3, learning_rate: 0.05, activation: " + activation + "}");
    const auto& net = net_of(out);
    const auto& split = data()->split("test");
    const torch::Tensor images = split.images.narrow(0, 0, 4).clone();
    // Wrong labels as targets, as an attack uses them: the loss is far from saturated.
    const torch::Tensor targets = (split.labels.narrow(0, 0, 4) + 1) % net.num_classes();
    CHECK(testing::gradient_error(net, images, targets) < 2e-2);
  }
}

TEST_CASE("a model restored from the archive gives identical logits") {
  const std::string with = "{" + small + ", epochs: 2, activation: relu}";
  const auto out = train(with);
  const auto restored = testing::round_trip("mlp", with, {{"data", data()}}, out);
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(net_of(out).logits(images), net_of(restored).logits(images)));
  CHECK(torch::equal(curve_of(out).values, curve_of(restored).values));
}

TEST_CASE("layers() and activations() describe the network") {
  const auto out = train("{" + small + ", epochs: 1}");
  const auto& net = net_of(out);
  const auto layers = net.layers();
  REQUIRE(layers.size() == 6);
  const std::vector<std::string> names = {"flatten", "fc1", "act1", "fc2", "act2", "fc3"};
  const std::vector<std::string> kinds = {"flatten", "linear",  "sigmoid",
                                          "linear",  "sigmoid", "linear"};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    CAPTURE(i);
    CHECK(layers[i].name == names[i]);
    CHECK(std::string(blindspot::kind_name(layers[i].kind)) == kinds[i]);
  }
  CHECK(layers[1].weight.sizes() == torch::IntArrayRef({16, 784}));
  CHECK(layers[3].weight.sizes() == torch::IntArrayRef({8, 16}));
  CHECK(layers[5].weight.sizes() == torch::IntArrayRef({2, 8}));
  CHECK(layers[5].output_shape == std::vector<std::int64_t>{2});
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  const torch::Tensor act = net.activations("act1", images);
  CHECK(act.sizes() == torch::IntArrayRef({images.size(0), 16}));
  CHECK(act.min().item<double>() > 0.0);
  CHECK(act.max().item<double>() < 1.0);
  CHECK(torch::equal(net.activations("fc3", images), net.logits(images)));
}

TEST_CASE("the defaults build FC100-100-10 with sigmoids and three lambdas") {
  const auto out = train("{epochs: 1}");
  const auto layers = net_of(out).layers();
  REQUIRE(layers.size() == 6);
  CHECK(layers[1].weight.sizes() == torch::IntArrayRef({100, 784}));
  CHECK(layers[3].weight.sizes() == torch::IntArrayRef({100, 100}));
  CHECK(layers[2].kind == blindspot::LayerKind::sigmoid);
}

TEST_CASE("bad parameters are refused") {
  const std::string activation = error_of([] { train("{activation: softplus}"); });
  for (const char* word : {"softplus", "sigmoid", "tanh", "relu"})
    CHECK(contains(activation, word));
  const std::string lambdas = error_of([] { train("{hidden: [10, 10], lambdas: [1, 1]}"); });
  CHECK(contains(lambdas, "lambdas has 2 values"));
  CHECK(contains(lambdas, "3 linear layers"));
  CHECK(contains(error_of([] { train("{hidden: [0], lambdas: [0, 0]}"); }), "hidden"));
  CHECK(contains(error_of([] { train("{lambdas: [-1, 0, 0]}"); }), "lambdas"));
  CHECK(contains(error_of([] { train("{learning_rate: 0}"); }), "learning_rate"));
  CHECK(contains(error_of([] { train("{epochs: 0}"); }), "epochs"));
}
