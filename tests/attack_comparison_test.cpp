// The attack comparison end to end on MNIST digits: szegedy, cw_l2, deepfool and pgd on the same
// samples, compare_attacks and robustness on them, then show, report (its chart) and reproduce.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <string>

#include "report/png.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::read_text;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// A small version of experiments/attacks.yaml: softmax regression, 40 test digits.
const char* const kExperiment = R"(experiment: attack-comparison
seed: 7
nodes:
  mnist: {plugin: dataset, with: {source: mnist, train: 2000, test: 500}}
  fc10: {plugin: softmax, inputs: {data: mnist}, with: {lambda: 1.0e-4, epochs: 5}}
  szegedy: {plugin: szegedy, inputs: {model: fc10, data: mnist}, with: {split: test, count: 40, target: untargeted}}
  cw: {plugin: cw_l2, inputs: {model: fc10, data: mnist}, with: {split: test, count: 40}}
  deepfool: {plugin: deepfool, inputs: {model: fc10, data: mnist}, with: {split: test, count: 40}}
  pgd: {plugin: pgd, inputs: {model: fc10, data: mnist}, with: {split: test, count: 40, norm: l2, epsilon: 1.0}}
  compare: {plugin: compare_attacks, inputs: {sets: [szegedy, cw, deepfool]}}
  curves: {plugin: robustness, inputs: {sets: [szegedy, cw, deepfool], budgeted: [pgd]}}
  curves-alone: {plugin: robustness, inputs: {sets: [deepfool], budgeted: []}, with: {norm: linf}}
)";

/// The number in the cell of `column` (0-based, after the row label) of the row `row` of a
/// Markdown table in `text`.
double cell(const std::string& text, const std::string& row, int column) {
  std::smatch line;
  REQUIRE(std::regex_search(text, line, std::regex("\\| " + row + " \\|([^\\n]*)")));
  std::string rest = line[1];
  for (int c = 0; c < column; ++c) rest = rest.substr(rest.find('|') + 1);
  return std::stod(rest);
}

}  // namespace

TEST_CASE("the attacks compare on the same digits, and report draws their robustness curves") {
  REQUIRE(fs::exists(BLINDSPOT_SOURCE_DIR "/data/mnist/images-idx3-ubyte"));
  TempDir tmp("attack-comparison");
  const fs::path yaml = tmp.path() / "attacks.yaml", out = tmp.path() / "attacks.h5";
  std::ofstream(yaml) << kExperiment;
  auto run = run_blindspot("run " + yaml.string() + " -o " + out.string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);

  const fs::path md = tmp.path() / "report.md";
  auto report = run_blindspot("report " + out.string() + " --markdown " + md.string());
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string text = read_text(md);
  INFO(text);
  // Every minimal attack fools every digit the model gets right, so all are compared.
  for (const char* attack : {"szegedy", "cw", "deepfool"}) {
    CAPTURE(attack);
    CHECK(cell(text, attack, 1) == doctest::Approx(100.0));    // success, in percent
    CHECK(cell(text, attack, 2) == cell(text, "szegedy", 0));  // common = attacked
  }
  // On a linear model all three reach close to the nearest boundary point: L-BFGS and C&W
  // minimise the distance, and DeepFool's step is the exact projection onto the boundary.
  CHECK(cell(text, "szegedy", 5) == doctest::Approx(1.0));
  for (const char* attack : {"cw", "deepfool"}) {
    CAPTURE(attack);
    CHECK(cell(text, attack, 5) > 0.9);
    CHECK(cell(text, attack, 5) < 1.1);
  }
  // The chart: one PNG for each robustness node, linked from the report.
  for (const char* node : {"curves", "curves-alone"}) {
    const fs::path png = tmp.path() / "report_figures" / (std::string(node) + "-curves.png");
    CAPTURE(png);
    CHECK(text.find(png.filename().string()) != std::string::npos);
    CHECK(blindspot::host::read_png(png).size(1) > 100);  // [channels, height, width]
  }
  CHECK(text.find("Accuracy of fixed-budget attacks at their budget (RMS)") != std::string::npos);

  auto show = run_blindspot("show " + out.string());
  CHECK(show.output.find("Robustness curves (rms): 3 sets, 1 budgeted") != std::string::npos);
  CHECK(show.output.find("Robustness curves (linf): 1 set, 0 budgeted") != std::string::npos);

  auto reproduce = run_blindspot("reproduce " + out.string());
  INFO(reproduce.output);
  CHECK(reproduce.exit_code == 0);
  CHECK(std::regex_search(reproduce.output, std::regex("curves +identical")));
}

TEST_CASE("an empty list of sets to compare is refused with one line naming the node") {
  TempDir tmp("attack-comparison-empty");
  const fs::path yaml = tmp.path() / "empty.yaml";
  std::ofstream(yaml) << "experiment: empty\nseed: 1\nnodes:\n"
                         "  compare: {plugin: compare_attacks, inputs: {sets: []}}\n";
  auto run = run_blindspot("run " + yaml.string() + " -o " + (tmp.path() / "e.h5").string());
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("blindspot: node 'compare': sets is empty; give the attack sets to "
                        "compare\n") != std::string::npos);
}
