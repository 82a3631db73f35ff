// Tests of the autoencoder plugin through the real loader: the three training stages, weight
// decay, sparsity, input gradients, archive round trip with the decoder, layers and validation.
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

// A small code and short stages keep the tests fast.
const std::string small = "code: 16, batch: 8, ae_epochs: 5, epochs: 5, learning_rate: 0.1";

blindspot::Outputs train(const std::string& more, std::uint64_t seed = 1) {
  const std::string with = "{" + small + (more.empty() ? "" : ", " + more) + "}";
  return testing::run_node("autoencoder", with, {{"data", data()}}, seed);
}

blindspot::Classifier& net_of(const blindspot::Outputs& out) {
  auto model = std::dynamic_pointer_cast<const Model>(out.find("model"));
  REQUIRE(model);
  return *model->net;
}

const Table& table_of(const blindspot::Outputs& out, const std::string& port) {
  auto table = std::dynamic_pointer_cast<const Table>(out.find(port));
  REQUIRE(table);
  return *table;
}

torch::Tensor weight_of(const blindspot::Outputs& out, const std::string& name) {
  return net_of(out).state().at(name);
}

using testing::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("each stage lowers its loss and the pretraining error column stays 0") {
  const auto out = train("ae_epochs: 10, ae_learning_rate: 5, epochs: 10, fine_tune_epochs: 3");
  const Table& pre = table_of(out, "pretraining");
  REQUIRE(pre.rows.size() == 10);
  CHECK(pre.at(9, 0) < 0.9 * pre.at(0, 0));
  CHECK(table_of(out, "pretraining").values.select(1, 1).abs().sum().item<double>() == 0.0);
  const Table& curve = table_of(out, "curve");
  REQUIRE(curve.rows.size() == 10);
  CHECK(curve.at(9, 0) < 0.5 * curve.at(0, 0));
  CHECK(curve.at(9, 1) <= 0.05);
  const Table& fine = table_of(out, "fine_tuning");
  REQUIRE(fine.rows.size() == 3);
  CHECK(fine.at(2, 0) <= fine.at(0, 0));
  const auto& split = data()->split("train");
  const auto wrong = blindspot::predict(net_of(out), split.images).ne(split.labels).sum();
  CHECK(wrong.item<std::int64_t>() <= split.size() / 20);
}

TEST_CASE("the softmax stage leaves the encoder alone but fine-tuning trains it") {
  const auto short_softmax = train("epochs: 1");
  const auto long_softmax = train("epochs: 8");
  const auto tuned = train("epochs: 1, fine_tune_epochs: 2");
  CHECK(table_of(short_softmax, "fine_tuning").rows.empty());
  CHECK(table_of(short_softmax, "fine_tuning").columns.size() == 2);
  for (const char* name : {"encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"}) {
    CAPTURE(name);
    CHECK(torch::equal(weight_of(short_softmax, name), weight_of(long_softmax, name)));
  }
  CHECK_FALSE(
      torch::equal(weight_of(short_softmax, "fc.weight"), weight_of(long_softmax, "fc.weight")));
  CHECK_FALSE(
      torch::equal(weight_of(short_softmax, "encoder.weight"), weight_of(tuned, "encoder.weight")));
  CHECK(
      torch::equal(weight_of(short_softmax, "decoder.weight"), weight_of(tuned, "decoder.weight")));
}

TEST_CASE("ae_lambda shrinks the autoencoder's weights, lambda the softmax's") {
  // A small step keeps SGD stable under the penalty's curvature of 2 * lambda.
  const std::string step = "ae_learning_rate: 0.01, ae_epochs: 10";
  const auto free = train(step + ", ae_lambda: 0, lambda: 0");
  const auto decayed = train(step + ", ae_lambda: 10, lambda: 0");
  const auto soft = train(step + ", ae_lambda: 0, lambda: 10, learning_rate: 0.01, epochs: 10");
  auto norm = [](const blindspot::Outputs& out, const char* name) {
    return weight_of(out, name).norm().item<double>();
  };
  MESSAGE("encoder norm with ae_lambda 0: " << norm(free, "encoder.weight")
                                            << ", with 10: " << norm(decayed, "encoder.weight"));
  CHECK(norm(decayed, "encoder.weight") < 0.25 * norm(free, "encoder.weight"));
  CHECK(norm(decayed, "decoder.weight") < 0.25 * norm(free, "decoder.weight"));
  CHECK(norm(soft, "fc.weight") < 0.25 * norm(free, "fc.weight"));
  CHECK(torch::equal(weight_of(soft, "encoder.weight"), weight_of(free, "encoder.weight")));
}

