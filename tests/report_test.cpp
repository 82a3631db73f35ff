// `blindspot report`: tables as Markdown, and with --markdown PNG figures that decode.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "archive/archive.hpp"
#include "blindspot/error.hpp"
#include "blindspot/products.hpp"
#include "blindspot/report.hpp"
#include "blindspot/testing.hpp"
#include "report/png.hpp"
#include "report/report.hpp"
#include "report/tile_grid.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

TEST_CASE("a PNG written is read back with the same size and pixel values") {
  TempDir tmp("png");
  const at::Tensor image = at::arange(35, at::kFloat).view({5, 7}) / 34;
  blindspot::host::write_png(tmp.path() / "ramp.png", image);
  const at::Tensor back = blindspot::host::read_png(tmp.path() / "ramp.png");
  REQUIRE(back.sizes().equals({5, 7}));
  CHECK(at::equal(back, (image * 255).round().to(at::kByte)));
  std::ofstream(tmp.path() / "not.png") << "not a png";
  CHECK_THROWS_AS(blindspot::host::read_png(tmp.path() / "not.png"), blindspot::Error);
}

TEST_CASE("a tile grid has zoomed tiles with two-pixel white gaps, labels, and group rules") {
  using blindspot::host::tile_grid;
  const at::Tensor black = at::zeros({28, 28});
  const at::Tensor grid = tile_grid({{{black, black, black}}, {{black, black}}});
  REQUIRE(grid.sizes().equals({2 * 58 - 2, 3 * 58 - 2}));
  CHECK(grid[0][0].item<float>() == 0);      // inside the first tile
  CHECK(grid[0][56].item<float>() == 1);     // the gap after it
  CHECK(grid[100][150].item<float>() == 1);  // the missing third tile of row 2 stays white
  // Labels: a column as wide as "abcd" (4 x 6 pixels) and 3 pixels each side; the second row
  // starts a group: 10 pixels below the first, a black rule in pixel rows 56 + 4 and 56 + 5.
  const at::Tensor labelled = tile_grid({{{black}, {"ab"}}, {{black}, {"abcd"}, true}});
  REQUIRE(labelled.sizes().equals({56 + 10 + 56, 30 + 56}));
  CHECK(labelled.narrow(0, 0, 13).narrow(1, 0, 30).lt(0.5).any().item<bool>());  // "ab"
  CHECK(labelled.narrow(0, 13, 43).narrow(1, 0, 30).eq(1).all().item<bool>());   // one line
  CHECK(labelled.narrow(0, 56, 4).eq(1).all().item<bool>());
  CHECK(labelled.narrow(0, 60, 2).eq(0).all().item<bool>());
  CHECK(labelled.narrow(0, 62, 4).eq(1).all().item<bool>());
  CHECK(labelled.narrow(0, 66, 56).narrow(1, 30, 56).eq(0).all().item<bool>());  // second tile
}

TEST_CASE("Figure 5 magnifies so that the 99th percentile of |r| stays within mid-grey +- 0.5") {
  using blindspot::magnification;
  CHECK(magnification(at::full({100}, 0.1, at::kDouble)) == 5);  // 0.5 / 0.1
  CHECK(magnification(at::full({100}, 0.1f)) == 5);    // float 0.1 is a hair above 0.1: not 4
  CHECK(magnification(at::full({100}, -0.03)) == 10);  // 16.7, down to one significant digit
  at::Tensor r = at::full({100}, 0.01, at::kDouble);
  r[7] = 0.5;  // one value in 100 saturates: the 99th is 0.01
  CHECK(magnification(r) == 50);
  r[8] = 0.25;  // two: the 99th is the smaller, 0.5 / 0.25
  CHECK(magnification(r) == 2);
  CHECK(magnification(at::full({10}, 0.8, at::kDouble)) == doctest::Approx(0.6));  // 0.625
  CHECK(magnification(at::zeros({5})) == 1);
  CHECK(magnification(at::zeros({0})) == 1);
}

