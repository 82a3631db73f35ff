// Line charts and histograms (report/plot.hpp): PNG size, bar heights, skipped values, ticks.
#include <doctest/doctest.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "report/plot.hpp"
#include "report/plot_axis.hpp"
#include "report/png.hpp"
#include "support/process.hpp"

using blindspot::host::Chart;
using blindspot::host::charts_png;
using blindspot::host::histogram_png;
using blindspot::host::kPanelHeight;
using blindspot::host::kPanelWidth;
using blindspot::host::nice_ticks;
using blindspot::host::Series;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A decoded PNG as 8-bit RGB.
struct Rgb {
  int width = 0, height = 0;
  std::vector<unsigned char> pixels;

  const unsigned char* at(int x, int y) const { return &pixels[3 * (y * width + x)]; }
  /// The first series colour (matplotlib's blue, 31 119 180); text, axes and grid are grey.
  bool blue(int x, int y) const { return at(x, y)[2] - at(x, y)[0] > 100; }
  /// The second series colour (orange, 255 127 14).
  bool orange(int x, int y) const { return at(x, y)[0] - at(x, y)[2] > 150; }
};

Rgb decode(const std::vector<unsigned char>& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&image, png.data(), png.size()));
  image.format = PNG_FORMAT_RGB;
  Rgb out{static_cast<int>(image.width), static_cast<int>(image.height),
          std::vector<unsigned char>(PNG_IMAGE_SIZE(image))};
  REQUIRE(png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr));
  return out;
}

/// How many pixels satisfy a condition, and their mean position.
struct Pixels {
  int n = 0;
  double x = 0, y = 0;
};
template <typename Is>
Pixels pixels_where(const Rgb& image, Is is) {
  Pixels p;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      if (is(x, y)) ++p.n, p.x += x, p.y += y;
  if (p.n) p.x /= p.n, p.y /= p.n;
  return p;
}

/// The plot area's frame: the columns and rows of its dark box lines (mean of left and right,
/// of top and bottom), found as the long dark lines of the first panel.
struct Centre {
  double x = 0, y = 0;
};
Centre frame_centre(const Rgb& image) {
  const auto dark = [&](int x, int y) { return image.at(x, y)[0] < 80 && image.at(x, y)[2] < 80; };
  std::vector<int> columns, rows;
  for (int x = 0; x < kPanelWidth; ++x) {
    int n = 0;
    for (int y = 0; y < image.height; ++y) n += dark(x, y);
    if (n > image.height / 2) columns.push_back(x);
  }
  for (int y = 0; y < image.height; ++y) {
    int n = 0;
    for (int x = 0; x < kPanelWidth; ++x) n += dark(x, y);
    if (n > kPanelWidth / 2) rows.push_back(y);
  }
  REQUIRE(columns.size() == 2);
  REQUIRE(rows.size() == 2);
  return {(columns[0] + columns[1]) / 2.0, (rows[0] + rows[1]) / 2.0};
}

/// The bars of a histogram from left to right: for each run of columns holding blue, its width
/// and the heights (blue pixels per column) it has.
struct Bar {
  int width = 0, low = 1 << 30, high = 0;
};
std::vector<Bar> bars(const Rgb& image) {
  std::vector<Bar> out;
  bool inside = false;
  for (int x = 0; x < image.width; ++x) {
    int height = 0;
    for (int y = 0; y < image.height; ++y) height += image.blue(x, y);
    if (height == 0) {
      inside = false;
      continue;
    }
    if (!inside) out.emplace_back();
    inside = true;
    ++out.back().width;
    out.back().low = std::min(out.back().low, height);
    out.back().high = std::max(out.back().high, height);
  }
  return out;
}

Series line(std::string name, std::vector<double> x, std::vector<double> y) {
  return Series{std::move(name), std::move(x), std::move(y)};
}

}  // namespace

