// The axes of the report's charts: ranges, "nice" ticks and their labels.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace blindspot::host {

/// Whether a value can be drawn: finite and at most 1e300 in size, so that no span, padding or
/// tick of such values overflows.
bool usable(double value);

/// Whether [lo, hi] is too narrow to divide into ticks or bins: one value, up to rounding.
bool negligible(double lo, double hi);

/// One axis: its range (in log10 units when `log`), ticks (as data values) and their labels.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;
  std::vector<std::string> labels;

  /// Where `value` lies along the axis, 0 at lo and 1 at hi.
  double fraction(double value) const {
    return ((log ? std::log10(value) : value) - lo) / (hi - lo);
  }
};

/// A tick label with as many digits as the tick step needs ("0.05", not "0.0500000"); values of
/// a million or more, steps below 1e-5 and a step of 0 (one tick, a log axis) give the shortest
/// exact form ("1e6", "1.5e-7", "0.001").
std::string tick_label(double value, double step);

/// An axis over data in [lo, hi] (finite; positive when `log`), padded by `pad` of its span on
/// each side (never below 0 when `from_zero`), with about `count` ticks whose labels (of
/// `char_width` pixels a character) fit in `room` pixels each when `room` > 0; `integer` keeps
/// whole-number ticks only.
Axis make_axis(double lo, double hi, bool log, double pad, bool from_zero, int count, int room,
               bool integer, int char_width);

/// "Nice" axis ticks (1, 2, 5 x 10^k steps) inside [lo, hi], about `count` of them: the step is
/// the nice number nearest (in ratio) to (hi - lo) / (count - 1). {lo} when lo == hi (up to
/// rounding); {} when lo or hi is not finite (or beyond +-1e300).
std::vector<double> nice_ticks(double lo, double hi, int count);

}  // namespace blindspot::host
