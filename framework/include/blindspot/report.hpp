// What a report is made of (sections of formatted tables and PNG figures), and the drawing
// services the host lends to whoever makes them: product kinds and report plugins.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// A table whose cells are already formatted text, with an optional note under it.
struct TextTable {
  std::string title;
  std::vector<std::string> columns;            // the first names the row labels
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`
  std::string note;
};

/// A figure: the PNG's file name, a caption, and the encoded bytes.
struct Figure {
  std::string file;
  std::string caption;
  std::vector<unsigned char> png;
};

/// A heading with its paragraphs, tables and figures.
struct Section {
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<TextTable> tables;
  std::vector<Figure> figures;
};

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

/// One row of a tile grid: its tiles (float [H, W] greyscale or [3, H, W] RGB, values in [0, 1])
/// and the lines of text beside them.
struct TileRow {
  std::vector<at::Tensor> tiles;
  std::vector<std::string> label = {};  // ASCII lines, drawn left of the tiles while they fit
  bool starts_group = false;            // a black rule across the grid above this row
};

/// The host's drawing services, each returning PNG bytes.
class BLINDSPOT_API Drawing {
 public:
  virtual ~Drawing();
  /// Rows of tiles, greyscale or colour, each pixel drawn twice as large, labels on the left.
  virtual std::vector<unsigned char> tiles(const std::vector<TileRow>& rows) = 0;
  /// Panels side by side (e.g. a training curve's loss and error).
  virtual std::vector<unsigned char> charts(const std::vector<Chart>& panels) = 0;
  /// A histogram of `values` in 30 equal bins between their min and max.
  virtual std::vector<unsigned char> histogram(const std::string& title, const std::string& x_label,
                                               const std::vector<double>& values) = 0;
};

/// How many times Figure 5 magnifies a difference `r` around mid-grey: 0.5 / (the 99th
/// percentile of |r|, nearest rank), rounded down to one significant digit, so that at most 1%
/// of its pixels saturate; 1 when r is all zeros or empty.
BLINDSPOT_API double magnification(const at::Tensor& r);

}  // namespace blindspot
