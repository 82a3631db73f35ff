// Tests of the transfer plugin through the real loader, on two-pixel images and hand-made sets.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

// Model A says 1 when the first pixel is above 0.5, model B when the second one is.
std::shared_ptr<const blindspot::Model> model_a() {
  return testing::linear_model(torch::tensor({{0.f, 0.f}, {1.f, 0.f}}), torch::tensor({0.5f, 0.f}));
}
std::shared_ptr<const blindspot::Model> model_b() {
  return testing::linear_model(torch::tensor({{0.f, 0.f}, {0.f, 1.f}}), torch::tensor({0.5f, 0.f}));
}

// Images of 1x1x2 pixels.
at::Tensor pixels(const std::vector<std::vector<float>>& rows) {
  std::vector<float> flat;
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return torch::tensor(flat).view({static_cast<std::int64_t>(rows.size()), 1, 1, 2});
}

// Originals (0.2, 0.2) 0, (0.8, 0.8) 1, (0.8, 0.2) 1, (0.2, 0.8) 0: A gets all four right, B
// the first two only.
std::shared_ptr<AdversarialSet> set(const std::vector<std::vector<float>>& adversarial,
                                    const std::vector<std::uint8_t>& success,
                                    const std::vector<float>& distortion) {
  const auto n = static_cast<std::int64_t>(success.size());
  auto out = std::make_shared<AdversarialSet>();
  out->original = pixels({{0.2f, 0.2f}, {0.8f, 0.8f}, {0.8f, 0.2f}, {0.2f, 0.8f}}).narrow(0, 0, n);
  out->adversarial = pixels(adversarial);
  out->labels = torch::tensor({0, 1, 1, 0}, torch::kLong).narrow(0, 0, n);
  out->indices = torch::arange(n);
  out->target = torch::full({n}, -1, torch::kLong);
  out->original_prediction = out->labels.clone();
  out->prediction = out->labels.clone();  // not read by transfer
  out->success = torch::tensor(success, torch::kUInt8);
  out->distortion = torch::tensor(distortion);
  return out;
}

// Made for A: samples 0, 1 and 3 fool A (B: right, wrong, wrong); sample 2 failed (B: wrong).
std::shared_ptr<AdversarialSet> set_for_a() {
  return set({{0.7f, 0.2f}, {0.3f, 0.3f}, {0.6f, 0.2f}, {0.9f, 0.9f}}, {1, 1, 0, 1},
             {0.1f, 0.2f, 0.9f, 0.3f});
}

// Made for B: both samples fool B and neither fools A.
std::shared_ptr<AdversarialSet> set_for_b() {
  return set({{0.2f, 0.9f}, {0.8f, 0.1f}}, {1, 1}, {0.3f, 0.5f});
}

// Noise: A is wrong on samples 0 and 2; B is wrong on 0, 1 and 3, but B was already wrong on
// 2 and 3 before the noise. Its success flags are ignored.
std::shared_ptr<AdversarialSet> noise() {
  return set({{0.6f, 0.6f}, {0.9f, 0.4f}, {0.4f, 0.6f}, {0.3f, 0.6f}}, {0, 0, 0, 0},
             {0.1f, 0.2f, 0.3f, 0.4f});
}

testing::Connections graph() {
  return {{"sets", set_for_a()},
          {"sets", set_for_b()},
          {"baselines", noise()},
          {"models", model_a()},
          {"models", model_b()}};
}

std::pair<Table, Table> transfer(const std::string& with, const testing::Connections& inputs) {
  const auto out = testing::run_node("transfer", with, inputs);
  return {testing::product_of<Table>(out, "transfer"), testing::product_of<Table>(out, "counts")};
}

}  // namespace

