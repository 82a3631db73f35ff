// Tests of the spectral plugin through the real loader, on models trained briefly on the tiny
// data set: the two bounds against each other and against explicit Jacobians, the table's rows,
// a TorchScript copy of a native model, the archive round trip and bad input.
#include <doctest/doctest.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::Model;
using blindspot::Table;
namespace fs = std::filesystem;
namespace testing = blindspot::testing;

namespace {

std::shared_ptr<const blindspot::Dataset> data() {
  static const auto dataset = testing::tiny_dataset();
  return dataset;
}

std::shared_ptr<const Model> train(const std::string& plugin, const std::string& with) {
  const auto out = testing::run_node(plugin, with, {{"data", data()}});
  return std::dynamic_pointer_cast<const Model>(out.find("model"));
}

// A small convnet: conv (stride 2) + ReLU + max-pool, a hidden ReLU layer, the output layer.
std::shared_ptr<const Model> convnet() {
  static const auto model =
      train("convnet",
            "{channels: [4], kernels: [3], strides: [2], paddings: [1], hidden: [8], "
            "epochs: 3, batch: 8}");
  return model;
}

std::shared_ptr<const Model> sigmoid_mlp() {
  static const auto model = train(
      "mlp", "{hidden: [16, 8], lambdas: [0, 0, 0], epochs: 5, batch: 8, learning_rate: 0.5}");
  return model;
}

// A fresh folder for this process's TorchScript files, removed when the tests end.
// An empty TorchScript module of the torch.nn class `type`, e.g. "Linear".
torch::jit::Module script_module(const std::string& type,
                                 const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  return torch::jit::Module(c10::QualifiedName("torch.nn.modules.layers." + type), cu,
                            /*shouldMangle=*/true);
}

// The convnet() model rebuilt as a TorchScript chain of torch.nn classes with the same weights
// and child names, saved to a file; returns its path.
std::string scripted_convnet() {
  const blindspot::TensorMap state = convnet()->net->state();
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  auto net = script_module("Net", cu);
  auto pair = c10::TupleType::create({c10::IntType::get(), c10::IntType::get()});
  auto conv = script_module("Conv2d", cu);
  conv.register_parameter("weight", state.at("conv1.weight"), false);
  conv.register_parameter("bias", state.at("conv1.bias"), false);
  conv.register_attribute("stride", pair, c10::ivalue::Tuple::create(2, 2));
  conv.register_attribute("padding", pair, c10::ivalue::Tuple::create(1, 1));
  conv.define(
      "def forward(self, x):\n  return torch.conv2d(x, self.weight, self.bias, self.stride, "
      "self.padding)\n");
  auto pool = script_module("MaxPool2d", cu);
  pool.register_attribute("kernel_size", c10::IntType::get(), 2);
  pool.register_attribute("stride", c10::IntType::get(), 2);
  pool.register_attribute("padding", c10::IntType::get(), 0);
  pool.define(
      "def forward(self, x):\n  return torch.max_pool2d(x, self.kernel_size, self.stride, "
      "self.padding)\n");
  auto flatten = script_module("Flatten", cu);
  flatten.define("def forward(self, x):\n  return torch.flatten(x, 1)\n");
  auto linear = [&](const std::string& name) {
    auto fc = script_module("Linear", cu);
    fc.register_parameter("weight", state.at(name + ".weight"), false);
    fc.register_parameter("bias", state.at(name + ".bias"), false);
    fc.define("def forward(self, x):\n  return torch.linear(x, self.weight, self.bias)\n");
    return fc;
  };
  auto relu = [&] {
    auto r = script_module("ReLU", cu);
    r.define("def forward(self, x):\n  return torch.relu(x)\n");
    return r;
  };
  const std::vector<std::pair<std::string, torch::jit::Module>> children = {
      {"conv1", conv},        {"relu1", relu()},    {"pool1", pool},       {"flatten", flatten},
      {"fc1", linear("fc1")}, {"relu_fc1", relu()}, {"out", linear("out")}};
  std::string forward = "def forward(self, x):\n";
  for (const auto& [name, child] : children) {
    net.register_module(name, child);
    forward += "  x = self." + name + ".forward(x)\n";
  }
  net.define(forward + "  return x\n");
  const std::string path = (testing::scratch_folder() / "convnet.pt").string();
  net.save(path);
  return path;
}

blindspot::Outputs analyse(std::shared_ptr<const Model> model, const std::string& with = "{}") {
  return testing::run_node("spectral", with, {{"model", model}, {"data", data()}});
}

const Table& table(const blindspot::Outputs& out, const std::string& port) {
  return testing::product_of<Table>(out, port);
}

}  // namespace

