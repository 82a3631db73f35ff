// `blindspot report --markdown` on hand-made archives: which samples a figure shows, how it
// magnifies differences, its row labels and group rule, its captions, whole-epoch ticks.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "archive/archive.hpp"
#include "blindspot/products.hpp"
#include "report/png.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

constexpr std::int64_t kTile = 56;  // a 28x28 image drawn twice as large

/// An archive holding one node `node` whose port `port` is `product`, of kind `kind`.
fs::path archive_of(const fs::path& dir, const std::string& node, const std::string& port,
                    const blindspot::Product& product, const std::string& kind) {
  blindspot::host::ExperimentInfo info;
  info.name = "figures";
  info.yaml = "experiment: figures\nseed: 1\nnodes:\n  " + node + ": {plugin: hand}\n";
  info.status = "running";
  const fs::path file = dir / "hand.h5";
  blindspot::host::ArchiveWriter writer(file, info);
  blindspot::Record record = product.save();
  record.attributes["kind"] = kind;
  blindspot::host::NodeInfo node_info;
  node_info.name = node;
  node_info.plugin = "hand";
  writer.add_node(node_info, {{port, record}});
  info.status = "complete";
  writer.finish(info);
  return file;
}

/// The report's markdown text and the figure `figure` it wrote, for `--samples samples` ("" for
/// the default).
std::pair<std::string, at::Tensor> report(const fs::path& archive, const std::string& figure,
                                          const std::string& samples = "") {
  const fs::path md = archive.parent_path() / "r.md";
  fs::remove_all(archive.parent_path() / "r_figures");
  auto run = run_blindspot("report " + archive.string() + " --markdown " + md.string() +
                           (samples.empty() ? "" : " --samples " + samples));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  std::stringstream text;
  text << std::ifstream(md).rdbuf();
  return {text.str(), blindspot::host::read_png(archive.parent_path() / "r_figures" / figure)};
}

/// How many pixels darker than mid-grey a region of a figure has.
std::int64_t dark(const at::Tensor& figure, std::int64_t top, std::int64_t height,
                  std::int64_t left, std::int64_t width) {
  return figure.narrow(0, top, height).narrow(1, left, width).lt(128).sum().item<std::int64_t>();
}

/// Four 28x28 samples of an attack, all 0.5 before it. Sample 0 was misclassified before (left
/// alone), sample 3 was attacked and failed (r = 1/64 everywhere); samples 1 and 2 succeeded:
/// sample 1 moved by +0.125 everywhere but -0.0625 at pixel (0, 1), sample 2 by -1/32 everywhere.
blindspot::AdversarialSet four_samples() {
  blindspot::AdversarialSet set;
  set.original = at::full({4, 1, 28, 28}, 0.5);
  at::Tensor r = at::zeros({4, 1, 28, 28});
  r[1].fill_(0.125);
  r[1][0][0][1] = -0.0625;
  r[2].fill_(-1.0 / 32);
  r[3].fill_(1.0 / 64);
  set.adversarial = set.original + r;
  set.labels = at::tensor({1, 2, 3, 4}, at::kLong);
  set.indices = at::arange(4, at::kLong);
  set.target = at::full({4}, -1, at::kLong);
  set.original_prediction = at::tensor({0, 2, 3, 4}, at::kLong);
  set.prediction = at::tensor({0, 5, 5, 4}, at::kLong);
  set.success = at::tensor({0, 1, 1, 0}, at::kByte);
  set.distortion = blindspot::AdversarialSet::rms_distortion(set.original, set.adversarial);
  return set;
}

}  // namespace

TEST_CASE("Figure 5 shows the successes, its difference magnified so the largest stays in range") {
  TempDir tmp("figure5");
  const fs::path archive =
      archive_of(tmp.path(), "attack", "adversarial", four_samples(), "AdversarialSet");
  const auto [text, figure] = report(archive, "attack-adversarial.png");
  // Two rows, samples 1 and 2: the others are not successes.
  REQUIRE(figure.size(0) == 2 * kTile + 2);
  // The 99th percentile of |r| over the rows is 0.125, so the scale is 0.5 / 0.125 = 4: pixel
  // (0, 1) of sample 1 is 0.5 + 4 * -0.0625 = 0.25 (64 of 255), the rest 0.5 + 4 * 0.125 = 1;
  // sample 2's are 0.5 - 4 / 32 = 0.375 (96). The difference is the middle of three tiles.
  const std::int64_t difference = figure.size(1) - 2 * kTile - 2;
  CHECK(figure[0][difference + 2].item<int>() == 64);
  CHECK(figure[1][difference + 3].item<int>() == 64);
  CHECK(figure[0][difference].item<int>() == 255);
  CHECK(figure[kTile + 2][difference].item<int>() == 96);
  CHECK(text.find("difference magnified 4x around mid-grey (black -0.125, white +0.125") !=
        std::string::npos);
  CHECK(text.find("for samples 1, 2 (2 of the 2 successes).") != std::string::npos);
  // Each row is labelled at its left with one line of text: "sample 1".
  const std::int64_t label = figure.size(1) - 3 * kTile - 2 * 2;
  REQUIRE(label > 0);
  CHECK(dark(figure, 0, 13, 0, label) > 0);
  CHECK(dark(figure, 13, kTile - 13, 0, label) == 0);
}