namespace {

// A Drawing that keeps the charts it is asked for and draws nothing.
class ChartRecorder final : public blindspot::Drawing {
 public:
  std::vector<std::vector<blindspot::Chart>> drawn;
  std::vector<unsigned char> tiles(const std::vector<blindspot::TileRow>&) override { return {}; }
  std::vector<unsigned char> charts(const std::vector<blindspot::Chart>& panels) override {
    drawn.push_back(panels);
    return {};
  }
  std::vector<unsigned char> histogram(const std::string&, const std::string&,
                                       const std::vector<double>&) override {
    return {};
  }
};

// The chart panels the Table kind draws for `table` (none: no figure).
std::vector<blindspot::Chart> curve_charts(const blindspot::Table& table) {
  ChartRecorder recorder;
  const std::vector<blindspot::Figure> figures =
      blindspot::Table::product_kind()->figures({"fc10", "curve", {}}, table.save(), recorder);
  REQUIRE(figures.size() == recorder.drawn.size());
  if (figures.empty()) return {};
  CHECK(figures[0].file == "fc10-curve.png");
  CHECK(figures[0].caption == "fc10: Training curve per epoch");
  return recorder.drawn[0];
}

}  // namespace

TEST_CASE("a training curve is charted over whole epochs, its error in percent") {
  blindspot::Table curve("Training curve", {"1", "2", "3"}, {"loss", "error"});
  for (std::size_t r = 0; r < 3; ++r) {
    curve.set(r, 0, 1.0 / static_cast<double>(r + 1));
    curve.set(r, 1, 0.5 / static_cast<double>(1 << r));
  }
  const std::vector<blindspot::Chart> panels = curve_charts(curve);
  REQUIRE(panels.size() == 2);
  CHECK((panels[0].log_y && panels[0].integer_x && panels[1].integer_x));
  CHECK(panels[0].series[0].x == std::vector<double>{1, 2, 3});
  CHECK(panels[1].series[0].y == std::vector<double>{50, 25, 12.5});
  CHECK(panels[1].y_label == "error (%)");
  for (std::size_t r = 0; r < 3; ++r) curve.set(r, 1, 0);  // no error recorded: no panel for it
  CHECK(curve_charts(curve).size() == 1);
  const blindspot::Table one("Training curve", {"1"}, {"loss", "error"});
  CHECK(curve_charts(one).empty());
}

TEST_CASE("a table prints its own formats and reference values, archived with it") {
  blindspot::Table t("Errors", {"FC10", "FC100"}, {"error", "count", "distortion"});
  t.format("error", blindspot::CellFormat::percent).format("count", blindspot::CellFormat::count);
  t.set(0, 0, 0.0742);
  t.set(0, 1, 10000);
  t.set(0, 2, 0.06183);
  t.set(1, 0, 0.0164);
  t.refer("FC10", "error", "7.4%", "the paper").refer("FC100", "distortion", "0.058", "the paper");
  const blindspot::Table back = blindspot::Table::load(t.save());  // through the archive form
  const std::vector<blindspot::TextTable> shown =
      blindspot::Table::product_kind()->tables("errors", back.save());
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].rows[0] == std::vector<std::string>{"FC10", "7.42% (7.4%)", "10000", "0.06183"});
  CHECK(shown[0].rows[1] == std::vector<std::string>{"FC100", "1.64%", "0", "0 (0.058)"});
  CHECK(shown[0].note == "Each cell: ours (in brackets, where there is one, the paper's).");
  CHECK(blindspot::testing::error_of([&] { t.refer("FC10", "loss", "1", "x"); }) ==
        "table 'Errors' has no cell 'FC10' / 'loss' to give a reference value");
  blindspot::Record short_of_cells = t.save();
  short_of_cells.strings["references"].pop_back();
  CHECK(blindspot::testing::error_of([&] { blindspot::Table::load(short_of_cells); }) ==
        "table has 5 reference values for 6 cells");
  blindspot::Record unknown_format = t.save();
  unknown_format.strings["formats"][1] = "currency";
  CHECK(blindspot::testing::error_of([&] { blindspot::Table::load(unknown_format); }) ==
        "table column 'count' has an unknown format 'currency'; expected plain, percent, count or "
        "distortion");
  blindspot::Record missing_format = t.save();
  missing_format.strings["formats"].pop_back();
  CHECK(blindspot::testing::error_of([&] { blindspot::Table::load(missing_format); }) ==
        "table has 2 column formats for 3 columns");
}

