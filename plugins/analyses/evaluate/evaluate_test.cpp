// Tests of the evaluate plugin through the real loader, with a classifier whose mistakes are known.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::Table;

namespace {

/// Says class 1 when the first pixel is above 0.5, class 0 otherwise.
class FirstPixel final : public blindspot::Classifier {
 public:
  at::Tensor logits(const at::Tensor& images) const override {
    const at::Tensor pixel = images.flatten(1).select(1, 0);
    return torch::stack({0.5 - pixel, pixel - 0.5}, 1);
  }
  std::int64_t num_classes() const override { return 2; }
  blindspot::TensorMap state() const override { return {}; }
  void load_state(const blindspot::TensorMap& state) override {
    if (!state.empty()) throw blindspot::Error("", "FirstPixel has no weights");
  }
  std::vector<blindspot::Layer> layers() const override { return {}; }
  at::Tensor activations(const std::string& layer, const at::Tensor&) const override {
    throw blindspot::Error("", "FirstPixel has no layer " + layer);
  }
};

// A split of 1x2x2 images whose first pixels and labels are given.
blindspot::LabelledImages split(const std::vector<float>& first_pixels,
                                const std::vector<std::int64_t>& labels) {
  const auto n = static_cast<std::int64_t>(labels.size());
  torch::Tensor images = torch::zeros({n, 1, 2, 2});
  images.view({n, 4}).select(1, 0).copy_(torch::tensor(first_pixels));
  return {images, torch::tensor(labels), torch::arange(n)};
}

// train: predicts 1 0 1 0, one wrong; test: predicts 1 1 0 0 1, three wrong; p1: all right.
std::shared_ptr<const blindspot::Dataset> data() {
  auto dataset = std::make_shared<blindspot::Dataset>();
  dataset->source = "hand-made";
  dataset->num_classes = 2;
  dataset->splits["train"] = split({0.9f, 0.1f, 0.8f, 0.2f}, {1, 0, 0, 0});
  dataset->splits["test"] = split({0.9f, 0.9f, 0.1f, 0.1f, 0.7f}, {0, 1, 1, 0, 0});
  dataset->splits["p1"] = split({0.6f, 0.4f, 1.0f}, {1, 0, 1});
  return dataset;
}

blindspot::testing::Connections inputs() {
  return {{"model", std::make_shared<blindspot::Model>(std::make_shared<FirstPixel>())},
          {"data", data()}};
}

Table errors(const std::string& with) {
  const auto out = blindspot::testing::run_node("evaluate", with, inputs());
  auto table = std::dynamic_pointer_cast<const Table>(out.find("errors"));
  REQUIRE(table);
  return *table;
}

}  // namespace

TEST_CASE("error, wrong and count match the hand-counted mistakes") {
  for (const char* with : {"{}", "{batch: 2}", "{batch: 1}"}) {
    CAPTURE(with);
    const Table table = errors(with);
    CHECK(table.title == "Error rates");
    REQUIRE(table.rows == std::vector<std::string>{"train", "test"});
    REQUIRE(table.columns == std::vector<std::string>{"error", "wrong", "count"});
    CHECK(table.at(0, 0) == doctest::Approx(0.25));
    CHECK(table.at(0, 1) == 1);
    CHECK(table.at(0, 2) == 4);
    CHECK(table.at(1, 0) == doctest::Approx(0.6));
    CHECK(table.at(1, 1) == 3);
    CHECK(table.at(1, 2) == 5);
  }
}

TEST_CASE("the rows follow the requested splits") {
  const Table table = errors("{splits: [p1, test]}");
  REQUIRE(table.rows == std::vector<std::string>{"p1", "test"});
  CHECK(table.at(0, 0) == 0);
  CHECK(table.at(0, 1) == 0);
  CHECK(table.at(0, 2) == 3);
  CHECK(table.at(1, 1) == 3);
}

TEST_CASE("an unknown split or a bad batch is an error") {
  CHECK_THROWS_WITH_AS(errors("{splits: [train, nope]}"), doctest::Contains("nope"),
                       blindspot::Error);
  CHECK_THROWS_WITH_AS(errors("{batch: 0}"), doctest::Contains("batch"), blindspot::Error);
}
