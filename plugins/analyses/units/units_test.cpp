// Tests of the units plugin through the real loader: brute-force top images, directions, label
// purity on a hand-made case, the chance baseline, restoring and bad parameters.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::Arrays;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

// An FC16-8-2 sigmoid net trained briefly on the tiny data set (32 test images), and that set.
const testing::Connections& trained() {
  static const testing::Connections inputs =
      testing::trained_on_tiny("mlp", "{hidden: [16, 8], lambdas: [0, 0, 0], batch: 8, epochs: 3}");
  return inputs;
}

// A layer of `kind` with four outputs per image.
blindspot::Layer layer(const std::string& name, blindspot::LayerKind kind) {
  blindspot::Layer out;
  out.name = name;
  out.kind = kind;
  out.output_shape = {4};
  return out;
}

// phi(x) is the four pixels of a 1x2x2 image (layer "pixels"); pixel 3 is the same everywhere.
class Pixels final : public blindspot::Classifier {
 public:
  at::Tensor logits(const at::Tensor& images) const override { return images.flatten(1); }
  std::int64_t num_classes() const override { return 4; }
  blindspot::TensorMap state() const override { return {}; }
  void load_state(const blindspot::TensorMap&) override {}
  std::vector<blindspot::Layer> layers() const override {
    return {layer("pixels", blindspot::LayerKind::flatten),
            layer("out", blindspot::LayerKind::linear)};
  }
  at::Tensor activations(const std::string& layer, const at::Tensor& images) const override {
    if (layer != "pixels") throw blindspot::Error("", "no layer " + layer);
    return images.flatten(1);
  }
};

// Six images with labels 0 0 0 1 1 2. Pixel 0 ranks images 0, 1, 2 first (one label: purity
// 1); pixel 1 ranks 2, 3, 4 first (labels 0 1 1: purity 2/3).
testing::Connections hand_made() {
  const at::Tensor pixels = torch::tensor({{.9f, .1f, .2f, .5f},
                                           {.8f, .2f, .7f, .5f},
                                           {.7f, .9f, .1f, .5f},
                                           {.1f, .8f, .4f, .5f},
                                           {.2f, .7f, .3f, .5f},
                                           {.3f, .3f, .9f, .5f}});
  auto data = std::make_shared<blindspot::Dataset>();
  data->source = "hand-made";
  data->num_classes = 3;
  data->splits["test"] = {pixels.view({6, 1, 2, 2}),
                          torch::tensor({0, 0, 0, 1, 1, 2}).to(torch::kLong),
                          torch::arange(10, 16)};
  return {{"model", std::make_shared<blindspot::Model>(std::make_shared<Pixels>())},
          {"data", data}};
}

const Arrays& top_of(const blindspot::Outputs& out) {
  return testing::product_of<Arrays>(out, "top");
}

const Table& purity_of(const blindspot::Outputs& out) {
  return testing::product_of<Table>(out, "purity");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the top images are the brute-force top of <phi(x), v> for every direction") {
  const auto out =
      testing::run_node("units", "{units: 3, top: 5, offset: 4, count: 24}", trained());
  const Arrays& top = top_of(out);
  const auto& split = testing::split_in(trained(), "test");
  // The default layer is the one before the last linear layer: act2, 8 units.
  const at::Tensor phi = testing::model_in(trained())
                             .activations("act2", split.images.narrow(0, 4, 24))
                             .to(torch::kDouble);
  const at::Tensor directions = top.get("directions");
  REQUIRE(directions.sizes() == torch::IntArrayRef({6, 8}));
  for (std::int64_t s = 0; s < 6; ++s) {
    CAPTURE(s);
    const at::Tensor score = phi.matmul(directions[s].to(torch::kDouble));
    const auto [sorted, order] = torch::sort(score, true, 0, true);
    const at::Tensor positions = order.narrow(0, 0, 5) + 4;
    CHECK(torch::equal(top.get("positions")[s], positions));
    CHECK(torch::allclose(top.get("scores")[s].to(torch::kDouble), sorted.narrow(0, 0, 5), 1e-5,
                          1e-6));
    CHECK(torch::equal(top.get("labels")[s], split.labels.index({positions})));
    CHECK(torch::equal(top.get("indices")[s], split.indices.index({positions})));
    CHECK(torch::equal(top.get("images")[s], split.images.index({positions})));
  }
  // The first K rows are the natural-basis vectors of the chosen units.
  const at::Tensor units = top.get("units");
  REQUIRE(units.sizes() == torch::IntArrayRef({3}));
  CHECK(torch::equal(directions.narrow(0, 0, 3), torch::one_hot(units, 8).to(torch::kFloat)));
  CHECK(torch::equal(std::get<0>(torch::_unique(units)), units));
}