TEST_CASE("an attack's log line counts only the samples it attacked") {
  TempDir tmp("attack-log");
  const fs::path dir = tmp.path();
  blindspot::test_support::write_random_pool(dir, 300, 4);
  // One epoch on random images: the model gets many samples wrong before any attack.
  std::ofstream(dir / "a.yaml")
      << "experiment: a\nseed: 3\nnodes:\n"
      << "  data:\n    plugin: dataset\n    with: {source: idx, path: " << (dir / "pool").string()
      << ", train: 200, test: 100}\n"
      << "  fc10:\n    plugin: softmax\n    inputs: {data: data}\n    with: {epochs: 1}\n"
      << "  noise:\n    plugin: gaussian\n    inputs: {model: fc10, data: data}\n"
      << "    with: {count: 40, stddev: 0.3}\n"
      << "  fgsm:\n    plugin: fgsm\n    inputs: {model: fc10, data: data}\n"
      << "    with: {count: 40, epsilon: 0.05}\n"
      << "  louder:\n    plugin: amplify\n    inputs: {set: fgsm, model: fc10}\n"
      << "    with: {stddev: 0.01}\n";
  auto run = run_blindspot("run " + (dir / "a.yaml").string() + " -o " + (dir / "a.h5").string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const blindspot::host::ArchiveReader archive(dir / "a.h5");
  const auto count = [&](const std::string& node, const std::string& tensor) {
    const blindspot::Record set = archive.products(node).at("adversarial");
    if (tensor == "wrong before")
      return set.tensors.at("original_prediction").ne(set.tensors.at("labels")).sum().item<int>();
    return set.tensors.at(tensor).sum().item<int>();
  };
  for (const char* node : {"noise", "fgsm"}) {
    CAPTURE(node);
    const int won = count(node, "success"), wrong = count(node, "wrong before");
    REQUIRE(wrong > 0);  // else the line would read the same as a count over every sample
    CHECK(run.output.find(fmt::format("{}: {} of {} attacked succeeded ({:.1f}%), {} already "
                                      "misclassified\n",
                                      node, won, 40 - wrong, 100.0 * won / (40 - wrong), wrong)) !=
          std::string::npos);
  }
  const int before = count("fgsm", "success");
  REQUIRE(before > 0);
  CHECK(run.output.find(fmt::format("louder: {} of {} successes still succeed amplified ({:.1f}%), "
                                    "{} samples were not successes before\n",
                                    count("louder", "success"), before,
                                    100.0 * count("louder", "success") / before, 40 - before)) !=
        std::string::npos);
}

TEST_CASE("report --markdown writes the tables and a Figure 5 triplet PNG per adversarial set") {
  TempDir tmp("report");
  const fs::path dir = tmp.path();
  blindspot::test_support::write_random_pool(dir, 300, 4);
  std::ofstream(dir / "r.yaml")
      << "experiment: r\nseed: 2\nnodes:\n"
      << "  data:\n    plugin: dataset\n    with: {source: idx, path: " << (dir / "pool").string()
      << ", train: 200, test: 100}\n"
      << "  fc10:\n    plugin: softmax\n    inputs: {data: data}\n    with: {epochs: 1}\n"
      << "  errors:\n    plugin: evaluate\n    inputs: {model: fc10, data: data}\n"
      << "  noise:\n    plugin: gaussian\n    inputs: {model: fc10, data: data}\n"
      << "    with: {count: 100, stddev: 1.0}\n";
  auto run = run_blindspot("run " + (dir / "r.yaml").string() + " -o " + (dir / "r.h5").string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  // The run ends with a summary: time per node, and examples per second for the noise set.
  const std::size_t summary = run.output.find("summary:\n");
  REQUIRE(summary != std::string::npos);
  CHECK(run.output.find("  noise (gaussian)", summary) != std::string::npos);
  CHECK(run.output.find(" s  100 examples, ", summary) != std::string::npos);
  CHECK(run.output.find("  total ", summary) != std::string::npos);

  auto plain = run_blindspot("report " + (dir / "r.h5").string());
  CHECK(plain.exit_code == 0);
  CHECK(plain.output.find("## errors (evaluate)") != std::string::npos);
  CHECK(plain.output.find("| train |") != std::string::npos);

  auto with_figures =
      run_blindspot("report " + (dir / "r.h5").string() + " --markdown " + (dir / "r.md").string());
  INFO(with_figures.output);
  REQUIRE(with_figures.exit_code == 0);
  auto unwritable =
      run_blindspot("report " + (dir / "r.h5").string() + " --markdown /proc/blindspot/r.md");
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.output.find("cannot create the folder") != std::string::npos);
  std::stringstream text;
  text << std::ifstream(dir / "r.md").rdbuf();
  CHECK(text.str().find("| test |") != std::string::npos);
  CHECK(text.str().find("](r_figures/noise-adversarial.png)") != std::string::npos);
  // The successes by default, each original | magnified difference | adversarial, tiles zoomed
  // twice: the same figure as the one that lists them.
  const blindspot::host::ArchiveReader archive(dir / "r.h5");
  const at::Tensor success = archive.products("noise").at("adversarial").tensors.at("success");
  std::vector<std::int64_t> won;
  for (std::int64_t i = 0; i < success.size(0); ++i)
    if (success[i].item<int>() != 0) won.push_back(i);
  REQUIRE(won.size() >= 3);
  const std::vector<std::int64_t> first(won.begin(),
                                        won.begin() + std::min<std::size_t>(8, won.size()));
  REQUIRE(first.back() >= static_cast<std::int64_t>(first.size()));  // not just the first ones
  const at::Tensor figure = blindspot::host::read_png(dir / "r_figures/noise-adversarial.png");
  CHECK(figure.size(0) == static_cast<std::int64_t>(first.size()) * 58 - 2);

  // --samples: listed positions, in that order; random ones, the same on every report.
  auto figure_for = [&](const std::string& samples, const std::string& name) {
    auto chosen = run_blindspot("report " + (dir / "r.h5").string() + " --markdown " +
                                (dir / (name + ".md")).string() + " --samples " + samples);
    INFO(chosen.output);
    REQUIRE(chosen.exit_code == 0);
    return blindspot::host::read_png(dir / (name + "_figures/noise-adversarial.png"));
  };
  CHECK(at::equal(figure_for(fmt::format("{}", fmt::join(first, ",")), "successes"), figure));
  // Listed rows in the order asked: the adversarial tile (the last 56 columns) of sample 3, then
  // that of sample 0.
  const at::Tensor five = figure_for("0,1,2,3,4", "five");
  const at::Tensor listed = figure_for("3,0", "listed");
  REQUIRE(listed.size(0) == 2 * 58 - 2);
  const auto adversarial = [](const at::Tensor& image, std::int64_t row) {
    return image.narrow(0, row * 58, 56).narrow(1, image.size(1) - 56, 56);
  };
  CHECK(at::equal(adversarial(listed, 0), adversarial(five, 3)));
  CHECK(at::equal(adversarial(listed, 1), adversarial(five, 0)));
  const at::Tensor random = figure_for("random:3", "random");
  CHECK(random.size(0) == 3 * 58 - 2);
  CHECK(at::equal(random, figure_for("random:3", "again")));
  for (const auto& [samples, message] : std::vector<std::pair<std::string, std::string>>{
           {"109,1", "--samples: position 109 is past the 100 samples of noise/adversarial"},
           {"random:0", "--samples: 'random:0': 0 is below 1"},
           {"eight", "--samples: 'eight' is not understood; expected N"}}) {
    auto bad = run_blindspot("report " + (dir / "r.h5").string() + " --markdown " +
                             (dir / "bad.md").string() + " --samples " + samples);
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find(message) != std::string::npos);
  }
}
