// Line charts and histograms as PNG bytes, drawn with the GD library and its bitmap fonts.
#include "report/plot.hpp"

#include <gd.h>
#include <gdfontmb.h>
#include <gdfonts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <utility>

#include "blindspot/error.hpp"
#include "report/plot_axis.hpp"

namespace blindspot::host {

namespace {

struct ImageDeleter {
  void operator()(gdImagePtr image) const { gdImageDestroy(image); }
};
using Image = std::unique_ptr<gdImage, ImageDeleter>;

struct GdDeleter {
  void operator()(void* bytes) const { gdFree(bytes); }
};

// Matplotlib's default colour cycle ("tab10").
constexpr std::array<int, 10> kPalette = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                          0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
constexpr int kWhite = 0xffffff, kInk = 0x262626, kGrid = 0xe6e6e6, kMuted = 0x8c8c8c;
// Panel margins around the plot area; the left one grows with the widest y tick label.
constexpr int kTop = 30, kRight = 18, kBottom = 46, kTick = 4;

int colour(int rgb) {
  return gdTrueColor((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
}

int text_width(gdFontPtr font, const std::string& text) {
  return font->w * static_cast<int>(text.size());
}

/// `text` shortened with "..." to at most `width` pixels; what the ASCII bitmap fonts lack (a
/// control character, a UTF-8 sequence) becomes one '?'.
std::string fit(gdFontPtr font, const std::string& utf8, int width) {
  std::string text;
  for (char c : utf8) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 && byte < 0xc0) continue;  // UTF-8 continuation byte
    text += byte >= 32 && byte < 127 ? c : '?';
  }
  const auto room = static_cast<std::size_t>(std::max(width, 0) / font->w);
  if (text.size() > room) text = room > 3 ? text.substr(0, room - 3) + "..." : "";
  return text;
}

void draw_text(gdImagePtr image, gdFontPtr font, int x, int y, std::string text, int rgb,
               bool up = false) {
  auto* bytes = reinterpret_cast<unsigned char*>(text.data());
  if (up)
    gdImageStringUp(image, font, x, y, bytes, colour(rgb));
  else
    gdImageString(image, font, x, y, bytes, colour(rgb));
}

/// A position rounded to a pixel; far outside the image when it is out of int range or NaN.
int pixel(double position) {
  if (!(position > -1e5)) return -100000;
  return static_cast<int>(std::lround(std::min(position, 1e5)));
}

/// The plot area of one panel in image pixels, and its axes.
struct Frame {
  int left, top, right, bottom;
  Axis x, y;