TEST_CASE("the sparsity penalty lowers the mean code activation") {
  const auto plain = train("ae_epochs: 10, ae_learning_rate: 5");
  const auto sparse = train("ae_epochs: 10, ae_learning_rate: 5, sparsity: 1");
  const torch::Tensor images = data()->split("train").images;
  torch::NoGradGuard no_grad;
  const double a = net_of(plain).activations("code", images).mean().item<double>();
  const double b = net_of(sparse).activations("code", images).mean().item<double>();
  MESSAGE("mean code activation without sparsity: " << a << ", with sparsity 1: " << b);
  CHECK(b < 0.8 * a);
}

TEST_CASE("the input gradient matches central finite differences") {
  const auto out = train("lambda: 1, fine_tune_epochs: 1");
  const auto& net = net_of(out);
  const auto& split = data()->split("test");
  const torch::Tensor images = split.images.narrow(0, 0, 4).clone();
  const torch::Tensor targets = (split.labels.narrow(0, 0, 4) + 1) % net.num_classes();
  CHECK(testing::gradient_error(net, images, targets) < 2e-2);
}

TEST_CASE("a model restored from the archive gives identical logits and decoder") {
  const std::string with = "{" + small + "}";
  const auto out = testing::run_node("autoencoder", with, {{"data", data()}});
  const auto restored = testing::round_trip("autoencoder", with, {{"data", data()}}, out);
  const auto state = net_of(out).state();
  const auto back = net_of(restored).state();
  CHECK(state.size() == 6);  // encoder, fc and decoder: weight and bias each
  REQUIRE(state.count("decoder.weight") == 1);
  CHECK(state.at("decoder.weight").sizes() == torch::IntArrayRef({784, 16}));
  for (const auto& [name, tensor] : state) {
    CAPTURE(name);
    REQUIRE(back.count(name) == 1);
    CHECK(torch::equal(tensor, back.at(name)));
  }
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(net_of(out).logits(images), net_of(restored).logits(images)));
  for (const char* port : {"pretraining", "curve", "fine_tuning"}) {
    CAPTURE(port);
    CHECK(torch::equal(table_of(out, port).values, table_of(restored, port).values));
  }
}

TEST_CASE("layers() and activations() describe the classifier") {
  const auto out = train("");
  const auto& net = net_of(out);
  const auto layers = net.layers();
  REQUIRE(layers.size() == 4);
  const std::vector<std::string> names = {"flatten", "encoder", "code", "fc"};
  const std::vector<std::string> kinds = {"flatten", "linear", "sigmoid", "linear"};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    CAPTURE(i);
    CHECK(layers[i].name == names[i]);
    CHECK(std::string(blindspot::kind_name(layers[i].kind)) == kinds[i]);
  }
  CHECK(layers[1].weight.sizes() == torch::IntArrayRef({16, 784}));
  CHECK(layers[3].weight.sizes() == torch::IntArrayRef({2, 16}));
  const torch::Tensor images = data()->split("test").images;
  torch::NoGradGuard no_grad;
  const torch::Tensor code = net.activations("code", images);
  CHECK(code.sizes() == torch::IntArrayRef({images.size(0), 16}));
  CHECK(code.min().item<double>() > 0.0);
  CHECK(code.max().item<double>() < 1.0);
}

TEST_CASE("bad parameters are refused") {
  CHECK(contains(error_of([] { train("code: 0"); }), "code"));
  CHECK(contains(error_of([] { train("sparsity: -1"); }), "sparsity"));
  CHECK(contains(error_of([] { train("ae_lambda: -1"); }), "ae_lambda"));
  CHECK(contains(error_of([] { train("ae_learning_rate: 0"); }), "ae_learning_rate"));
  CHECK(contains(error_of([] { train("fine_tune_epochs: -1"); }), "fine_tune_epochs"));
  CHECK(contains(error_of([] { train("ae_epoch: 3"); }), "ae_epochs"));  // the suggestion
}