TEST_CASE("nice ticks step by 1, 2 or 5 x 10^k and stay inside the range") {
  // (1 - 0) / 4 = 0.25 is nearer 0.2 than 0.5 in ratio (1.25 against 2).
  CHECK(nice_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
  CHECK_FALSE(std::signbit(nice_ticks(0, 1, 5)[0]));  // 0, not -0
  // (0.087 - 0.013) / 3 = 0.0247 -> 0.02; the multiples of 0.02 inside are 0.02 ... 0.08.
  CHECK(nice_ticks(0.013, 0.087, 4) == std::vector<double>{0.02, 0.04, 0.06, 0.08});
  CHECK(nice_ticks(-1, 1, 5) == std::vector<double>{-1, -0.5, 0, 0.5, 1});  // 0.5 exactly
  CHECK(nice_ticks(0, 100, 3) == std::vector<double>{0, 50, 100});
  CHECK(nice_ticks(0, 7, 3) == std::vector<double>{0, 5});  // 3.5 -> 5 (3.5/2 > 5/3.5)
  CHECK(nice_ticks(2.1, 2.9, 5) == std::vector<double>{2.2, 2.4, 2.6, 2.8});  // 0.2 -> 0.2
  CHECK(nice_ticks(0, 1e-5, 3) == std::vector<double>{0, 5e-6, 1e-5});
  CHECK(nice_ticks(1, 0, 5) == nice_ticks(0, 1, 5));     // reversed bounds
  CHECK(nice_ticks(3, 3, 5) == std::vector<double>{3});  // lo == hi: no division by zero
  CHECK(nice_ticks(kNaN, 1, 5).empty());
  CHECK(nice_ticks(0, kInf, 5).empty());
  CHECK(nice_ticks(-1e308, 1e308, 5).empty());  // hi - lo would overflow
}

TEST_CASE("charts are one 480x320 panel each, side by side, one colour per series") {
  const Series rising = line("train", {0, 1, 2, 3}, {0, 1, 2, 3});
  const Series falling = line("test", {0, 1, 2, 3}, {3, 2, 1, 0});
  const Rgb one = decode(charts_png({Chart{"loss", "epoch", "loss", {rising}}}));
  CHECK(one.width == kPanelWidth);
  CHECK(one.height == kPanelHeight);
  CHECK(pixels_where(one, [&](int x, int y) { return one.orange(x, y); }).n == 0);
  // A rising line: its blue pixels in the right half are higher (smaller y) than in the left.
  const Pixels left =
      pixels_where(one, [&](int x, int y) { return x < kPanelWidth / 2 && one.blue(x, y); });
  const Pixels right =
      pixels_where(one, [&](int x, int y) { return x >= kPanelWidth / 2 && one.blue(x, y); });
  CHECK(left.n > 50);
  CHECK(right.n > 50);
  CHECK(right.y < left.y - 50);

  const Chart both{"loss", "epoch", "loss", {rising, falling}};
  const Chart error{"error", "epoch", "error", {line("train", {0, 1}, {0.5, 0.1})}};
  const Rgb two = decode(charts_png({both, error}));
  CHECK(two.width == 2 * kPanelWidth);
  CHECK(two.height == kPanelHeight);
  // The second series is orange, and only in the first panel (the legend included).
  CHECK(pixels_where(two, [&](int x, int y) { return x < kPanelWidth && two.orange(x, y); }).n >
        100);
  CHECK(pixels_where(two, [&](int x, int y) { return x >= kPanelWidth && two.orange(x, y); }).n ==
        0);
  // The second panel has its own blue line.
  CHECK(pixels_where(two, [&](int x, int y) { return x >= kPanelWidth && two.blue(x, y); }).n > 50);

  if (const char* dir = std::getenv("BLINDSPOT_PLOT_SAMPLES")) {  // to look at them
    blindspot::host::write_file(std::filesystem::path(dir) / "chart.png",
                                charts_png({both, error}));
    blindspot::host::write_file(std::filesystem::path(dir) / "histogram.png",
                                histogram_png("distortion", "mean squared distortion",
                                              {0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.35, 0.4, 0.5}, 8));
  }
}

TEST_CASE("histogram bars have the heights of their bin counts; the max falls in the last bin") {
  // 4 bins of [0, 4]: [0,1) holds 0; [1,2) 1.0 1.5 1.5 1.9; [2,3) 2.0 2.5; [3,4] 3.0 3.5 4.0.
  const std::vector<double> values = {0, 1.0, 1.5, 1.5, 1.9, 2.0, 2.5, 3.0, 3.5, 4.0};
  const std::vector<int> counts = {1, 4, 2, 3};
  const std::vector<unsigned char> png = histogram_png("h", "value", values, 4);
  const Rgb image = decode(png);
  CHECK(image.width == kPanelWidth);
  CHECK(image.height == kPanelHeight);
  const std::vector<Bar> found = bars(image);
  REQUIRE(found.size() == counts.size());
  const double per_count = found[1].high / 4.0;
  CHECK(per_count > 30);  // the tallest bar fills most of the plot height
  for (std::size_t i = 0; i < counts.size(); ++i) {
    INFO("bin " << i);
    CHECK(found[i].low == found[i].high);  // flat-topped
    CHECK(std::abs(found[i].high - counts[i] * per_count) <= 1.0);
    CHECK(std::abs(found[i].width - found[0].width) <= 1);  // equal bins
  }
  // NaN, infinite and absurd values are skipped: the same picture, byte for byte.
  std::vector<double> with_junk = values;
  with_junk.insert(with_junk.begin() + 3, {kNaN, kInf, -kInf, 1e308, -1e301});
  CHECK(histogram_png("h", "value", with_junk, 4) == png);
}

TEST_CASE("equal values, single points, NaN and empty input draw without dividing by zero") {
  // All values equal: one bar, in the middle bin of [v - 0.5, v + 0.5], so centred in the frame.
  const Rgb equal = decode(histogram_png("h", "value", {2.5, 2.5, 2.5}, 5));
  REQUIRE(bars(equal).size() == 1);
  const Pixels bar = pixels_where(equal, [&](int x, int y) { return equal.blue(x, y); });
  CHECK(std::abs(bar.x - frame_centre(equal).x) <= 1.5);
  // No usable value: an empty frame of the panel's size; bins outside [1, 100000] are errors.
  const Rgb empty = decode(histogram_png("h", "value", {kNaN, kInf}));
  CHECK(empty.width == kPanelWidth);
  CHECK(bars(empty).empty());
  CHECK(bars(decode(histogram_png("h", "value", {}))).empty());
  CHECK_THROWS_AS(histogram_png("h", "value", {1, 2}, 0), blindspot::Error);
  CHECK_THROWS_AS(histogram_png("h", "value", {1, 2}, 1 << 30), blindspot::Error);

  // A flat line is drawn across the middle of the plot area (the y range is centred on it).
  const Rgb flat = decode(charts_png({Chart{"flat", "x", "y", {line("a", {0, 1, 2}, {2, 2, 2})}}}));
  const Pixels flat_line = pixels_where(flat, [&](int x, int y) { return flat.blue(x, y); });
  CHECK(flat_line.n > 300);
  CHECK(std::abs(flat_line.y - frame_centre(flat).y) <= 1.5);
  // A single point is a dot in the middle of the frame.
  const Rgb dot = decode(charts_png({Chart{"dot", "x", "y", {line("a", {3}, {0.5})}}}));
  const Pixels dot_pixels = pixels_where(dot, [&](int x, int y) { return dot.blue(x, y); });
  CHECK(dot_pixels.n > 10);
  CHECK(dot_pixels.n < 100);
  CHECK(std::abs(dot_pixels.x - frame_centre(dot).x) <= 1.5);
  CHECK(std::abs(dot_pixels.y - frame_centre(dot).y) <= 1.5);
  // NaN and infinite points are skipped (and do not stretch the axes): the same picture.
  const auto chart = [](Series s) { return charts_png({Chart{"c", "x", "y", {std::move(s)}}}); };
  CHECK(chart(line("a", {0, 1, 2, 3, kInf}, {1, 2, 3, kNaN, 5})) ==
        chart(line("a", {0, 1, 2}, {1, 2, 3})));
  // On a log axis, values <= 0 are skipped too.
  const auto log_chart = [](Series s) {
    return charts_png({Chart{"c", "x", "y", {std::move(s)}, true}});
  };
  CHECK(log_chart(line("a", {0, 1, 2, 3, 4}, {1, 10, 100, 0, -1})) ==
        log_chart(line("a", {0, 1, 2}, {1, 10, 100})));
  // No series, or no drawable point: an empty labelled frame.
  CHECK(decode(charts_png({Chart{"none", "x", "y", {}}})).width == kPanelWidth);
  CHECK(decode(charts_png({Chart{"nan", "x", "y", {line("a", {kNaN}, {1})}}})).width ==
        kPanelWidth);
  CHECK_THROWS_AS(charts_png({}), blindspot::Error);
  CHECK_THROWS_AS(charts_png({Chart{"c", "x", "y", {line("a", {0, 1}, {1})}}}), blindspot::Error);
}

TEST_CASE("a chart written with write_file reads back as a PNG of the panel's size") {
  blindspot::test_support::TempDir tmp("plot");
  blindspot::host::write_file(tmp.path() / "c.png",
                              charts_png({Chart{"c", "x", "y", {line("a", {0, 1}, {1, 2})}}}));
  const at::Tensor back = blindspot::host::read_png(tmp.path() / "c.png");  // RGB
  CHECK(back.sizes().equals({3, kPanelHeight, kPanelWidth}));
  CHECK_THROWS_AS(blindspot::host::write_file(tmp.path() / "missing" / "c.png", {1, 2}),
                  blindspot::Error);
}