  int px(double value) const { return pixel(left + x.fraction(value) * (right - left)); }
  int py(double value) const { return pixel(bottom - y.fraction(value) * (bottom - top)); }
};

/// The panel starting at pixel column `origin` over data in [x_lo, x_hi] x [y_lo, y_hi], with
/// its plot area sized to the y tick labels. A histogram's y axis starts at 0 with whole ticks;
/// `integer_x` keeps whole-number x ticks.
Frame frame_at(int origin, double x_lo, double x_hi, double x_pad, double y_lo, double y_hi,
               bool log_y, bool histogram, bool integer_x) {
  const bool from_zero = histogram, integer = histogram;
  // Y ticks first (their labels set the left margin), with the plot height known.
  const int height = kPanelHeight - kTop - kBottom;
  Axis y_axis = make_axis(y_lo, y_hi, log_y, from_zero ? 0 : 0.05, from_zero, 6, 0, integer,
                          gdFontGetSmall()->w);
  for (int count = 6; count > 2 && y_axis.ticks.size() > 2; --count) {
    const double gap =
        std::abs(y_axis.fraction(y_axis.ticks[1]) - y_axis.fraction(y_axis.ticks[0]));
    if (gap * height >= 24) break;
    y_axis = make_axis(y_lo, y_hi, log_y, from_zero ? 0 : 0.05, from_zero, count - 1, 0, integer,
                       gdFontGetSmall()->w);
  }
  int widest = 0;
  for (const auto& label : y_axis.labels)
    widest = std::max(widest, text_width(gdFontGetSmall(), label));
  const int left = std::max(56, 8 + gdFontGetSmall()->h + 8 + widest + kTick + 4);
  const int width = kPanelWidth - left - kRight;
  return Frame{origin + left,
               kTop,
               origin + kPanelWidth - kRight,
               kPanelHeight - kBottom,
               make_axis(x_lo, x_hi, false, x_pad, false, 7, width, integer_x, gdFontGetSmall()->w),
               std::move(y_axis)};
}

/// Grid lines behind the data.
void draw_grid(gdImagePtr image, const Frame& f) {
  for (double t : f.x.ticks) {
    const int x = f.px(t);
    gdImageLine(image, x, f.top, x, f.bottom, colour(kGrid));
  }
  for (double t : f.y.ticks) {
    const int y = f.py(t);
    gdImageLine(image, f.left, y, f.right, y, colour(kGrid));
  }
}

/// The box, ticks, tick labels, axis labels and title over the data.
void draw_axes(gdImagePtr image, const Frame& f, int origin, const std::string& title,
               const std::string& x_label, const std::string& y_label) {
  const gdFontPtr small = gdFontGetSmall(), bold = gdFontGetMediumBold();
  gdImageRectangle(image, f.left, f.top, f.right, f.bottom, colour(kInk));
  for (std::size_t i = 0; i < f.x.ticks.size(); ++i) {
    const int x = f.px(f.x.ticks[i]);
    gdImageLine(image, x, f.bottom, x, f.bottom + kTick, colour(kInk));
    const std::string& label = f.x.labels[i];
    const int w = text_width(small, label);
    const int at = std::clamp(x - w / 2, origin + 2, origin + kPanelWidth - 2 - w);
    draw_text(image, small, at, f.bottom + kTick + 2, label, kInk);
  }
  for (std::size_t i = 0; i < f.y.ticks.size(); ++i) {
    const int y = f.py(f.y.ticks[i]);
    gdImageLine(image, f.left - kTick, y, f.left, y, colour(kInk));
    const std::string& label = f.y.labels[i];
    draw_text(image, small, f.left - kTick - 3 - text_width(small, label), y - small->h / 2, label,
              kInk);
  }
  const std::string x_text = fit(small, x_label, f.right - f.left);
  draw_text(image, small, (f.left + f.right - text_width(small, x_text)) / 2,
            kPanelHeight - 8 - small->h, x_text, kInk);
  const std::string y_text = fit(small, y_label, f.bottom - f.top);
  draw_text(image, small, origin + 8, (f.top + f.bottom + text_width(small, y_text)) / 2, y_text,
            kInk, true);
  const std::string t = fit(bold, title, kPanelWidth - 8);
  const int centre = std::clamp((f.left + f.right) / 2, origin + 4 + text_width(bold, t) / 2,
                                origin + kPanelWidth - 4 - text_width(bold, t) / 2);
  draw_text(image, bold, centre - text_width(bold, t) / 2, (kTop - bold->h) / 2, t, kInk);
}

void draw_no_data(gdImagePtr image, const Frame& f) {
  const gdFontPtr small = gdFontGetSmall();
  const std::string text = "no data";
  draw_text(image, small, (f.left + f.right - text_width(small, text)) / 2,
            (f.top + f.bottom - small->h) / 2, text, kMuted);
}

bool drawable(double x, double y, bool log_y) {
  return usable(x) && usable(y) && (!log_y || y > 0);
}

/// The series' runs of drawable points, in pixels.
std::vector<std::vector<gdPoint>> runs_of(const Series& s, const Frame& f, bool log_y) {
  std::vector<std::vector<gdPoint>> runs(1);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (!drawable(s.x[i], s.y[i], log_y)) {
      if (!runs.back().empty()) runs.emplace_back();
      continue;
    }
    runs.back().push_back(gdPoint{f.px(s.x[i]), f.py(s.y[i])});
  }
  if (runs.back().empty()) runs.pop_back();
  return runs;
}

void draw_series(gdImagePtr image, const Frame& f, const Series& s, bool log_y, int rgb) {
  gdImageSetClip(image, f.left + 1, f.top + 1, f.right - 1, f.bottom - 1);
  gdImageSetThickness(image, 2);
  for (const auto& run : runs_of(s, f, log_y)) {
    if (run.size() == 1) gdImageFilledEllipse(image, run[0].x, run[0].y, 7, 7, colour(rgb));
    for (std::size_t i = 1; i < run.size(); ++i)
      gdImageLine(image, run[i - 1].x, run[i - 1].y, run[i].x, run[i].y, colour(rgb));
  }
  gdImageSetThickness(image, 1);
  gdImageSetClip(image, 0, 0, gdImageSX(image) - 1, gdImageSY(image) - 1);
}

/// A legend box where it covers the fewest points of the lines: in a corner, else at the middle
/// of a side or the centre (matplotlib's "best" order).
void draw_legend(gdImagePtr image, const Frame& f, const Chart& chart) {
  const gdFontPtr small = gdFontGetSmall();
  const int row = small->h + 2, sample = 20, inset = 6;
  // As many rows as fit in the plot area; the last says how many series are left out.
  const auto fitting = static_cast<std::size_t>((f.bottom - f.top - 4 * inset) / row);
  const std::size_t shown = chart.series.size() <= fitting ? chart.series.size() : fitting - 1;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < shown; ++i)
    names.push_back(fit(small, chart.series[i].name, (f.right - f.left) / 2));
  if (shown < chart.series.size())
    names.push_back("(" + std::to_string(chart.series.size() - shown) + " more)");
  int widest = 0;
  for (const auto& name : names) widest = std::max(widest, text_width(small, name));
  const int w = inset + sample + 6 + widest + inset;
  const int h = static_cast<int>(names.size()) * row + 2 * inset - 2;
  const int x_left = f.left + inset, x_right = f.right - inset - w, y_top = f.top + inset,
            y_bottom = f.bottom - inset - h, x_mid = (f.left + f.right - w) / 2,
            y_mid = (f.top + f.bottom - h) / 2;
  const std::array<std::pair<int, int>, 9> corners = {{{x_right, y_top},
                                                       {x_left, y_top},
                                                       {x_left, y_bottom},
                                                       {x_right, y_bottom},
                                                       {x_right, y_mid},
                                                       {x_left, y_mid},
                                                       {x_mid, y_bottom},
                                                       {x_mid, y_top},
                                                       {x_mid, y_mid}}};
  std::array<int, corners.size()> covered{};
  for (const auto& s : chart.series)
    for (const auto& run : runs_of(s, f, chart.log_y))
      for (std::size_t i = 0; i < run.size(); ++i)
        for (int k = 1; k <= 8; ++k) {  // points along each segment
          const gdPoint& b = run[i];
          const gdPoint& a = i > 0 ? run[i - 1] : b;
          const double x = a.x + (b.x - a.x) * k / 8.0, y = a.y + (b.y - a.y) * k / 8.0;
          for (std::size_t c = 0; c < corners.size(); ++c)
            covered[c] += x >= corners[c].first - 4 && x <= corners[c].first + w + 4 &&
                          y >= corners[c].second - 4 && y <= corners[c].second + h + 4;
        }
  const auto best = std::min_element(covered.begin(), covered.end()) - covered.begin();
  const auto [x, y] = corners[best];
  gdImageFilledRectangle(image, x, y, x + w, y + h, colour(kWhite));
  gdImageRectangle(image, x, y, x + w, y + h, colour(0xcccccc));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int top = y + inset + static_cast<int>(i) * row, mid = top + small->h / 2;
    const int rgb = kPalette[i % kPalette.size()];
    if (i < shown)
      gdImageFilledRectangle(image, x + inset, mid - 1, x + inset + sample, mid, colour(rgb));
    draw_text(image, small, x + inset + sample + 6, top, names[i], kInk);
  }
}

