// `blindspot report`: tables as Markdown, and with --markdown PNG figures that decode.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "blindspot/error.hpp"
#include "report/figures.hpp"
#include "report/png.hpp"
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

TEST_CASE("a tile grid has zoomed tiles with two-pixel white gaps") {
  const at::Tensor black = at::zeros({28, 28});
  const at::Tensor grid = blindspot::host::tile_grid({{black, black, black}, {black, black}});
  REQUIRE(grid.sizes().equals({2 * 58 - 2, 3 * 58 - 2}));
  CHECK(grid[0][0].item<float>() == 0);      // inside the first tile
  CHECK(grid[0][56].item<float>() == 1);     // the gap after it
  CHECK(grid[100][150].item<float>() == 1);  // the missing third tile of row 2 stays white
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
      << "    with: {count: 5, stddev: 0.05}\n";
  auto run = run_blindspot("run " + (dir / "r.yaml").string() + " -o " + (dir / "r.h5").string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  // The run ends with a summary: time per node, and examples per second for the noise set.
  const std::size_t summary = run.output.find("summary:\n");
  REQUIRE(summary != std::string::npos);
  CHECK(run.output.find("  noise (gaussian)", summary) != std::string::npos);
  CHECK(run.output.find(" s  5 examples, ", summary) != std::string::npos);
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
  // Five samples, each original | magnified difference | adversarial, tiles zoomed twice.
  const at::Tensor figure = blindspot::host::read_png(dir / "r_figures/noise-adversarial.png");
  CHECK(figure.sizes().equals({5 * 58 - 2, 3 * 58 - 2}));

  // --samples: listed positions, in that order; random ones, the same on every report.
  auto figure_for = [&](const std::string& samples, const std::string& name) {
    auto chosen = run_blindspot("report " + (dir / "r.h5").string() + " --markdown " +
                                (dir / (name + ".md")).string() + " --samples " + samples);
    INFO(chosen.output);
    REQUIRE(chosen.exit_code == 0);
    return blindspot::host::read_png(dir / (name + "_figures/noise-adversarial.png"));
  };
  const at::Tensor listed = figure_for("3,0", "listed");
  REQUIRE(listed.sizes().equals({2 * 58 - 2, 3 * 58 - 2}));
  CHECK(at::equal(listed.narrow(0, 0, 56), figure.narrow(0, 3 * 58, 56)));  // sample 3 first
  CHECK(at::equal(listed.narrow(0, 58, 56), figure.narrow(0, 0, 56)));      // then sample 0
  const at::Tensor random = figure_for("random:3", "random");
  CHECK(random.sizes().equals({3 * 58 - 2, 3 * 58 - 2}));
  CHECK(at::equal(random, figure_for("random:3", "again")));
  for (const auto& [samples, message] : std::vector<std::pair<std::string, std::string>>{
           {"9,1", "--samples: position 9 is past the 5 samples of noise/adversarial"},
           {"random:0", "--samples: 'random:0': 0 is below 1"},
           {"eight", "--samples: 'eight' is not understood; expected N"}}) {
    auto bad = run_blindspot("report " + (dir / "r.h5").string() + " --markdown " +
                             (dir / "bad.md").string() + " --samples " + samples);
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find(message) != std::string::npos);
  }
}
