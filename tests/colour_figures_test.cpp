// Colour figures: RGB PNGs written and read back, colour tile grids, and the triplets, saliency
// and top-k tiles of 3-channel images, seen through the kinds' figures() as the report sees them.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/product_type.hpp"
#include "blindspot/products.hpp"
#include "blindspot/report.hpp"
#include "report/png.hpp"
#include "report/tile_grid.hpp"
#include "support/process.hpp"

using blindspot::TileRow;
using blindspot::host::tile_grid;
using blindspot::test_support::TempDir;

namespace {

/// A drawing that keeps the tile rows it is given and draws nothing.
class RowsDrawing final : public blindspot::Drawing {
 public:
  std::vector<TileRow> rows;
  std::vector<unsigned char> tiles(const std::vector<TileRow>& given) override {
    rows = given;
    return {};
  }
  std::vector<unsigned char> charts(const std::vector<blindspot::Chart>&) override { return {}; }
  std::vector<unsigned char> histogram(const std::string&, const std::string&,
                                       const std::vector<double>&) override {
    return {};
  }
};

/// Three 2x2 channels as one float [3, 2, 2] image.
at::Tensor rgb(std::initializer_list<float> red, std::initializer_list<float> green,
               std::initializer_list<float> blue) {
  return at::stack({at::tensor(red).view({2, 2}), at::tensor(green).view({2, 2}),
                    at::tensor(blue).view({2, 2})});
}

/// True when the three channels of `image` [3, H, W] are equal everywhere.
bool grey_in_colour(const at::Tensor& image) {
  return at::equal(image[0], image[1]) && at::equal(image[1], image[2]);
}

}  // namespace

TEST_CASE("a colour PNG is read back as [3, H, W] with each channel's values, a grey one as 2-D") {
  TempDir tmp("colour-png");
  const at::Tensor image = at::tensor({0.0f, 0.2f, 0.4f, 0.6f, 0.8f, 1.0f,   // red
                                       1.0f, 0.8f, 0.6f, 0.4f, 0.2f, 0.0f,   // green
                                       0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f})  // blue
                               .view({3, 2, 3});
  blindspot::host::write_png(tmp.path() / "rgb.png", image);
  const at::Tensor back = blindspot::host::read_png(tmp.path() / "rgb.png");
  // round(v * 255): 0.2 -> 51, 0.4 -> 102, 0.6 -> 153, 0.8 -> 204.
  const at::Tensor expected = at::tensor({0, 51, 102, 153, 204, 255,  //
                                          255, 204, 153, 102, 51, 0,  //
                                          51, 51, 51, 51, 51, 51},
                                         at::kByte)
                                  .view({3, 2, 3});
  REQUIRE(back.sizes().equals({3, 2, 3}));
  CHECK(at::equal(back, expected));

  blindspot::host::write_png(tmp.path() / "grey.png", image[0]);
  const at::Tensor grey = blindspot::host::read_png(tmp.path() / "grey.png");
  REQUIRE(grey.sizes().equals({2, 3}));
  CHECK(at::equal(grey, expected[0]));

  CHECK_THROWS_AS(blindspot::host::encode_png(at::zeros({2, 2, 3})), blindspot::Error);
  CHECK_THROWS_AS(blindspot::host::encode_png(at::zeros({6})), blindspot::Error);
}

TEST_CASE("a tile grid of greyscale tiles only stays 2-D, each pixel drawn zoom times") {
  const at::Tensor grey = at::tensor({0.0f, 0.25f, 0.5f, 1.0f}).view({2, 2});
  // Two 4x4 tiles and a 2-pixel white gap between them.
  const at::Tensor expected =
      at::tensor({0.0f, 0.0f, 0.25f, 0.25f, 1.0f, 1.0f, 0.0f, 0.0f, 0.25f, 0.25f,  //
                  0.0f, 0.0f, 0.25f, 0.25f, 1.0f, 1.0f, 0.0f, 0.0f, 0.25f, 0.25f,  //
                  0.5f, 0.5f, 1.0f,  1.0f,  1.0f, 1.0f, 0.5f, 0.5f, 1.0f,  1.0f,   //
                  0.5f, 0.5f, 1.0f,  1.0f,  1.0f, 1.0f, 0.5f, 0.5f, 1.0f,  1.0f})
          .view({4, 10});
  const at::Tensor grid = tile_grid({{{grey, grey}}}, 2);
  REQUIRE(grid.sizes().equals({4, 10}));
  CHECK(at::equal(grid, expected));
}

