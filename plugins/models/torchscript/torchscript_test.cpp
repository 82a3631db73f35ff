// Tests of the torchscript plugin through the real loader, on TorchScript files made in C++ and
// one made by PyTorch: logits, input gradients, input range and per-channel normalisation,
// archive round trip, layers() and bad files and parameters.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::LayerKind;
using blindspot::Model;
namespace fs = std::filesystem;
namespace testing = blindspot::testing;
using Ints = std::vector<std::int64_t>;

namespace {

// A fresh folder for this process's TorchScript files, removed when the tests end.
// Saves `module` as testing::scratch_folder()/name and returns the path.
std::string save(torch::jit::Module module, const std::string& name) {
  const std::string path = (testing::scratch_folder() / name).string();
  module.save(path);
  return path;
}

// An empty module of class `type` (e.g. "torch.nn.modules.linear.Linear"), mangled if reused.
torch::jit::Module module(const std::string& type,
                          const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  return torch::jit::Module(c10::QualifiedName(type), cu, /*shouldMangle=*/true);
}

// An affine classifier: logits = x.flatten(1) @ weight.T + bias.
std::string affine_file(const torch::Tensor& weight, const torch::Tensor& bias,
                        const std::string& name) {
  torch::jit::Module m("Affine");
  m.register_parameter("weight", weight, false);
  m.register_parameter("bias", bias, false);
  m.define("def forward(self, x):\n  return x.flatten(1).matmul(self.weight.t()) + self.bias\n");
  return save(m, name);
}

blindspot::Outputs load(const std::string& path, const std::string& more = "") {
  return testing::run_node("torchscript", "{path: '" + path + "'" + more + "}", {});
}

// The classifier on port "model"; shared, so it outlives `out`.
std::shared_ptr<blindspot::Classifier> net_of(const blindspot::Outputs& out) {
  auto model = std::dynamic_pointer_cast<const Model>(out.find("model"));
  REQUIRE(model);
  return model->net;
}

using testing::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

torch::Tensor images(std::int64_t n) {
  return torch::rand({n, 1, 28, 28}, at::detail::createCPUGenerator(3));
}

// The input shape, mean and std of the model tests/support/torchscript_normalised.py writes.
const std::string kNormalised =
    ", input_shape: [3, 8, 8], mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616]";

// The folder where tests/support/torchscript_normalised.py wrote PyTorch's model.pt, its
// images.f32 and the logits.f32 PyTorch computes for them behind torchvision-style Normalize.
fs::path pytorch_reference() {
  const fs::path folder = testing::scratch_folder() / "normalised";
  const fs::path log = testing::scratch_folder() / "normalised.log";
  const std::string command = "/usr/bin/python3 '" BLINDSPOT_SOURCE_DIR
                              "/tests/support/torchscript_normalised.py' '" +
                              folder.string() + "' > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(output);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return folder;
}

// A float32 tensor of `shape` from `file`, as numpy's tofile wrote it (C order).
torch::Tensor read_f32(const fs::path& file, torch::IntArrayRef shape) {
  torch::Tensor out = torch::empty(shape, torch::kFloat);
  const auto bytes = static_cast<std::streamsize>(out.numel() * sizeof(float));
  REQUIRE(fs::file_size(file) == static_cast<std::uintmax_t>(bytes));
  std::ifstream(file, std::ios::binary).read(reinterpret_cast<char*>(out.data_ptr<float>()), bytes);
  return out;
}

}  // namespace

TEST_CASE("logits are the model's output: x.flatten(1) @ W.T + b") {
  const torch::Tensor w = torch::randn({3, 784}) * 0.05, b = torch::randn({3});
  const auto net_held = net_of(load(affine_file(w, b, "affine.pt")));
  blindspot::Classifier& net = *net_held;
  const torch::Tensor x = images(5);
  CHECK(net.num_classes() == 3);
  CHECK(torch::allclose(net.logits(x), x.flatten(1).matmul(w.t()) + b, 1e-5, 1e-6));
  const auto state = net.state();
  REQUIRE(state.size() == 2);
  CHECK(torch::equal(state.at("weight"), w));
}