TEST_CASE("the transfer matrix matches the hand-counted errors") {
  for (const char* with : {"{}", "{batch: 1}", "{batch: 3}"}) {
    CAPTURE(with);
    const auto [rates, counts] = transfer(with, graph());
    // The test harness names every source node after its port.
    REQUIRE(rates.rows == std::vector<std::string>{"sets", "sets", "baselines"});
    REQUIRE(rates.columns == std::vector<std::string>{"models", "models", "distortion"});
    REQUIRE(counts.rows == rates.rows);
    REQUIRE(counts.columns == std::vector<std::string>{"models", "models", "samples"});
    CHECK(rates.at(0, 1) == doctest::Approx(2.0 / 3));  // the failed sample 2 is not counted
    CHECK(rates.at(0, 2) == doctest::Approx((0.1 + 0.2 + 0.3) / 3));  // successes only
    CHECK(rates.at(1, 0) == 0);
    CHECK(rates.at(1, 2) == doctest::Approx(0.4));
    CHECK(rates.at(2, 0) == doctest::Approx(0.5));
    CHECK(rates.at(2, 2) == doctest::Approx(0.25));
    for (auto [row, column, count] : std::vector<std::tuple<int, int, int>>{
             {0, 0, 3}, {0, 1, 3}, {0, 2, 3}, {1, 0, 2}, {1, 1, 2}, {1, 2, 2}, {2, 0, 4}})
      CHECK(counts.at(row, column) == count);
  }
}

TEST_CASE("each attack set induces 100% error on the model it was made for") {
  const Table rates = transfer("{}", graph()).first;
  CHECK(rates.at(0, 0) == 1);
  CHECK(rates.at(1, 1) == 1);
}

TEST_CASE("a baseline counts only the samples the model classifies correctly before the noise") {
  const auto [rates, counts] = transfer("{}", graph());
  // B gets samples 0 and 1 right when clean and wrong when noisy; its mistakes on 2 and 3 are
  // its own, not the noise's (counting every sample would give 3 of 4).
  CHECK(counts.at(2, 1) == 2);
  CHECK(rates.at(2, 1) == 1);
  CHECK(counts.at(2, 2) == 4);
}

TEST_CASE("nothing counted gives NaN, not a crash") {
  const auto failed = set({{0.2f, 0.2f}, {0.8f, 0.8f}}, {0, 0}, {0.f, 0.f});
  const auto empty = set({}, {}, {});
  // B misclassifies both of these originals, so it counts none of the noise.
  auto b_wrong = set({{0.8f, 0.2f}, {0.2f, 0.8f}}, {0, 0}, {0.1f, 0.1f});
  b_wrong->original = pixels({{0.8f, 0.2f}, {0.2f, 0.8f}});
  b_wrong->labels = torch::tensor({1, 0}, torch::kLong);
  const auto [rates, counts] = transfer("{}", {{"sets", failed},
                                               {"sets", empty},
                                               {"baselines", b_wrong},
                                               {"models", model_a()},
                                               {"models", model_b()}});
  for (int row : {0, 1}) {
    CAPTURE(row);
    for (int column : {0, 1, 2}) {
      CHECK(std::isnan(rates.at(row, column)));
      CHECK(counts.at(row, column) == 0);
    }
  }
  CHECK(rates.at(2, 0) == 0);
  CHECK(counts.at(2, 0) == 2);
  CHECK(std::isnan(rates.at(2, 1)));
  CHECK(counts.at(2, 1) == 0);
  CHECK(rates.at(2, 2) == doctest::Approx(0.1));
}

TEST_CASE("round_trip restores identical tables") {
  const auto out = testing::run_node("transfer", "{}", graph());
  const auto back = testing::round_trip("transfer", "{}", graph(), out);
  for (const char* port : {"transfer", "counts"}) {
    CAPTURE(port);
    const Table& a = testing::product_of<Table>(out, port);
    const Table& b = testing::product_of<Table>(back, port);
    CHECK(a.title == b.title);
    CHECK(a.rows == b.rows);
    CHECK(a.columns == b.columns);
    CHECK(torch::equal(a.values, b.values));
  }
}

TEST_CASE("bad parameters are rejected with errors naming them") {
  for (const auto& bad : std::vector<std::pair<std::string, std::string>>{
           {"{batch: 0}", "batch"}, {"{batch: many}", "batch"}, {"{bach: 10}", "bach"}}) {
    CAPTURE(bad.first);
    const std::string message = testing::error_of([&] { transfer(bad.first, graph()); });
    CHECK(message.find(bad.second) != std::string::npos);
  }
}