/// Draws one chart into the panel starting at pixel column `origin`.
void draw_chart(gdImagePtr image, int origin, const Chart& chart) {
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const auto& s : chart.series) {
    if (s.x.size() != s.y.size())
      throw Error(s.name.empty() ? chart.title : s.name, "a series needs as many x as y values (" +
                                                             std::to_string(s.x.size()) + " and " +
                                                             std::to_string(s.y.size()) + ")");
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (drawable(s.x[i], s.y[i], chart.log_y)) {
        x_lo = std::min(x_lo, s.x[i]);
        x_hi = std::max(x_hi, s.x[i]);
        y_lo = std::min(y_lo, s.y[i]);
        y_hi = std::max(y_hi, s.y[i]);
      }
  }
  const bool empty = !(x_lo <= x_hi);
  if (empty) x_lo = 0, x_hi = 1, y_lo = chart.log_y ? 1 : 0, y_hi = chart.log_y ? 10 : 1;
  const Frame f = frame_at(origin, x_lo, x_hi, empty ? 0 : 0.03, y_lo, y_hi, chart.log_y, false,
                           chart.integer_x);
  draw_grid(image, f);
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    draw_series(image, f, chart.series[i], chart.log_y, kPalette[i % kPalette.size()]);
  if (empty) draw_no_data(image, f);
  if (chart.series.size() >= 2) draw_legend(image, f, chart);
  draw_axes(image, f, origin, chart.title, chart.x_label, chart.y_label);
}