TEST_CASE("the product of the layer bounds is never below the largest input-Jacobian norm") {
  for (const auto& model : {convnet(), sigmoid_mlp()}) {
    const auto out = analyse(model, "{split: train, count: 32}");
    const Table& summary = table(out, "summary");
    REQUIRE(summary.rows.size() == 4);
    const double upper = summary.at(0, 0), lower = summary.at(1, 0), median = summary.at(2, 0);
    MESSAGE("upper " << upper << ", lower " << lower << ", median " << median);
    CHECK(lower > 0);
    CHECK(median <= lower);
    CHECK(upper >= lower);
    CHECK(summary.at(3, 0) == 32);
    const Table& layers = table(out, "layers");
    CHECK(layers.at(layers.rows.size() - 1, 5) == doctest::Approx(upper));
  }
}

TEST_CASE("for a linear model the two bounds meet: its Jacobian is its weight everywhere") {
  const auto out = analyse(train("softmax", "{epochs: 3, batch: 8}"), "{count: 10}");
  const Table& summary = table(out, "summary");
  CHECK(summary.at(1, 0) == doctest::Approx(summary.at(0, 0)).epsilon(1e-5));
  CHECK(summary.at(2, 0) == doctest::Approx(summary.at(0, 0)).epsilon(1e-5));
}

TEST_CASE("the lower bound is the largest singular value of the explicit input Jacobians") {
  for (const auto& model : {convnet(), sigmoid_mlp()}) {
    const auto out = analyse(model, "{count: 6, offset: 3}");
    const blindspot::Classifier& net = *model->net;
    const torch::Tensor images = data()->split("test").images.narrow(0, 3, 6);
    std::vector<double> norms;
    for (std::int64_t i = 0; i < images.size(0); ++i) {
      const torch::Tensor x = images.narrow(0, i, 1).clone().requires_grad_(true);
      const torch::Tensor logits = net.logits(x);
      std::vector<torch::Tensor> rows;
      for (std::int64_t c = 0; c < logits.size(1); ++c)
        rows.push_back(torch::autograd::grad({logits[0][c]}, {x}, {}, true)[0].flatten());
      norms.push_back(at::linalg_svdvals(torch::stack(rows).to(torch::kDouble))[0].item<double>());
    }
    std::sort(norms.begin(), norms.end());
    const Table& summary = table(out, "summary");
    CHECK(summary.at(1, 0) == doctest::Approx(norms.back()).epsilon(1e-5));
    CHECK(summary.at(2, 0) == doctest::Approx(norms[2]).epsilon(1e-5));  // the lower median
  }
}

TEST_CASE("the convnet's rows: conv, pool and linear layers in forward order, with sizes") {
  const auto out = analyse(convnet());
  const Table& layers = table(out, "layers");
  CHECK(layers.rows ==
        std::vector<std::string>{"conv1 (1x3x3x4)", "pool1 (max 2x2)", "fc1 (196x8)", "out (8x2)"});
  CHECK(layers.columns ==
        std::vector<std::string>{"stride", "fourier", "lanczos", "steps", "bound", "product"});
  CHECK(layers.at(0, 0) == 2);                      // conv stride
  CHECK(layers.at(0, 1) >= layers.at(0, 2) * 0.5);  // Fourier and zero padding are close
  CHECK(layers.at(0, 4) == layers.at(0, 2));        // the bound is the layer as it runs
  CHECK(layers.at(1, 4) == 1);                      // non-overlapping max pooling
  CHECK(std::isnan(layers.at(2, 0)));
  CHECK(std::isnan(layers.at(2, 1)));
  double product = 1.0;
  for (std::size_t row = 0; row < layers.rows.size(); ++row) {
    product *= layers.at(row, 4);
    CHECK(layers.at(row, 5) == doctest::Approx(product));
  }
  const auto all = analyse(convnet(), "{every_layer: true}");
  const Table& every = table(all, "layers");
  CHECK(every.rows.size() == 7);
  CHECK(every.rows[1] == "relu1 (relu)");
  CHECK(every.rows[3] == "flatten (flatten)");
}