TEST_CASE("a tile grid with a colour tile is [3, H, W], its grey tiles and rules R == G == B") {
  const at::Tensor colour =
      rgb({0.1f, 0.2f, 0.3f, 0.4f}, {0.5f, 0.6f, 0.7f, 0.8f}, {0.9f, 1.0f, 0.0f, 0.05f});
  const at::Tensor grey = at::tensor({0.0f, 0.25f, 0.5f, 1.0f}).view({2, 2});
  // Row 1: colour | grey; row 2, a new group: grey. Rows of 4 pixels, 10 between them with a
  // rule in pixel rows 8 and 9; columns 4 and 5 are the gap.
  const at::Tensor grid = tile_grid({{{colour, grey}}, {{grey}, {}, true}}, 2);
  REQUIRE(grid.sizes().equals({3, 18, 10}));
  // Two lines a channel (red, green, blue), each line two pixel rows of 4.
  const at::Tensor expected_colour =
      at::tensor({0.1f, 0.1f, 0.2f,  0.2f,  0.1f, 0.1f, 0.2f,  0.2f,    //
                  0.3f, 0.3f, 0.4f,  0.4f,  0.3f, 0.3f, 0.4f,  0.4f,    //
                  0.5f, 0.5f, 0.6f,  0.6f,  0.5f, 0.5f, 0.6f,  0.6f,    //
                  0.7f, 0.7f, 0.8f,  0.8f,  0.7f, 0.7f, 0.8f,  0.8f,    //
                  0.9f, 0.9f, 1.0f,  1.0f,  0.9f, 0.9f, 1.0f,  1.0f,    //
                  0.0f, 0.0f, 0.05f, 0.05f, 0.0f, 0.0f, 0.05f, 0.05f})  //
          .view({3, 4, 4});
  CHECK(at::equal(grid.narrow(1, 0, 4).narrow(2, 0, 4), expected_colour));
  const at::Tensor expected_grey =
      at::tensor({0.0f, 0.0f, 0.25f, 0.25f, 0.0f, 0.0f, 0.25f, 0.25f,  //
                  0.5f, 0.5f, 1.0f, 1.0f, 0.5f, 0.5f, 1.0f, 1.0f})
          .view({4, 4});
  for (const at::Tensor& tile : {grid.narrow(1, 0, 4).narrow(2, 6, 4),    // row 1, column 2
                                 grid.narrow(1, 14, 4).narrow(2, 0, 4)})  // row 2, column 1
    for (std::int64_t channel = 0; channel < 3; ++channel)
      CHECK(at::equal(tile[channel], expected_grey));
  CHECK(grid.narrow(1, 0, 4).narrow(2, 4, 2).eq(1).all().item<bool>());   // the gap
  CHECK(grid.narrow(1, 4, 4).eq(1).all().item<bool>());                   // above the rule
  CHECK(grid.narrow(1, 8, 2).eq(0).all().item<bool>());                   // the rule
  CHECK(grid.narrow(1, 10, 4).eq(1).all().item<bool>());                  // below it
  CHECK(grid.narrow(1, 14, 4).narrow(2, 4, 6).eq(1).all().item<bool>());  // no second tile
  // Labels are grey too: "ab" beside a tile zoomed 16 times (32 pixels, room for a line).
  const at::Tensor labelled = tile_grid({{{colour}, {"ab"}}}, 16);
  REQUIRE(labelled.sizes().equals({3, 32, 18 + 32}));
  const at::Tensor label = labelled.narrow(2, 0, 18);
  CHECK(label.lt(0.5).any().item<bool>());
  CHECK(grey_in_colour(label));
}

