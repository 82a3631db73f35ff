// Tests of the robustness plugin through the real loader, on hand-made sets of 2x2 images whose
// perturbations have known RMS, L2 and L-inf norms.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/product_type.hpp"
#include "blindspot/testing.hpp"

using blindspot::AdversarialSet;
using blindspot::Record;
using blindspot::Table;
namespace testing = blindspot::testing;

namespace {

// One sample of a hand-made set: whether the model got it right, whether the attack succeeded,
// and how much of the perturbation (0.375, 0.5, 0, 0) it was moved by. At scale 1 that
// perturbation has RMS 0.3125, L2 0.625 and L-inf 0.5 (a 3-4-5 triangle, exact in binary).
struct Sample {
  bool correct, success;
  float scale;
};

std::shared_ptr<AdversarialSet> make_set(const std::vector<Sample>& samples,
                                         const std::map<std::string, at::Tensor>& extra = {}) {
  const auto n = static_cast<std::int64_t>(samples.size());
  auto set = std::make_shared<AdversarialSet>();
  set->original = torch::full({n, 1, 2, 2}, 0.25f);
  set->adversarial = set->original.clone();
  set->labels = torch::ones({n}, torch::kLong);
  set->indices = torch::arange(n);
  set->target = torch::full({n}, -1, torch::kLong);
  set->original_prediction = torch::ones({n}, torch::kLong);
  set->prediction = torch::ones({n}, torch::kLong);
  set->success = torch::zeros({n}, torch::kUInt8);
  set->distortion = torch::full({n}, 0.9f);  // wrong on purpose: the plugin measures x' - x
  for (std::int64_t i = 0; i < n; ++i) {
    const Sample& s = samples[static_cast<std::size_t>(i)];
    set->adversarial[i][0][0][0] += 0.375f * s.scale;
    set->adversarial[i][0][0][1] += 0.5f * s.scale;
    if (!s.correct) set->original_prediction[i] = 0;
    if (s.success) set->prediction[i] = 1 - set->labels[i].item<std::int64_t>();
    set->success[i] = s.success ? 1 : 0;
  }
  set->extra = extra;
  return set;
}

// Five samples: 0 correct and broken at scale 1, 1 correct and broken at scale 1/2, 2 correct
// and not broken, 3 wrong and not broken, 4 wrong and broken at scale 1/2. Clean accuracy 3/5.
std::shared_ptr<AdversarialSet> minimal_set() {
  return make_set({{true, true, 1.0f},
                   {true, true, 0.5f},
                   {true, false, 1.0f},
                   {false, false, 0.0f},
                   {false, true, 0.5f}});
}

// A fixed-budget set of four: two correct and held, one correct and broken, one wrong.
std::shared_ptr<AdversarialSet> budget_set(const std::map<std::string, at::Tensor>& extra) {
  return make_set({{true, false, 0.5f}, {true, false, 0.5f}, {true, true, 0.5f}, {false, false, 0}},
                  extra);
}

std::map<std::string, at::Tensor> budget(const std::string& extra, float eps) {
  return {{extra, torch::full({4}, eps)}};
}

// The epsilons of the table tests; each norm of samples 0 and 1 is one of them (a tie).
const char* const kEpsilons = "[0.15625, 0.25, 0.3125, 0.5, 0.625]";

blindspot::Outputs run(const std::string& with, const testing::Connections& inputs) {
  return testing::run_node("robustness", with, inputs);
}

Table accuracy_of(const std::string& with, const testing::Connections& inputs) {
  return testing::product_of<Table>(run(with, inputs), "accuracy");
}

Record curves_of(const blindspot::Outputs& out) {
  return out.find("curves")->save();
}

// The curves' kind, as the host finds it by the name the plugin registers.
blindspot::ProductKind curves_kind() {
  run("{}", {{"sets", minimal_set()}});  // loads the plugin, which registers its kind
  const blindspot::ProductKind kind = blindspot::find_product_kind("RobustnessCurves");
  REQUIRE(kind != nullptr);
  return kind;
}

std::vector<double> values_of(const at::Tensor& t) {
  const at::Tensor d = t.to(torch::kDouble).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

// A Drawing that keeps the charts it is asked for and returns a stand-in for the PNG.
class ChartRecorder final : public blindspot::Drawing {
 public:
  std::vector<std::vector<blindspot::Chart>> drawn;
  std::vector<unsigned char> tiles(const std::vector<blindspot::TileRow>&) override { return {}; }
  std::vector<unsigned char> charts(const std::vector<blindspot::Chart>& panels) override {
    drawn.push_back(panels);
    return {0x89, 'P', 'N', 'G'};
  }
  std::vector<unsigned char> histogram(const std::string&, const std::string&,
                                       const std::vector<double>&) override {
    return {};
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "the table holds hand-computed accuracies in each norm; a distortion equal to eps is "
    "not robust") {
  // Broken distortions of the correct samples 0 and 1 per norm; a sample is broken at eps when
  // its distortion <= eps, and the accuracy is (3 - broken) / 5.
  const std::map<std::string, std::vector<double>> expected = {
      {"rms", {0.4, 0.4, 0.2, 0.2, 0.2}},    // 0.3125 and 0.15625
      {"l2", {0.6, 0.6, 0.4, 0.4, 0.2}},     // 0.625 and 0.3125
      {"linf", {0.6, 0.4, 0.4, 0.2, 0.2}}};  // 0.5 and 0.25
  const std::map<std::string, std::string> titles = {
      {"rms", "RMS"}, {"l2", "L2"}, {"linf", "L-inf"}};
  for (const auto& [norm, accuracies] : expected) {
    CAPTURE(norm);
    const Table t =
        accuracy_of("{norm: " + norm + ", epsilons: " + kEpsilons + "}", {{"sets", minimal_set()}});
    CHECK(t.title == "Accuracy against allowed distortion (" + titles.at(norm) + ")");
    REQUIRE(t.columns ==
            std::vector<std::string>{"clean", "0.15625", "0.25", "0.3125", "0.5", "0.625"});
    REQUIRE(t.rows == std::vector<std::string>{"sets"});  // the harness names nodes by port
    for (blindspot::CellFormat format : t.formats) CHECK(format == blindspot::CellFormat::percent);
    CHECK(t.at(0, 0) == doctest::Approx(0.6));
    for (std::size_t e = 0; e < accuracies.size(); ++e) {
      CAPTURE(t.columns[e + 1]);
      CHECK(t.at(0, e + 1) == doctest::Approx(accuracies[e]));
    }
  }
}

TEST_CASE("the default norm is rms and the default epsilons are the table's columns") {
  const Table t = accuracy_of("{}", {{"sets", minimal_set()}});
  CHECK(t.title == "Accuracy against allowed distortion (RMS)");
  CHECK(t.columns == std::vector<std::string>{"clean", "0.025", "0.05", "0.075", "0.1"});
  for (std::size_t c = 1; c < 5; ++c) CHECK(t.at(0, c) == doctest::Approx(0.6));  // below 0.156
}

TEST_CASE("wrong samples are never robust, failed attacks always; the curve falls from clean") {
  const Record curves =
      curves_of(run("{points: 50}", {{"sets", minimal_set()},
                                     {"sets", make_set({{true, false, 1}, {false, false, 0}})},
                                     {"sets", make_set({{false, true, 1}, {false, false, 0}})}}));
  const at::Tensor eps = curves.tensors.at("epsilon");
  const at::Tensor accuracy = curves.tensors.at("accuracy");
  REQUIRE(eps.sizes() == at::IntArrayRef{50});
  REQUIRE(accuracy.sizes() == at::IntArrayRef{3, 50});
  CHECK(eps[0].item<double>() == 0);
  CHECK(eps.diff().gt(0).all().item<bool>());
  // 5% past the largest RMS distortion that breaks a sample (0.3125, above the epsilons).
  CHECK(eps[49].item<double>() == doctest::Approx(1.05 * 0.3125));
  CHECK(accuracy[0][0].item<double>() == doctest::Approx(0.6));  // the clean accuracy
  CHECK(accuracy[0].diff().le(0).all().item<bool>());
  CHECK(accuracy[0][49].item<double>() == doctest::Approx(0.2));  // sample 2's attack failed
  // A correct sample whose attack failed is robust at every eps, a wrong one at none.
  CHECK(values_of(accuracy[1]) == std::vector<double>(50, 0.5));
  CHECK(values_of(accuracy[2]) == std::vector<double>(50, 0.0));
}

TEST_CASE("an L2 budget is a point on an rms curve at eps / sqrt(pixels), on an l2 one as is") {
  const testing::Connections inputs = {{"sets", minimal_set()},
                                       {"budgeted", budget_set(budget("epsilon_l2", 0.5f))}};
  for (const auto& [norm, at] : std::map<std::string, double>{{"rms", 0.25}, {"l2", 0.5}}) {
    CAPTURE(norm);
    const auto out = run("{norm: " + norm + ", epsilons: [0.1, 0.2]}", inputs);
    const Table t = testing::product_of<Table>(out, "accuracy");
    REQUIRE(t.rows == std::vector<std::string>{"sets", "budgeted"});
    REQUIRE(t.columns == std::vector<std::string>{"clean", "0.1", "0.2", "budget", "at budget"});
    CHECK(t.formats[3] == blindspot::CellFormat::plain);
    CHECK(t.formats[4] == blindspot::CellFormat::percent);
    // The curve at the one budget: sample 1 is broken at 0.15625 rms (0.3125 L2), sample 0 not
    // until 0.3125 rms (0.625 L2).
    CHECK(t.at(0, 3) == doctest::Approx(at));
    CHECK(t.at(0, 4) == doctest::Approx(0.4));
    CHECK(t.at(1, 0) == doctest::Approx(0.75));
    CHECK((std::isnan(t.at(1, 1)) && std::isnan(t.at(1, 2))));  // nor a budgeted set a curve
    CHECK(t.at(1, 3) == doctest::Approx(at));                   // 4 pixels: sqrt(4) = 2
    CHECK(t.at(1, 4) == doctest::Approx(0.5));
    const Record curves = curves_of(out);
    CHECK(curves.strings.at("budgeted") == std::vector<std::string>{"budgeted"});
    CHECK(values_of(curves.tensors.at("budget_epsilon")) == std::vector<double>{at});
    CHECK(values_of(curves.tensors.at("budget_accuracy")) == std::vector<double>{0.5});
  }
}

TEST_CASE("a set's row has no budget when the budgeted sets have different ones") {
  const Table t = accuracy_of("{}", {{"sets", minimal_set()},
                                     {"budgeted", budget_set(budget("epsilon_l2", 0.5f))},
                                     {"budgeted", budget_set(budget("epsilon_l2", 0.25f))}});
  REQUIRE(t.rows == std::vector<std::string>{"sets", "budgeted", "budgeted"});
  CHECK((std::isnan(t.at(0, 5)) && std::isnan(t.at(0, 6))));
  CHECK(t.at(1, 5) == doctest::Approx(0.25));
  CHECK(t.at(2, 5) == doctest::Approx(0.125));
}

TEST_CASE("an L-inf budget is a point on an linf curve only") {
  const testing::Connections inputs = {{"budgeted", budget_set(budget("epsilon_linf", 0.25f))}};
  CHECK(contains(testing::error_of([&] { run("{}", inputs); }),
                 "set 'budgeted' has an L-inf budget, which has no place on an rms curve; use "
                 "norm: linf"));
  CHECK(contains(testing::error_of([&] { run("{norm: l2}", inputs); }), "on an l2 curve"));
  const Table t = accuracy_of("{norm: linf}", inputs);
  CHECK(t.at(0, t.columns.size() - 2) == doctest::Approx(0.25));
  const testing::Connections l2 = {{"budgeted", budget_set(budget("epsilon_l2", 0.25f))}};
  CHECK(contains(testing::error_of([&] { run("{norm: linf}", l2); }),
                 "set 'budgeted' has an L2 budget, which has no place on an linf curve; use "
                 "norm: l2 or rms"));
}

TEST_CASE("a budgeted set needs exactly one epsilon extra, the same for every sample") {
  const auto refusal = [](const std::map<std::string, at::Tensor>& extra) {
    return testing::error_of([&] { run("{}", {{"budgeted", budget_set(extra)}}); });
  };
  const std::string none = refusal({});
  CHECK(contains(none,
                 "budgeted set 'budgeted' needs exactly one of the per-sample extras "
                 "epsilon_linf or epsilon_l2 (its budget); it has none"));
  CHECK(contains(refusal({{"iterations", torch::ones({4})}}), "; it has iterations"));
  std::map<std::string, at::Tensor> both = budget("epsilon_l2", 0.5f);
  both["epsilon_linf"] = torch::full({4}, 0.1f);
  CHECK(contains(refusal(both), "; it has epsilon_l2, epsilon_linf"));
  CHECK(contains(refusal({{"epsilon_l2", torch::tensor({0.5f, 0.5f, 0.5f, 0.25f})}}),
                 "has budgets from 0.25 to 0.5"));
  CHECK(contains(refusal({{"epsilon_l2", torch::full({3}, 0.5f)}}), "needs one budget per sample"));
}

TEST_CASE("an experiment with no set at all is refused") {
  CHECK(contains(testing::error_of([] { run("{}", {}); }), "sets and budgeted are both empty"));
}

TEST_CASE("bad parameters are refused at validation") {
  const testing::Connections inputs = {{"sets", minimal_set()}};
  const std::map<std::string, std::string> refusals = {
      {"{norm: l1}", "'norm' = 'l1' is not allowed; expected one of: rms, l2, linf"},
      {"{epsilons: [0.1, -0.05]}", "'epsilons' = -0.05 is out of range; expected >= 0"},
      {"{points: 1}", "'points' = 1 is out of range; expected [2, 10000]"},
      {"{points: 10001}", "'points' = 10001 is out of range"},
      {"{epsilons: 0.1}", "'epsilons' expects a list of float"}};
  for (const auto& [with, message] : refusals) {
    CAPTURE(with);
    CHECK(contains(testing::error_of([&] { run(with, inputs); }), message));
  }
}

TEST_CASE("a RobustnessCurves record round-trips and names its dimensions") {
  const testing::Connections inputs = {{"sets", minimal_set()},
                                       {"budgeted", budget_set(budget("epsilon_l2", 0.5f))}};
  const auto out = run("{}", inputs);
  const auto restored = testing::round_trip("robustness", "{}", inputs, out);
  for (const char* port : {"accuracy", "curves"}) {
    CAPTURE(port);
    REQUIRE(restored.find(port) != nullptr);
    const blindspot::RecordDifference difference =
        blindspot::compare_records(out.find(port)->save(), restored.find(port)->save());
    CHECK(difference.largest == 0);
  }
  const Record record = curves_of(out);
  CHECK(blindspot::kind_name(out.find("curves")->kind()) == std::string("RobustnessCurves"));
  CHECK(std::get<std::string>(record.attributes.at("norm")) == "rms");
  CHECK(record.dimensions.at("accuracy") == std::vector<std::string>{"sets", "epsilon"});
  CHECK(record.dimensions.at("epsilon") == std::vector<std::string>{"epsilon"});
  CHECK(record.dimensions.at("budget_epsilon") == std::vector<std::string>{"budgeted"});
  CHECK(record.dimensions.at("budget_accuracy") == std::vector<std::string>{"budgeted"});
}

TEST_CASE("check() refuses a RobustnessCurves record of the wrong form") {
  const blindspot::ProductKind kind = curves_kind();
  const Record good = curves_of(run("{points: 10}", {{"sets", minimal_set()}}));
  CHECK(testing::error_of([&] { kind->check(good); }).empty());
  const auto refusal = [&](const std::function<void(Record&)>& spoil) {
    Record bad = good;
    spoil(bad);
    return testing::error_of([&] { kind->check(bad); });
  };
  CHECK(contains(refusal([](Record& r) {
                   r.tensors["accuracy"] = torch::zeros({1, 9});
                 }),
                 "'accuracy' is [1, 9], expected [1, 10]"));
  CHECK(contains(refusal([](Record& r) { r.strings["sets"].push_back("extra"); }),
                 "'accuracy' is [1, 10], expected [2, 10]"));
  CHECK(contains(refusal([](Record& r) { r.tensors["budget_epsilon"] = torch::zeros({2}); }),
                 "'budget_epsilon' is [2], expected [0]"));
  CHECK(contains(refusal([](Record& r) {
                   r.tensors["epsilon"] = torch::zeros({2, 5});
                 }),
                 "'epsilon'"));
  CHECK(contains(refusal([](Record& r) { r.tensors.erase("budget_accuracy"); }),
                 "lacks the tensor 'budget_accuracy'"));
  CHECK(contains(refusal([](Record& r) { r.strings.erase("budgeted"); }),
                 "lacks the strings 'budgeted'"));
  CHECK(contains(refusal([](Record& r) { r.attributes["norm"] = std::string("l1"); }), "'norm'"));
  CHECK(contains(refusal([](Record& r) { r.attributes["norm"] = std::int64_t{2}; }), "'norm'"));
}

TEST_CASE("the figure is one chart: a line per set in percent, a dot per budgeted set") {
  const blindspot::ProductKind kind = curves_kind();
  const Record record =
      curves_of(run("{points: 20}", {{"sets", minimal_set()},
                                     {"sets", minimal_set()},
                                     {"budgeted", budget_set(budget("epsilon_l2", 0.5f))}}));
  ChartRecorder drawing;
  const auto figures = kind->figures({"robust", "curves", {}}, record, drawing);
  REQUIRE(figures.size() == 1);
  CHECK(figures[0].file == "robust-curves.png");
  CHECK(contains(figures[0].caption, "robust: accuracy (%) against the allowed RMS distortion"));
  CHECK(contains(figures[0].caption, "a dot per fixed-budget attack at its budget"));
  CHECK(contains(figures[0].caption, "Upper bounds on the robust accuracy"));
  CHECK(figures[0].png.size() == 4);
  REQUIRE(drawing.drawn.size() == 1);
  REQUIRE(drawing.drawn[0].size() == 1);  // one panel
  const blindspot::Chart& chart = drawing.drawn[0][0];
  CHECK(chart.title == "Robustness");
  CHECK(chart.x_label == "allowed distortion (RMS)");
  CHECK(chart.y_label == "accuracy (%)");
  REQUIRE(chart.series.size() == 3);
  CHECK(chart.series[0].name == "sets");
  CHECK(chart.series[0].x == values_of(record.tensors.at("epsilon")));
  CHECK(chart.series[0].y.size() == 20);
  CHECK(chart.series[0].y[0] == doctest::Approx(60));
  CHECK(chart.series[2].name == "budgeted");
  CHECK(chart.series[2].x == std::vector<double>{0.25});
  CHECK(chart.series[2].y == std::vector<double>{50});
}

TEST_CASE("show and report describe the curves from the record alone") {
  const blindspot::ProductKind kind = curves_kind();
  const Record with_budget = curves_of(
      run("{}", {{"sets", minimal_set()}, {"budgeted", budget_set(budget("epsilon_l2", 0.5f))}}));
  CHECK(kind->summary(with_budget) == "Robustness curves (rms): 1 set, 1 budgeted");
  const std::vector<std::string> details = kind->details(with_budget);
  REQUIRE(details.size() == 2);
  // 60% at 0, under half once sample 1 breaks at 0.15625 (the first grid point past it).
  CHECK(contains(details[0], "sets: 60.00% at 0, under half from 0.15"));
  CHECK(details[1] == "budgeted: 50.00% at its budget 0.25");
  const auto tables = kind->tables("curves", with_budget);
  REQUIRE(tables.size() == 1);
  CHECK(tables[0].rows == std::vector<std::vector<std::string>>{{"budgeted", "0.25", "50.00%"}});
  const Record without = curves_of(run("{}", {{"sets", minimal_set()}}));
  CHECK(kind->tables("curves", without).empty());
}