TEST_CASE("each sigmoid layer contributes 1/4") {
  const auto out = analyse(sigmoid_mlp(), "{every_layer: true, method: power}");
  const Table& layers = table(out, "layers");
  CHECK(layers.rows == std::vector<std::string>{"flatten (flatten)", "fc1 (784x16)",
                                                "act1 (sigmoid)", "fc2 (16x8)", "act2 (sigmoid)",
                                                "fc3 (8x2)"});
  CHECK(layers.columns[2] == "power iteration");
  CHECK(layers.at(2, 4) == 0.25);
  CHECK(layers.at(4, 4) == 0.25);
  const double linear = layers.at(1, 4) * layers.at(3, 4) * layers.at(5, 4);
  CHECK(table(out, "summary").at(0, 0) == doctest::Approx(linear / 16));
}

TEST_CASE("sample: uniform bounds the Jacobian on noise images of the model's input shape") {
  const auto out = analyse(convnet(), "{sample: uniform, count: 5, batch: 2}");
  const Table& summary = table(out, "summary");
  CHECK(summary.at(3, 0) == 5);
  CHECK(summary.at(1, 0) > 0);
  CHECK(summary.at(0, 0) >= summary.at(1, 0));
  const auto again = analyse(convnet(), "{sample: uniform, count: 5, batch: 5}");
  CHECK(table(again, "summary").at(1, 0) == doctest::Approx(summary.at(1, 0)).epsilon(1e-5));
  // The data input is optional: without it the noise images are the same (the node's seed).
  const auto alone = testing::run_node("spectral", "{sample: uniform, count: 5, batch: 2}",
                                       {{"model", convnet()}});
  CHECK(torch::equal(table(alone, "summary").values, summary.values));
  CHECK(testing::error_of([] {
          testing::run_node("spectral", "{}", {{"model", convnet()}});
        }) ==
        "node 'spectral': sample: data needs a 'data' input; connect one, or use sample: uniform");
}

TEST_CASE("a TorchScript copy of a native model gives the same tables") {
  const auto script = testing::run_node("torchscript", "{path: '" + scripted_convnet() + "'}", {});
  const auto copy = std::dynamic_pointer_cast<const Model>(script.find("model"));
  REQUIRE(copy);
  const auto native = analyse(convnet(), "{count: 16}");
  const auto scripted = analyse(copy, "{count: 16}");
  for (const char* port : {"layers", "summary"}) {
    CAPTURE(port);
    const Table &a = table(native, port), &b = table(scripted, port);
    CHECK(a.rows == b.rows);
    CHECK(torch::allclose(a.values.nan_to_num(-1), b.values.nan_to_num(-1), 1e-5));
  }
}

TEST_CASE("the tables survive the archive round trip") {
  const std::string with = "{count: 8}";
  const blindspot::testing::Connections inputs = {{"model", convnet()}, {"data", data()}};
  const auto out = testing::run_node("spectral", with, inputs);
  const auto restored = testing::round_trip("spectral", with, inputs, out);
  for (const char* port : {"layers", "summary"}) {
    CAPTURE(port);
    CHECK(table(restored, port).rows == table(out, port).rows);
    CHECK(torch::equal(table(restored, port).values.nan_to_num(-1),
                       table(out, port).values.nan_to_num(-1)));
  }
}

TEST_CASE("bad parameters and models without layers are refused with one line") {
  using testing::error_of;
  auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  CHECK(contains(error_of([] { analyse(convnet(), "{method: lanzcos}"); }), "method"));
  CHECK(contains(error_of([] { analyse(convnet(), "{tolerance: 2}"); }), "tolerance"));
  CHECK(contains(error_of([] { analyse(convnet(), "{count: 0}"); }), "count"));
  CHECK(contains(error_of([] { analyse(convnet(), "{split: nope}"); }), "nope"));
  CHECK(contains(error_of([] { analyse(convnet(), "{offset: 100000}"); }), "offset 100000"));
  const auto alexnet = std::dynamic_pointer_cast<const Model>(
      testing::run_node("alexnet", "{channels: [2, 2, 2, 2, 2], hidden: [4, 4], classes: 2}", {})
          .find("model"));
  CHECK(error_of([&] { analyse(alexnet); }) ==
        "node 'spectral': images of shape [1, 28, 28] do not fit the model's input [3, 224, 224]; "
        "use sample: uniform");
  const auto bare = testing::linear_model(torch::zeros({2, 784}));
  CHECK(contains(error_of([&] { analyse(bare); }), "the model lists no layers to bound"));
}