TEST_CASE("the input gradient matches central finite differences") {
  const torch::Tensor w = torch::randn({3, 784}) * 0.05, b = torch::randn({3});
  // A non-linear model, so the check is not trivially exact.
  torch::jit::Module m("Tanh2");
  m.register_parameter("weight", w, false);
  m.register_parameter("bias", b, false);
  m.define(
      "def forward(self, x):\n  return torch.tanh(x.flatten(1).matmul(self.weight.t()) + "
      "self.bias) * 3.0\n");
  const auto net_held = net_of(load(save(m, "tanh.pt"), ", input_range: [-1, 1]"));
  blindspot::Classifier& net = *net_held;
  const torch::Tensor x = images(2), labels = torch::tensor({0, 2}, torch::kLong);
  const torch::Tensor grad = blindspot::input_gradient(net, x, labels);
  REQUIRE(grad.sizes() == x.sizes());
  auto loss = [&](const torch::Tensor& in) {
    torch::NoGradGuard no_grad;
    return torch::nn::functional::cross_entropy(
               net.logits(in), labels,
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
        .item<double>();
  };
  const float eps = 1e-2f;
  const torch::Tensor largest = std::get<1>(grad.abs().flatten().topk(5));
  for (std::int64_t k = 0; k < largest.size(0); ++k) {
    const std::int64_t pixel = largest[k].item<std::int64_t>();
    torch::Tensor plus = x.clone(), minus = x.clone();
    plus.view(-1)[pixel] += eps;
    minus.view(-1)[pixel] -= eps;
    const double analytic = grad.flatten()[pixel].item<double>();
    CAPTURE(pixel);
    CHECK(analytic != 0.0);
    CHECK((loss(plus) - loss(minus)) / (2 * eps) == doctest::Approx(analytic).epsilon(1e-2));
  }
}

TEST_CASE("images are mapped from [0, 1] to input_range before the model sees them") {
  torch::jit::Module m("Mean");
  m.define(
      "def forward(self, x):\n  m = x.flatten(1).mean(1, keepdim=True)\n"
      "  return torch.cat([m, -m], 1)\n");
  const std::string path = save(m, "mean.pt");
  const torch::Tensor x = images(4), mean = x.flatten(1).mean(1);
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(net_of(load(path))->logits(x).select(1, 0), mean));
  const torch::Tensor mapped = net_of(load(path, ", input_range: [-1, 1]"))->logits(x);
  CHECK(torch::allclose(mapped.select(1, 0), mean * 2 - 1, 1e-5, 1e-6));
  const torch::Tensor scaled = net_of(load(path, ", input_range: [0, 255]"))->logits(x);
  CHECK(torch::allclose(scaled.select(1, 0), mean * 255, 1e-4, 1e-4));
}

TEST_CASE("with mean and std the logits are PyTorch's, for the model behind its Normalize") {
  const fs::path reference = pytorch_reference();
  const std::string model = (reference / "model.pt").string();
  const torch::Tensor x = read_f32(reference / "images.f32", {6, 3, 8, 8});
  const torch::Tensor expected = read_f32(reference / "logits.f32", {6, 5});
  torch::NoGradGuard no_grad;
  const auto net = net_of(load(model, kNormalised));
  CHECK(torch::allclose(net->logits(x), expected, 1e-5, 1e-6));
  CHECK(torch::equal(net->activations("3", x), net->logits(x)));  // layers see it too
  // input_range comes first: in [0, 255] pixel units with mean and std times 255, the same.
  const auto scaled = net_of(load(model,
                                  ", input_shape: [3, 8, 8], input_range: [0, 255], "
                                  "mean: [125.307, 122.961, 113.8575], "
                                  "std: [62.985, 62.0925, 66.708]"));
  CHECK(torch::allclose(scaled->logits(x), expected, 1e-5, 1e-6));
  // Without normalisation the model sees other inputs, so the checks above are not vacuous.
  const auto plain = net_of(load(model, ", input_shape: [3, 8, 8]"));
  CHECK_FALSE(torch::allclose(plain->logits(x), expected, 1e-3, 1e-3));
}

TEST_CASE("the input gradient flows through the normalisation: d/dx = d/dz / std per channel") {
  const fs::path reference = pytorch_reference();
  const std::string model = (reference / "model.pt").string();
  const torch::Tensor x = read_f32(reference / "images.f32", {6, 3, 8, 8});
  const torch::Tensor labels = torch::tensor({0, 1, 2, 3, 4, 0}, torch::kLong);
  const auto net = net_of(load(model, kNormalised));
  // The chain rule: the gradient of the plain model at z = (x - mean) / std, divided by std.
  const torch::Tensor mean = torch::tensor({0.4914, 0.4822, 0.4465}, torch::kFloat).view({3, 1, 1});
  const torch::Tensor stddev =
      torch::tensor({0.2470, 0.2435, 0.2616}, torch::kFloat).view({3, 1, 1});
  const auto plain = net_of(load(model, ", input_shape: [3, 8, 8]"));
  const torch::Tensor expected =
      blindspot::input_gradient(*plain, (x - mean) / stddev, labels) / stddev;
  CHECK(torch::allclose(blindspot::input_gradient(*net, x, labels), expected, 1e-5, 1e-6));
  CHECK(testing::gradient_error(*net, x, labels) < 1e-3);
}

