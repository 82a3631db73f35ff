// Tests of the compare_attacks plugin through the real loader, on hand-made sets of four samples.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

// Four samples of 1x1x2 pixels; the model got sample 3 wrong before any attack, so no attack
// can succeed on it. `distortion` is what the set reports; `extra` goes under `name`.
std::shared_ptr<AdversarialSet> set(const std::vector<std::uint8_t>& success,
                                    const std::vector<double>& distortion,
                                    const std::string& name = "", std::vector<double> extra = {}) {
  auto out = std::make_shared<AdversarialSet>();
  out->original = torch::arange(8, torch::kFloat).view({4, 1, 1, 2}) / 8;
  out->adversarial = out->original.clone();
  out->labels = torch::tensor({0, 1, 0, 1}, torch::kLong);
  out->indices = torch::arange(10, 14);
  out->target = torch::full({4}, -1, torch::kLong);
  out->original_prediction = torch::tensor({0, 1, 0, 0}, torch::kLong);
  out->prediction = out->original_prediction.clone();
  out->success = torch::tensor(success, torch::kUInt8);
  out->distortion = torch::tensor(distortion, torch::kFloat);
  if (!name.empty()) out->extra[name] = torch::tensor(extra, torch::kDouble);
  return out;
}

Table compare(const testing::Connections& sets, const std::string& with = "{}") {
  return testing::product_of<Table>(testing::run_node("compare_attacks", with, sets), "distortion");
}

}  // namespace

TEST_CASE("distortions are compared over the samples every set fooled, paired per sample") {
  // Set A fools samples 0, 1, 2; set B fools 0 and 2 only: the common samples are 0 and 2.
  const auto a = set({1, 1, 1, 0}, {0.1, 0.5, 0.3, 0}, "evaluations", {10, 20, 30, 99});
  const auto b = set({1, 0, 1, 0}, {0.2, 0.1, 0.9, 0}, "iterations", {4, 4, 7, 99});
  const Table t = compare({{"sets", a}, {"sets", b}});
  REQUIRE(t.columns == std::vector<std::string>{"attacked", "success", "common", "mean", "median",
                                                "vs reference", "evaluations"});
  REQUIRE(t.rows.size() == 2);
  // Three samples were right before the attack; A fooled all three, B two.
  CHECK(t.at(0, 0) == 3);
  CHECK(t.at(1, 0) == 3);
  CHECK(t.at(0, 1) == doctest::Approx(1.0));
  CHECK(t.at(1, 1) == doctest::Approx(2.0 / 3));
  CHECK(t.at(0, 2) == 2);
  CHECK(t.at(1, 2) == 2);
  // A on {0, 2}: 0.1, 0.3; B: 0.2, 0.9. Lower medians: 0.1 and 0.2.
  CHECK(t.at(0, 3) == doctest::Approx(0.2));
  CHECK(t.at(1, 3) == doctest::Approx(0.55));
  CHECK(t.at(0, 4) == doctest::Approx(0.1));
  CHECK(t.at(1, 4) == doctest::Approx(0.2));
  // Paired against A (the first set): 1 for A itself, (0.2/0.1 + 0.9/0.3) / 2 = 2.5 for B.
  CHECK(t.at(0, 5) == doctest::Approx(1.0));
  CHECK(t.at(1, 5) == doctest::Approx(2.5));
  // Per attacked sample (the misclassified sample 3 is left out): (10+20+30)/3 and (4+4+7)/3.
  CHECK(t.at(0, 6) == doctest::Approx(20.0));
  CHECK(t.at(1, 6) == doctest::Approx(5.0));
}

TEST_CASE("with no sample fooled by all, distortions are NaN and counts still right") {
  const Table t = compare(
      {{"sets", set({1, 0, 0, 0}, {0.1, 0, 0, 0})}, {"sets", set({0, 1, 0, 0}, {0, 0.2, 0, 0})}});
  CHECK(t.at(0, 2) == 0);
  CHECK(std::isnan(t.at(0, 3)));
  CHECK(std::isnan(t.at(1, 5)));
  CHECK(std::isnan(t.at(0, 6)));  // neither evaluations nor iterations
  CHECK(t.at(1, 1) == doctest::Approx(1.0 / 3));
}

TEST_CASE("sets of different samples and an unknown reference are refused") {
  auto other = set({1, 1, 1, 0}, {0.1, 0.1, 0.1, 0});
  other->indices = torch::arange(20, 24);
  CHECK(testing::error_of([&] {
          compare({{"sets", set({1, 1, 1, 0}, {0.1, 0.1, 0.1, 0})}, {"sets", other}});
        }).find("attacked different samples") != std::string::npos);
  CHECK(testing::error_of([&] {
          compare({{"sets", set({1, 1, 1, 0}, {0.1, 0.1, 0.1, 0})}}, "{reference: szegedy}");
        }).find("reference 'szegedy' is not one of the sets (sets)") != std::string::npos);
}
