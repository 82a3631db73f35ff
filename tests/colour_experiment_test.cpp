// experiments/colour.yaml end to end on fewer samples: a colour .npz made by
// experiments/make_colour_data.py, two models, Szegedy's attack, transfer, and a report whose
// Figure 5 is an RGB image showing the attacked images.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "archive/archive.hpp"
#include "report/png.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::read_text;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::run_command;

namespace {

/// `text` with the first `from` replaced by `to`; fails the test if `from` is not there.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "experiments/colour.yaml no longer holds " << from);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the colour experiment runs end to end and its report draws Figure 5 in colour") {
  blindspot::test_support::TempDir tmp("colour");
  const fs::path data = tmp.path() / "colour.npz";
  const auto made = run_command("/usr/bin/python3 " BLINDSPOT_SOURCE_DIR
                                "/experiments/make_colour_data.py --out " +
                                data.string());
  INFO(made.output);
  REQUIRE(made.exit_code == 0);

  std::string yaml = read_text(BLINDSPOT_SOURCE_DIR "/experiments/colour.yaml");
  // The experiment's data and convnet, so the model attacked is the one the experiment
  // attacks; fewer samples attacked and fewer epochs for the MLP, which is only transferred to.
  yaml = replaced(yaml, "path: data/colour-fashion.npz", "path: '" + data.string() + "'");
  yaml = replaced(yaml, "activation: relu, epochs: 30", "activation: relu, epochs: 3");
  yaml = replaced(yaml, "count: &count 100", "count: &count 12");
  yaml = replaced(yaml, "count: 16", "count: 4");
  const fs::path experiment = tmp.path() / "colour.yaml", out = tmp.path() / "colour.h5";
  std::ofstream(experiment) << yaml;
  const auto run = run_blindspot("run " + experiment.string() + " -o " + out.string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);

  const blindspot::host::ArchiveReader archive(out);
  const blindspot::Record set = archive.products("made-for-convnet").at("adversarial");
  const at::Tensor original = set.tensors.at("original");
  REQUIRE(original.sizes() == at::IntArrayRef{12, 3, 28, 28});
  // Every sample the convnet classified correctly is fooled; no other counts as a success.
  const at::Tensor correct = set.tensors.at("original_prediction")
                                 .to(at::kLong)
                                 .eq(set.tensors.at("labels").to(at::kLong));
  CHECK(at::equal(set.tensors.at("success").to(at::kBool), correct));
  CHECK(correct.sum().item<std::int64_t>() >= 9);
  const at::Tensor adversarial = set.tensors.at("adversarial");
  CHECK(adversarial.min().item<float>() >= 0);
  CHECK(adversarial.max().item<float>() <= 1);

  const fs::path md = tmp.path() / "colour.md";
  const auto report = run_blindspot("report " + out.string() + " --markdown " + md.string());
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string text = read_text(md);
  CHECK(text.find("around mid-grey per channel") != std::string::npos);
  std::smatch first;
  REQUIRE(std::regex_search(text, first,
                            std::regex(R"(per channel[^|]*\| adversarial, for samples (\d+))")));
  const std::int64_t sample = std::stoll(first[1]);

  // The figure is RGB, and its first row's first tile is that sample drawn twice as large.
  const at::Tensor figure =
      blindspot::host::read_png(tmp.path() / "colour_figures" / "made-for-convnet-adversarial.png");
  REQUIRE(figure.dim() == 3);
  REQUIRE(figure.size(0) == 3);
  constexpr std::int64_t kTile = 56, kGap = 2;
  const std::int64_t left = figure.size(2) - 3 * kTile - 2 * kGap;
  const at::Tensor drawn = figure.narrow(1, 0, kTile).narrow(2, left, kTile).to(at::kInt);
  const at::Tensor expected =
      (original[sample] * 255).round().repeat_interleave(2, 1).repeat_interleave(2, 2).to(at::kInt);
  CHECK(at::equal(drawn, expected));
  // Tinted images: in colour, the channels differ.
  CHECK(drawn[0].ne(drawn[1]).any().item<bool>());
}