TEST_CASE("a named layer is used, and the directions are unit vectors fixed by the seed") {
  const std::string with = "{layer: act1, units: 4, top: 3}";
  const Arrays first = top_of(testing::run_node("units", with, trained(), 7));
  const Arrays again = top_of(testing::run_node("units", with, trained(), 7));
  const Arrays other = top_of(testing::run_node("units", with, trained(), 8));
  const at::Tensor directions = first.get("directions");
  REQUIRE(directions.sizes() == torch::IntArrayRef({8, 16}));
  CHECK((directions.to(torch::kDouble).norm(2, {1}) - 1).abs().max().item<double>() < 1e-6);
  CHECK(torch::equal(directions, again.get("directions")));
  CHECK(torch::equal(first.get("positions"), again.get("positions")));
  CHECK(torch::equal(first.get("chance_purity"), again.get("chance_purity")));
  CHECK_FALSE(torch::equal(directions.narrow(0, 4, 4), other.get("directions").narrow(0, 4, 4)));
}

TEST_CASE("label purity on a hand-made case: units, random directions and chance") {
  const auto out = testing::run_node(
      "units", "{layer: pixels, units: 2, top: 3, unit_choice: first, chance_sets: 20000}",
      hand_made());
  const Arrays& top = top_of(out);
  CHECK(torch::equal(top.get("units"), torch::tensor({0, 1}).to(torch::kLong)));
  CHECK(torch::equal(top.get("positions").narrow(0, 0, 2),
                     torch::tensor({{0, 1, 2}, {2, 3, 4}}).to(torch::kLong)));
  const at::Tensor purity = top.get("purity").to(torch::kDouble);
  CHECK(purity[0].item<double>() == doctest::Approx(1.0));
  CHECK(purity[1].item<double>() == doctest::Approx(2.0 / 3));
  const Table& table = purity_of(out);
  REQUIRE(table.rows.size() == 3);
  REQUIRE(table.columns == std::vector<std::string>{"mean", "sd", "se", "min", "max", "sets"});
  CHECK(table.at(0, 0) == doctest::Approx(5.0 / 6));
  CHECK(table.at(0, 1) == doctest::Approx(std::sqrt(2.0) / 6));  // sample sd of {1, 2/3}
  CHECK(table.at(0, 2) == doctest::Approx(1.0 / 6));             // sd / sqrt(2)
  CHECK(table.at(0, 3) == doctest::Approx(2.0 / 3));
  CHECK(table.at(0, 4) == doctest::Approx(1.0));
  CHECK(table.at(0, 5) == 2);
  // Each random direction's purity is the share of its top set's most common label.
  const at::Tensor labels = top.get("labels");
  for (std::int64_t s = 2; s < 4; ++s) {
    const at::Tensor counts = torch::bincount(labels[s]);
    CHECK(purity[s].item<double>() == doctest::Approx(counts.max().item<double>() / 3));
  }
  CHECK(table.at(1, 0) == doctest::Approx(purity.narrow(0, 2, 2).mean().item<double>()));
  // Of the 20 subsets of 3 of the labels 0 0 0 1 1 2, one has purity 1, six 1/3, the rest 2/3:
  // the expected purity is 7/12.
  CHECK(table.at(2, 0) == doctest::Approx(7.0 / 12).epsilon(0.02));
  CHECK(table.at(2, 3) == doctest::Approx(1.0 / 3));
  CHECK(table.at(2, 4) == doctest::Approx(1.0));
  CHECK(table.at(2, 5) == 20000);
}

TEST_CASE("units that never vary are never chosen") {
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    CAPTURE(seed);
    const auto out =
        testing::run_node("units", "{layer: pixels, units: 3, top: 2}", hand_made(), seed);
    CHECK(torch::equal(top_of(out).get("units"), torch::tensor({0, 1, 2}).to(torch::kLong)));
  }
  const std::string error = testing::error_of(
      [] { testing::run_node("units", "{layer: pixels, units: 4, top: 2}", hand_made()); });
  CHECK(contains(error, "units 4 is more than the 3 of the 4 units of layer 'pixels' that vary"));
}

TEST_CASE("the archived products restore unchanged") {
  const std::string with = "{units: 2, top: 4}";
  const auto out = testing::run_node("units", with, trained());
  const auto restored = testing::round_trip("units", with, trained(), out);
  CHECK(top_of(restored).title == top_of(out).title);
  for (const auto& [name, tensor] : top_of(out).values) {
    CAPTURE(name);
    CHECK(torch::equal(top_of(restored).get(name), tensor));
  }
  CHECK(torch::equal(purity_of(restored).values, purity_of(out).values));
}

TEST_CASE("bad parameters are refused with one clear line") {
  const auto units = [](const std::string& with) {
    return testing::error_of([&] { testing::run_node("units", with, trained()); });
  };
  const std::string layer = units("{layer: nope}");
  CHECK(contains(layer,
                 "the model has no layer 'nope'; its layers are: flatten, fc1, act1, fc2, "
                 "act2, fc3"));
  CHECK(
      contains(units("{top: 40}"), "top 40 is more than the 32 images selected from split 'test'"));
  CHECK(contains(units("{top: 5, offset: 30}"), "top 5 is more than the 2 images"));
  CHECK(contains(units("{units: 9}"), "units 9 is more than the 8 of the 8 units of layer 'act2'"));
  CHECK(contains(units("{units: 1}"), "units"));
  CHECK(contains(units("{unit_choice: all}"), "unit_choice"));
  CHECK(contains(units("{split: valid}"), "valid"));
  for (const std::string& error : {layer, units("{top: 40}")})
    CHECK(error.find('\n') == std::string::npos);
}
