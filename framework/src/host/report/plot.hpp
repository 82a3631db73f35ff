// Line charts and histograms as PNG bytes, drawn with the GD library and its bitmap fonts.
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// The size in pixels of one panel: charts_png puts panels side by side, histogram_png is one.
constexpr int kPanelWidth = 480, kPanelHeight = 320;

/// One line of a chart: a name for the legend and its points. A point whose x or y is NaN,
/// infinite or beyond +-1e300 (or y <= 0 on a log axis) is skipped and breaks the line; a lone
/// point is a dot.
struct Series {
  std::string name;
  std::vector<double> x, y;
};

/// A panel: title, axis labels and its lines; `log_y` for a loss that spans decades,
/// `integer_x` for an x that counts (epochs): whole-number ticks only. A legend is drawn when
/// there are 2+ series; with no drawable point, an empty labelled frame saying "no data".
struct Chart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_y = false;
  bool integer_x = false;
};

/// Panels side by side in one PNG (e.g. a training curve's loss and error), returned as PNG bytes.
/// Throws Error if `panels` is empty or a series has x and y of different lengths.
std::vector<unsigned char> charts_png(const std::vector<Chart>& panels);

/// A histogram of `values` in `bins` equal bins between their min and max (the max falls in the
/// last bin; NaN, infinite and beyond +-1e300 values are skipped; equal values get
/// [v - 0.5, v + 0.5]), as PNG bytes of one panel. No value left gives an empty labelled frame;
/// `bins` outside [1, 100000] throws Error.
std::vector<unsigned char> histogram_png(const std::string& title, const std::string& x_label,
                                         const std::vector<double>& values, int bins = 30);

}  // namespace blindspot::host