Image blank(int width, int height) {
  Image image(gdImageCreateTrueColor(width, height));
  if (!image)
    throw Error("plot", "cannot allocate a " + std::to_string(width) + "x" +
                            std::to_string(height) + " image");
  gdImageFilledRectangle(image.get(), 0, 0, width - 1, height - 1, colour(kWhite));
  return image;
}

std::vector<unsigned char> png_bytes(gdImagePtr image) {
  int size = 0;
  std::unique_ptr<void, GdDeleter> bytes(gdImagePngPtr(image, &size));
  if (!bytes || size <= 0) throw Error("plot", "GD could not encode the PNG");
  const auto* begin = static_cast<const unsigned char*>(bytes.get());
  return std::vector<unsigned char>(begin, begin + size);
}

}  // namespace

std::vector<unsigned char> charts_png(const std::vector<Chart>& panels) {
  if (panels.empty()) throw Error("charts_png", "no chart to draw");
  Image image = blank(kPanelWidth * static_cast<int>(panels.size()), kPanelHeight);
  for (std::size_t i = 0; i < panels.size(); ++i)
    draw_chart(image.get(), kPanelWidth * static_cast<int>(i), panels[i]);
  return png_bytes(image.get());
}

std::vector<unsigned char> histogram_png(const std::string& title, const std::string& x_label,
                                         const std::vector<double>& values, int bins) {
  if (bins < 1 || bins > 100000)
    throw Error(title, "a histogram needs 1 to 100000 bins, not " + std::to_string(bins));
  std::vector<double> usable_values;
  for (double v : values)
    if (usable(v)) usable_values.push_back(v);
  double lo = 0, hi = 1;
  if (!usable_values.empty()) {
    const auto [min, max] = std::minmax_element(usable_values.begin(), usable_values.end());
    lo = *min;
    hi = *max;
    if (negligible(lo, hi)) lo -= 0.5, hi += 0.5;
  }
  std::vector<double> counts(static_cast<std::size_t>(bins), 0.0);
  const double width = (hi - lo) / bins;
  for (double v : usable_values) {
    const double at = (v - lo) / width;
    int bin = at >= bins - 1 ? bins - 1 : at > 0 ? static_cast<int>(at) : 0;
    // As the bars are drawn: bin i is [lo + i * width, lo + (i + 1) * width), rounding included.
    if (bin > 0 && v < lo + bin * width) --bin;
    if (bin < bins - 1 && v >= lo + (bin + 1) * width) ++bin;
    ++counts[static_cast<std::size_t>(bin)];
  }
  const double top = std::max(1.0, *std::max_element(counts.begin(), counts.end()));
  Image image = blank(kPanelWidth, kPanelHeight);
  const Frame f = frame_at(0, lo, hi, 0.03, 0, top * 1.05, false, true, false);
  draw_grid(image.get(), f);
  for (int i = 0; i < bins; ++i) {
    if (counts[i] == 0) continue;
    const int x0 = f.px(lo + i * width);
    const int x1 = f.px(lo + (i + 1) * width);
    const int y = f.py(counts[i]);
    // A white column between bars when they are wide enough to keep one.
    gdImageFilledRectangle(image.get(), x0, y, std::max(x0, x1 - (x1 - x0 >= 4 ? 2 : 1)),
                           f.bottom - 1, colour(kPalette[0]));
  }
  if (usable_values.empty()) draw_no_data(image.get(), f);
  draw_axes(image.get(), f, 0, title, x_label, "count");
  return png_bytes(image.get());
}

}  // namespace blindspot::host