TEST_CASE("mean and std are checked before the file is read, each problem with one line") {
  const std::string none = (testing::scratch_folder() / "none.pt").string();
  const auto error = [&](const std::string& more) {
    return error_of([&] { load(none, ", input_shape: [3, 32, 32], " + more); });
  };
  CHECK(error("mean: [0.5, 0.5, 0.5]") ==
        "node 'torchscript': mean is given without std; give both, one value per channel, or "
        "neither");
  CHECK(error("std: [0.5, 0.5, 0.5]") ==
        "node 'torchscript': std is given without mean; give both, one value per channel, or "
        "neither");
  CHECK(error("mean: [0.5], std: [0.5]") ==
        "node 'torchscript': mean has 1 value, but input_shape [3, 32, 32] has 3 channels");
  CHECK(error("mean: [0.5, 0.5, 0.5], std: [0.5, 0.5]") ==
        "node 'torchscript': std has 2 values, but input_shape [3, 32, 32] has 3 channels");
  // The schema refuses a std <= 0 when the experiment is validated, before anything runs.
  CHECK(error("mean: [0.5, 0.5, 0.5], std: [0.5, 0, 0.5]") ==
        "torchscript: parameter 'std' = 0.0 is out of range; expected > 0");
  CHECK(error("mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, -0.2]") ==
        "torchscript: parameter 'std' = -0.2 is out of range; expected > 0");
  CHECK(error("mean: [0.5, 0.5, 0.5], std: [0.5, .inf, 0.5]") ==
        "node 'torchscript': std[1] is .inf; expected a finite number");
  CHECK(error("mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]") == none + ": no such file");
}

TEST_CASE("a model restored from the archive gives identical logits, from the archived weights") {
  const torch::Tensor w = torch::randn({10, 784}) * 0.05, b = torch::randn({10});
  const std::string path = affine_file(w, b, "restore.pt");
  const std::string with = "{path: '" + path + "'}";
  const auto out = testing::run_node("torchscript", with, {});
  // The file changes afterwards: the archive, not the file, holds the weights.
  affine_file(torch::zeros({10, 784}), torch::zeros({10}), "restore.pt");
  const auto restored = testing::round_trip("torchscript", with, {}, out);
  const torch::Tensor x = images(6);
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(net_of(out)->logits(x), net_of(restored)->logits(x)));
  CHECK(torch::equal(net_of(restored)->state().at("weight"), w));
}

