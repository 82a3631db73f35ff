// Tests of the alexnet plugin through the real loader: Table 5's layer shapes, seeded weights,
// the archive round trip and bad widths.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::LayerKind;
namespace testing = blindspot::testing;
using Ints = std::vector<std::int64_t>;

namespace {

const std::string kSmall = "{channels: [4, 6, 8, 8, 4], hidden: [16, 12], classes: 3}";

blindspot::Outputs build(const std::string& with, std::uint64_t seed = 1) {
  return testing::run_node("alexnet", with, {}, seed);
}

torch::Tensor images(std::int64_t n) {
  return torch::rand({n, 3, 224, 224}, at::detail::createCPUGenerator(3));
}

}  // namespace

TEST_CASE("the layers have the sizes, strides and shapes of Table 5") {
  const auto out = build("{}");
  const auto& net = testing::classifier_of(out);
  const auto layers = net.layers();
  std::vector<std::string> names;
  for (const auto& layer : layers) names.push_back(layer.name);
  CHECK(names == std::vector<std::string>{"conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                          "conv3", "relu3", "conv4", "relu4", "conv5", "relu5",
                                          "pool5", "flatten", "fc1", "relu_fc1", "fc2", "relu_fc2",
                                          "fc3"});
  REQUIRE(layers.size() == 19);
  struct Expected {
    std::size_t index;
    Ints weight, stride, output;
  };
  for (const Expected& e : {Expected{0, {96, 3, 11, 11}, {4, 4}, {96, 55, 55}},
                            Expected{3, {256, 96, 5, 5}, {1, 1}, {256, 27, 27}},
                            Expected{6, {384, 256, 3, 3}, {1, 1}, {384, 13, 13}},
                            Expected{8, {384, 384, 3, 3}, {1, 1}, {384, 13, 13}},
                            Expected{10, {256, 384, 3, 3}, {1, 1}, {256, 13, 13}}}) {
    CAPTURE(e.index);
    CHECK(layers[e.index].kind == LayerKind::conv2d);
    CHECK(layers[e.index].weight.sizes().vec() == e.weight);
    CHECK(layers[e.index].stride == e.stride);
    CHECK(layers[e.index].output_shape == e.output);
  }
  CHECK(layers[2].kind == LayerKind::max_pool);
  CHECK(layers[2].kernel == Ints{3, 3});
  CHECK(layers[2].stride == Ints{2, 2});
  CHECK(layers[12].output_shape == Ints{256, 6, 6});
  CHECK(layers[14].weight.sizes().vec() == Ints{4096, 9216});
  CHECK(layers[16].weight.sizes().vec() == Ints{4096, 4096});
  CHECK(layers[18].weight.sizes().vec() == Ints{1000, 4096});
  torch::NoGradGuard no_grad;
  CHECK(net.logits(images(2)).sizes().vec() == Ints{2, 1000});
}

TEST_CASE("the seed draws the weights, and a restored model gives identical logits") {
  const auto out = build(kSmall);
  const torch::Tensor x = images(2);
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = testing::classifier_of(out).logits(x);
  CHECK(logits.sizes().vec() == Ints{2, 3});
  CHECK(torch::equal(testing::classifier_of(build(kSmall)).logits(x), logits));
  CHECK_FALSE(torch::equal(testing::classifier_of(build(kSmall, 2)).logits(x), logits));
  const auto restored = testing::round_trip("alexnet", kSmall, {}, out);
  CHECK(torch::equal(testing::classifier_of(restored).logits(x), logits));
}

TEST_CASE("wrong numbers of widths are refused") {
  CHECK(testing::error_of([] {
          build("{channels: [4, 4]}");
        }).find("channels needs 5 widths and hidden 2; got 2 and 2") != std::string::npos);
  CHECK(testing::error_of([] { build("{hidden: [4]}"); }).find("got 5 and 1") != std::string::npos);
  CHECK(testing::error_of([] { build("{classes: 1}"); }).find("classes") != std::string::npos);
}
