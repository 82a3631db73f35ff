// Line charts and histograms as PNG bytes, drawn with the GD library and its bitmap fonts.
#pragma once

#include <string>
#include <vector>

#include "blindspot/report.hpp"

namespace blindspot::host {

/// The size in pixels of one panel: charts_png puts panels side by side, histogram_png is one.
constexpr int kPanelWidth = 480, kPanelHeight = 320;

using blindspot::Chart;
using blindspot::Series;

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