TEST_CASE("layers() recognises the torch.nn classes, flattens Sequentials and runs the chain") {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  auto conv = module("torch.nn.modules.conv.Conv2d", cu);
  conv.register_parameter("weight", torch::randn({4, 1, 3, 3}) * 0.3, false);
  conv.register_parameter("bias", torch::randn({4}), false);
  conv.register_attribute("stride", c10::ListType::ofInts(), c10::List<std::int64_t>({2, 2}));
  conv.register_attribute("padding", c10::ListType::ofInts(), c10::List<std::int64_t>({1, 1}));
  conv.define(
      "def forward(self, x):\n  return torch.conv2d(x, self.weight, self.bias, "
      "self.stride, self.padding)\n");
  auto norm = module("torch.nn.modules.batchnorm.BatchNorm2d", cu);
  norm.register_parameter("weight", torch::rand({4}) + 0.5, false);
  norm.register_parameter("bias", torch::randn({4}), false);
  norm.register_buffer("running_mean", torch::randn({4}));
  norm.register_buffer("running_var", torch::rand({4}) + 0.5);
  norm.register_attribute("eps", c10::FloatType::get(), 1e-3);
  norm.define(
      "def forward(self, x):\n  return torch.batch_norm(x, self.weight, self.bias, "
      "self.running_mean, self.running_var, False, 0.1, self.eps, False)\n");
  auto relu = module("torch.nn.modules.activation.ReLU", cu);
  relu.define("def forward(self, x):\n  return torch.relu(x)\n");
  auto pool = module("torch.nn.modules.pooling.MaxPool2d", cu);
  auto pair = c10::TupleType::create({c10::IntType::get(), c10::IntType::get()});
  pool.register_attribute("kernel_size", pair, c10::ivalue::Tuple::create(2, 2));
  pool.register_attribute("stride", pair, c10::ivalue::Tuple::create(2, 2));
  pool.register_attribute("padding", c10::IntType::get(), 0);
  pool.define(
      "def forward(self, x):\n  return torch.max_pool2d(x, self.kernel_size, "
      "self.stride, self.padding)\n");
  auto flatten = module("torch.nn.modules.flatten.Flatten", cu);
  flatten.define("def forward(self, x):\n  return torch.flatten(x, 1)\n");
  auto fc = module("torch.nn.modules.linear.Linear", cu);
  fc.register_parameter("weight", torch::randn({10, 196}) * 0.1, false);
  fc.register_parameter("bias", torch::randn({10}), false);
  fc.define("def forward(self, x):\n  return torch.linear(x, self.weight, self.bias)\n");
  auto block = module("torch.nn.modules.container.Sequential", cu);
  block.register_module("flatten", flatten);
  block.register_module("fc", fc);
  block.define("def forward(self, x):\n  return self.fc.forward(self.flatten.forward(x))\n");
  auto net = module("Net", cu);
  net.register_module("conv", conv);
  net.register_module("norm", norm);
  net.register_module("relu", relu);
  net.register_module("pool", pool);
  net.register_module("block", block);
  net.define(
      "def forward(self, x):\n  return self.block.forward(self.pool.forward(self.relu.forward("
      "self.norm.forward(self.conv.forward(x)))))\n");
  const auto model_held = net_of(load(save(net, "chain.pt")));
  blindspot::Classifier& model = *model_held;

  const auto layers = model.layers();
  std::vector<std::string> names;
  for (const auto& layer : layers) names.push_back(layer.name);
  CHECK(names ==
        std::vector<std::string>{"conv", "norm", "relu", "pool", "block.flatten", "block.fc"});
  REQUIRE(layers.size() == 6);
  CHECK(layers[0].kind == LayerKind::conv2d);
  CHECK(layers[0].kernel == Ints{3, 3});
  CHECK(layers[0].stride == Ints{2, 2});
  CHECK(layers[0].padding == Ints{1, 1});
  CHECK(layers[0].weight.sizes() == torch::IntArrayRef{4, 1, 3, 3});
  CHECK(layers[0].bias.sizes() == torch::IntArrayRef{4});
  CHECK(layers[0].input_shape == Ints{1, 28, 28});
  CHECK(layers[0].output_shape == Ints{4, 14, 14});
  CHECK(layers[1].kind == LayerKind::batch_norm);
  CHECK(layers[1].eps == doctest::Approx(1e-3));
  CHECK(torch::equal(layers[1].running_var, model.state().at("norm.running_var")));
  CHECK(layers[2].kind == LayerKind::relu);
  CHECK(layers[3].kind == LayerKind::max_pool);
  CHECK(layers[3].kernel == Ints{2, 2});
  CHECK(layers[3].stride == Ints{2, 2});
  CHECK(layers[3].padding == Ints{0, 0});
  CHECK(layers[3].output_shape == Ints{4, 7, 7});
  CHECK(layers[4].kind == LayerKind::flatten);
  CHECK(layers[5].kind == LayerKind::linear);
  CHECK(layers[5].weight.sizes() == torch::IntArrayRef{10, 196});
  CHECK(layers[5].output_shape == Ints{10});

  const torch::Tensor x = images(3);
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(model.activations("block.fc", x), model.logits(x)));
  const torch::Tensor first = torch::conv2d(x, layers[0].weight, layers[0].bias, 2, 1);
  CHECK(torch::allclose(model.activations("conv", x), first, 1e-5, 1e-6));
  CHECK(contains(error_of([&] { model.activations("blok.fc", x); }), "did you mean"));
}