TEST_CASE("Figure 5 of colour images magnifies the difference channel by channel") {
  // Two samples of 3x2x2; only red changes: +0.1 at pixel (1, 0) of sample 0, -0.05 at pixel
  // (0, 1) of sample 1.
  blindspot::AdversarialSet set;
  set.original = at::stack(
      {rgb({0.2f, 0.3f, 0.4f, 0.5f}, {0.6f, 0.7f, 0.8f, 0.9f}, {0.1f, 0.2f, 0.3f, 0.4f}),
       rgb({0.5f, 0.5f, 0.5f, 0.5f}, {0.1f, 0.2f, 0.3f, 0.4f}, {0.9f, 0.8f, 0.7f, 0.6f})});
  set.adversarial = set.original.clone();
  set.adversarial[0][0][1][0] += 0.1f;
  set.adversarial[1][0][0][1] -= 0.05f;
  set.labels = at::tensor({1, 2}, at::kLong);
  set.indices = at::arange(2, at::kLong);
  set.target = at::full({2}, -1, at::kLong);
  set.original_prediction = set.labels.clone();
  set.prediction = at::tensor({3, 4}, at::kLong);
  set.success = at::ones({2}, at::kByte);
  set.distortion = blindspot::AdversarialSet::rms_distortion(set.original, set.adversarial);
  RowsDrawing drawing;
  const std::vector<blindspot::Figure> figures = blindspot::AdversarialSet::product_kind()->figures(
      {"attack", "adversarial", {0, 1}}, set.save(), drawing);
  REQUIRE(!figures.empty());
  // 24 differences, 22 of them 0: the 99th percentile (nearest rank: the 24th) is 0.1, so the
  // difference is magnified 0.5 / 0.1 = 5 times: red 0.5 + 5 * 0.1 = 1 and 0.5 - 5 * 0.05 = 0.25.
  CHECK(figures.front().caption.find("difference magnified 5x around mid-grey per channel "
                                     "(black -0.1, white +0.1; 99% of its pixels within) | "
                                     "adversarial, for samples 0, 1 (2 of the 2 successes).") !=
        std::string::npos);
  REQUIRE(drawing.rows.size() == 2);
  for (std::int64_t i : {0, 1}) {
    const std::vector<at::Tensor>& tiles = drawing.rows[static_cast<std::size_t>(i)].tiles;
    REQUIRE(tiles.size() == 3);
    CHECK(at::equal(tiles[0], set.original[i]));
    CHECK(at::equal(tiles[2], set.adversarial[i]));
    REQUIRE(tiles[1].sizes().equals({3, 2, 2}));
  }
  at::Tensor first = drawing.rows[0].tiles[1].clone(), second = drawing.rows[1].tiles[1].clone();
  CHECK(first[0][1][0].item<float>() == doctest::Approx(1.0));
  CHECK(second[0][0][1].item<float>() == doctest::Approx(0.25));
  first[0][1][0] = 0.5f;
  second[0][0][1] = 0.5f;
  CHECK(first.eq(0.5f).all().item<bool>());  // every other value exactly mid-grey
  CHECK(second.eq(0.5f).all().item<bool>());

  // The host draws the rows as an RGB PNG.
  TempDir tmp("colour-triplets");
  blindspot::host::write_png(tmp.path() / "t.png", tile_grid(drawing.rows));
  const at::Tensor png = blindspot::host::read_png(tmp.path() / "t.png");
  CHECK(png.dim() == 3);
  CHECK(png.size(0) == 3);
}

TEST_CASE("a colour saliency figure draws the image in colour, the largest |saliency| in grey") {
  blindspot::Arrays maps;
  maps.title = "Saliency";
  const at::Tensor image =
      rgb({0.1f, 0.2f, 0.3f, 0.4f}, {0.5f, 0.6f, 0.7f, 0.8f}, {0.9f, 1.0f, 0.0f, 0.05f});
  maps.values["images"] = image.unsqueeze(0);
  maps.values["saliency"] = rgb({0.125f, -0.5f, 0.0f, 0.25f}, {-0.375f, 0.125f, 0.0625f, -0.25f},
                                {0.25f, 0.25f, -0.125f, 2.0f})
                                .unsqueeze(0);
  RowsDrawing drawing;
  const std::vector<blindspot::Figure> figures = blindspot::Arrays::product_kind()->figures(
      {"explain", "saliency", {0}}, maps.save(), drawing);
  REQUIRE(figures.size() == 1);
  REQUIRE(drawing.rows.size() == 1);
  const std::vector<at::Tensor>& tiles = drawing.rows.front().tiles;
  REQUIRE(tiles.size() == 2);
  CHECK(at::equal(tiles[0], image));
  // max over channels of |s|: 0.375, 0.5, 0.125, 2; divided by the largest, 2.
  CHECK(at::equal(tiles[1], at::tensor({0.1875f, 0.25f, 0.0625f, 1.0f}).view({2, 2})));
}

TEST_CASE("a top-k grid of colour images has colour tiles") {
  blindspot::Arrays top;
  top.title = "Top 2 images along 1 unit and 1 random direction";
  // images [2K, top, C, H, W] with K = 1: the unit's row, then the random direction's.
  top.values["images"] = at::rand({2, 2, 3, 2, 2});
  RowsDrawing drawing;
  blindspot::Arrays::product_kind()->figures({"units", "top", {}}, top.save(), drawing);
  REQUIRE(drawing.rows.size() == 2);
  for (std::int64_t d : {0, 1})
    for (std::int64_t j : {0, 1})
      CHECK(at::equal(drawing.rows[static_cast<std::size_t>(d)].tiles[static_cast<std::size_t>(j)],
                      top.values["images"][d][j]));
}
