// Tests of the convnet plugin through the real loader: training, weight decay, input gradients,
// archive round trip, layer descriptions and architecture validation.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::LayerKind;
using blindspot::Model;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

// A small network, so the tests run in seconds.
const std::string kSmall = "channels: [4, 8], hidden: [16], batch: 8";

std::shared_ptr<const blindspot::Dataset> data() {
  static const auto dataset = testing::tiny_dataset();
  return dataset;
}

blindspot::Outputs train(const std::string& with, std::uint64_t seed = 1) {
  return testing::run_node("convnet", with, {{"data", data()}}, seed);
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

using testing::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("training lowers the loss and separates the tiny data set") {
  const auto out = train("{" + kSmall + ", epochs: 8}");
  const Table& curve = curve_of(out);
  REQUIRE(curve.rows.size() == 8);
  CHECK(curve.at(7, 0) < 0.5 * curve.at(0, 0));
  CHECK(curve.at(7, 1) <= 0.05);
  const auto& split = data()->split("test");
  const auto wrong = blindspot::predict(net_of(out), split.images).ne(split.labels).sum();
  CHECK(wrong.item<std::int64_t>() <= split.size() / 10);
  CHECK(net_of(out).num_classes() == data()->num_classes);
}

TEST_CASE("weight decay shrinks every conv and linear weight") {
  const std::string with = ", " + kSmall + ", epochs: 10, learning_rate: 0.01}";
  const auto free = net_of(train("{lambda: 0" + with)).state();
  const auto decayed = net_of(train("{lambda: 1" + with)).state();
  for (const char* name : {"conv1.weight", "conv2.weight", "fc1.weight", "out.weight"}) {
    CAPTURE(name);
    const double a = free.at(name).norm().item<double>();
    const double b = decayed.at(name).norm().item<double>();
    MESSAGE(name << " norm with lambda 0: " << a << ", with lambda 1: " << b);
    CHECK(b < 0.5 * a);
  }
}

TEST_CASE("the input gradient matches central finite differences") {
  const auto out = train("{" + kSmall + ", epochs: 2, pool: 1, lambda: 0.01}");
  const auto& net = net_of(out);
  const auto& split = data()->split("test");
  const torch::Tensor images = split.images.narrow(0, 0, 2);
  const torch::Tensor targets = (split.labels.narrow(0, 0, 2) + 1) % net.num_classes();
  CHECK(testing::gradient_error(net, images, targets) < 2e-2);
}

TEST_CASE("a model restored from the archive gives identical logits") {
  const std::string with = "{" + kSmall + ", epochs: 2}";
  const auto out = train(with);
  const auto restored = testing::round_trip("convnet", with, {{"data", data()}}, out);
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(net_of(out).logits(images), net_of(restored).logits(images)));
  CHECK(torch::equal(curve_of(out).values, curve_of(restored).values));
}

TEST_CASE("layers() describes each stage with its hyper-parameters and shapes") {
  const auto out = train(
      "{channels: [4, 8], kernels: [5, 3], strides: [1, 2], paddings: [2, 1], hidden: [16, 12], "
      "epochs: 1}");
  const auto layers = net_of(out).layers();
  std::vector<std::string> names;
  for (const auto& layer : layers) names.push_back(layer.name);
  CHECK(names == std::vector<std::string>{"conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                          "flatten", "fc1", "relu_fc1", "fc2", "relu_fc2", "out"});
  REQUIRE(layers.size() == 12);
  const auto& conv1 = layers[0];
  CHECK(conv1.kind == LayerKind::conv2d);
  CHECK(conv1.kernel == std::vector<std::int64_t>{5, 5});
  CHECK(conv1.stride == std::vector<std::int64_t>{1, 1});
  CHECK(conv1.padding == std::vector<std::int64_t>{2, 2});
  CHECK(conv1.weight.sizes() == torch::IntArrayRef{4, 1, 5, 5});
  CHECK(conv1.input_shape == std::vector<std::int64_t>{1, 28, 28});
  CHECK(conv1.output_shape == std::vector<std::int64_t>{4, 28, 28});
  CHECK(layers[1].kind == LayerKind::relu);
  CHECK(layers[2].kind == LayerKind::max_pool);
  CHECK(layers[2].kernel == std::vector<std::int64_t>{2, 2});
  CHECK(layers[2].output_shape == std::vector<std::int64_t>{4, 14, 14});
  const auto& conv2 = layers[3];
  CHECK(conv2.kind == LayerKind::conv2d);
  CHECK(conv2.kernel == std::vector<std::int64_t>{3, 3});
  CHECK(conv2.stride == std::vector<std::int64_t>{2, 2});
  CHECK(conv2.padding == std::vector<std::int64_t>{1, 1});
  CHECK(conv2.weight.sizes() == torch::IntArrayRef{8, 4, 3, 3});
  CHECK(conv2.output_shape == std::vector<std::int64_t>{8, 7, 7});
  CHECK(layers[5].output_shape == std::vector<std::int64_t>{8, 3, 3});
  CHECK(layers[6].kind == LayerKind::flatten);
  CHECK(layers[7].kind == LayerKind::linear);
  CHECK(layers[7].weight.sizes() == torch::IntArrayRef{16, 72});
  CHECK(layers[11].output_shape == std::vector<std::int64_t>{2});
}

TEST_CASE("pool: 1 leaves out the pooling layers") {
  const auto layers = net_of(train("{" + kSmall + ", pool: 1, epochs: 1}")).layers();
  for (const auto& layer : layers) CHECK(layer.kind != LayerKind::max_pool);
  CHECK(layers.size() == 8);
}

TEST_CASE("bad architectures and parameters are refused") {
  const std::string lengths = error_of([] { train("{strides: [1], epochs: 1}"); });
  CHECK(contains(lengths, "channels, kernels, strides and paddings"));
  CHECK(contains(lengths, "2, 2, 1 and 2"));
  const std::string small = error_of([] {
    train("{channels: [4, 8, 16], kernels: [5, 5, 5], strides: [1, 1, 1], paddings: [0, 0, 0]}");
  });
  CHECK(contains(small, "conv3 leaves no pixels"));
  const std::string pooled = error_of([] { train("{" + kSmall + ", pool: 20}"); });
  CHECK(contains(pooled, "pool2 leaves no pixels"));
  CHECK(contains(error_of([] { train("{learning_rate: 0}"); }), "learning_rate"));
  CHECK(contains(error_of([] { train("{channels: [0, 4]}"); }), "channels"));
  CHECK(contains(error_of([] { train("{pool: 0}"); }), "pool"));
  CHECK(contains(error_of([] { train("{split: nope}"); }), "nope"));
}