TEST_CASE("a BatchNorm's eps is read from a class constant, as torch.jit.script stores it") {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  const auto norm_with = [&](bool constant) {
    auto norm = module("torch.nn.modules.batchnorm.BatchNorm2d", cu);
    if (constant) norm.type()->addConstant("eps", 2e-4);
    norm.register_parameter("weight", torch::ones({1}), false);
    norm.register_parameter("bias", torch::zeros({1}), false);
    norm.register_buffer("running_mean", torch::zeros({1}));
    norm.register_buffer("running_var", torch::ones({1}));
    norm.define("def forward(self, x):\n  return x\n");
    auto net = module("torch.nn.modules.container.Sequential", cu);
    net.register_module("norm", norm);
    auto flatten = module("torch.nn.modules.flatten.Flatten", cu);
    flatten.define("def forward(self, x):\n  return torch.flatten(x, 1)\n");
    net.register_module("flatten", flatten);
    net.define("def forward(self, x):\n  return self.flatten.forward(self.norm.forward(x))\n");
    return net;
  };
  for (bool constant : {true, false}) {
    const auto held = net_of(load(save(norm_with(constant), constant ? "eps.pt" : "no-eps.pt")));
    const auto layers = held->layers();
    REQUIRE(layers.front().kind == LayerKind::batch_norm);
    if (constant)
      CHECK(layers.front().eps == doctest::Approx(2e-4));
    else
      CHECK(std::isnan(layers.front().eps));  // unknown, never silently 0
  }
}

TEST_CASE("a model that is not a plain chain lists its layers without shapes or activations") {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  auto fc = module("torch.nn.modules.linear.Linear", cu);
  fc.register_parameter("weight", torch::randn({10, 784}) * 0.1, false);
  fc.register_parameter("bias", torch::randn({10}), false);
  fc.define("def forward(self, x):\n  return torch.linear(x, self.weight, self.bias)\n");
  auto odd = module("torch.nn.modules.linear.MyLinear", cu);
  odd.define("def forward(self, x):\n  return x\n");
  auto net = module("Skip", cu);
  net.register_module("fc", fc);
  net.register_module("odd", odd);
  net.define("def forward(self, x):\n  return self.odd.forward(self.fc.forward(x.flatten(1)))\n");
  const auto model_held = net_of(load(save(net, "skip.pt")));
  blindspot::Classifier& model = *model_held;
  const auto layers = model.layers();
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].kind == LayerKind::linear);
  CHECK(layers[0].input_shape.empty());
  CHECK(layers[1].kind == LayerKind::other);  // only the exact torch.nn class names count
  CHECK(contains(error_of([&] { model.activations("fc", images(1)); }), "not a plain chain"));
}

TEST_CASE("bad files and parameters are refused with one clear line naming the path") {
  const std::string missing = (testing::scratch_folder() / "nope.pt").string();
  CHECK(error_of([&] { load(missing); }) == missing + ": no such file");

  const std::string text = (testing::scratch_folder() / "model.pt").string();
  std::ofstream(text) << "this is not a model\nsecond line\n";
  const std::string not_script = error_of([&] { load(text); });
  CHECK(contains(not_script, text + ": not a TorchScript file: "));
  CHECK_FALSE(contains(not_script, "\n"));

  torch::jit::Module cube("Cube");
  cube.define("def forward(self, x):\n  return x.flatten(2)\n");
  const std::string cube_path = save(cube, "cube.pt");
  CHECK(error_of([&] { load(cube_path); }) ==
        cube_path + ": output has shape [2, 1, 784], expected (batch, classes)");

  const std::string affine = affine_file(torch::zeros({3, 784}), torch::zeros({3}), "small.pt");
  CHECK(contains(error_of([&] { load(affine, ", classes: 4"); }),
                 "output has 3 classes, but parameter 'classes' is 4"));
  CHECK(contains(error_of([&] { load(affine, ", input_shape: [3, 28, 28]"); }),
                 "forward failed on a zero batch of shape [2, 3, 28, 28]"));
  CHECK(contains(error_of([&] { load(affine, ", input_range: [1]"); }), "input_range"));
  CHECK(contains(error_of([] { testing::run_node("torchscript", "{}", {}); }),
                 "missing required parameter 'path'"));
}

TEST_CASE("the CLI exits 2 with one line for a file that is not TorchScript") {
  const std::string text = (testing::scratch_folder() / "cli-model.pt").string();
  std::ofstream(text) << "not a model\n";
  const std::string yaml = (testing::scratch_folder() / "bad.yaml").string();
  std::ofstream(yaml) << "experiment: bad\nnodes:\n  m:\n    plugin: torchscript\n"
                      << "    with: {path: '" << text << "'}\n";
  const std::string log = (testing::scratch_folder() / "cli.log").string();
  const std::string command = std::string(BLINDSPOT_BUILD_DIR "/blindspot run ") + yaml + " -o " +
                              (testing::scratch_folder() / "bad.h5").string() + " > " + log +
                              " 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  MESSAGE(output);
  CHECK(contains(output, text + ": not a TorchScript file: "));
}