TEST_CASE("listed samples are shown as asked, a row that is not a success marked so") {
  TempDir tmp("figure5-listed");
  const fs::path archive =
      archive_of(tmp.path(), "attack", "adversarial", four_samples(), "AdversarialSet");
  const auto [text, figure] = report(archive, "attack-adversarial.png", "0,3,1");
  REQUIRE(figure.size(0) == 3 * kTile + 2 * 2);
  CHECK(text.find("for samples 0, 3, 1. Not a success, marked in the figure: sample 0, "
                  "misclassified before the attack; sample 3, the attack failed.") !=
        std::string::npos);
  // Rows 1 and 2 have a second line of label ("NOT A SUCCESS:"); row 3, a success, has not.
  const std::int64_t label = figure.size(1) - 3 * kTile - 2 * 2;
  REQUIRE(label > 0);
  CHECK(dark(figure, 13, 13, 0, label) > 0);
  CHECK(dark(figure, kTile + 2 + 13, 13, 0, label) > 0);
  CHECK(dark(figure, 2 * (kTile + 2) + 13, 13, 0, label) == 0);
  // Sample 0 was left alone: its difference is flat mid-grey (128).
  const std::int64_t difference = figure.size(1) - 2 * kTile - 2;
  CHECK(figure.narrow(0, 0, kTile).narrow(1, difference, kTile).eq(128).all().item<bool>());
}

TEST_CASE(
    "the units grid labels its rows, rules off the random directions and says what it draws") {
  TempDir tmp("units-grid");
  blindspot::Arrays top;
  top.title = "Top 2 of 30 'test' images along 5 units and 5 random directions of act2";
  top.values["images"] = at::full({10, 2, 1, 28, 28}, 0.5);
  top.values["units"] = at::tensor({3, 7, 11, 20, 42}, at::kLong);
  const fs::path archive = archive_of(tmp.path(), "units", "top", top, "Arrays");
  const auto [text, figure] = report(archive, "units-top.png");
  // 4 unit rows, a 10-pixel gap with a 2-pixel black rule, 4 random-direction rows.
  REQUIRE(figure.size(0) == 8 * kTile + 6 * 2 + 10);
  const std::int64_t rule = 4 * kTile + 3 * 2 + 4;
  CHECK(figure.narrow(0, rule, 2).eq(0).all().item<bool>());
  CHECK(figure[rule - 1].eq(255).all().item<bool>());
  CHECK(figure[rule + 2].eq(255).all().item<bool>());
  const std::int64_t label = figure.size(1) - 2 * kTile - 2;
  REQUIRE(label > 0);
  for (std::int64_t top_row : {std::int64_t{0}, 4 * (kTile + 2) + 8})
    CHECK(dark(figure, top_row, 13, 0, label) > 0);
  CHECK(text.find("along 5 units and 5 random directions of act2; drawn: 4 of the 5 units (rows "
                  "1-4: units 3, 7, 11, 20) and 4 of the 5 random directions (rows 5-8), each "
                  "row its top 2 images, best first") != std::string::npos);
}

TEST_CASE("the saliency caption says how many of its images are drawn") {
  TempDir tmp("saliency");
  blindspot::Arrays maps;
  maps.title = "Gradient of the predicted class's probability for 16 'test' images";
  maps.values["images"] = at::full({16, 1, 28, 28}, 0.5);
  maps.values["saliency"] = at::ones({16, 1, 28, 28});
  const fs::path archive = archive_of(tmp.path(), "explain", "saliency", maps, "Arrays");
  const auto [text, figure] = report(archive, "explain-saliency.png");
  CHECK(figure.size(0) == 8 * kTile + 7 * 2);
  CHECK(text.find("for 16 'test' images; drawn for 8 of the 16, samples 0, 1, 2, 3, 4, 5, 6, 7: "
                  "image | |saliency| scaled to its largest value") != std::string::npos);
}

TEST_CASE("a training curve of three epochs has the ticks 1, 2 and 3 on its epoch axes") {
  TempDir tmp("curve");
  blindspot::Table curve("Training curve", {"1", "2", "3"}, {"loss", "error"});
  for (std::size_t r = 0; r < 3; ++r) {
    curve.set(r, 0, 2.0 / static_cast<double>(r + 1));
    curve.set(r, 1, 0.2 / static_cast<double>(r + 1));
  }
  const fs::path archive = archive_of(tmp.path(), "fc10", "curve", curve, "Table");
  const auto [text, rgb] = report(archive, "fc10-curve.png");
  REQUIRE(rgb.sizes().equals({3, 320, 2 * 480}));
  const at::Tensor figure = rgb.amax(0);  // dark where every channel is
  // The tick marks hang 4 pixels below each plot area (whose bottom is pixel row 274), right
  // of its left edge: the first column dark from row 100 to 200.
  for (std::int64_t panel : {0, 1}) {
    std::int64_t left = panel * 480;
    while (left < (panel + 1) * 480 &&
           !figure.narrow(0, 100, 100).select(1, left).lt(100).all().item<bool>())
      ++left;
    CHECK(
        figure[276].narrow(0, left, (panel + 1) * 480 - left).lt(100).sum().item<std::int64_t>() ==
        3);
  }
}
