// The axes of the report's charts: ranges, "nice" ticks and their labels.
#include "report/plot_axis.hpp"

#include <algorithm>
#include <cstdio>

namespace blindspot::host {

namespace {

/// Ticks at 1, 2, 5 x 10^k inside [lo, hi], given in log10 units; only powers of ten (every
/// 1, 2, 5, 10, ... decades) when two or more fit.
std::vector<double> log_ticks(double lo, double hi) {
  const double decades = std::floor(hi + 1e-9) - std::ceil(lo - 1e-9) + 1;
  if (decades >= 2) {
    std::vector<double> exponents = nice_ticks(lo, hi, static_cast<int>(std::min(decades, 6.0)));
    if (exponents.size() < 2 || exponents[1] - exponents[0] < 1) {
      exponents.clear();
      for (double k = std::ceil(lo - 1e-9); k <= hi + 1e-9; ++k) exponents.push_back(k);
    }
    for (double& e : exponents) e = std::pow(10.0, e);
    return exponents;
  }
  std::vector<double> ticks;
  for (double k = std::floor(lo); k <= std::ceil(hi); ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      const double t = m * std::pow(10.0, k), l = std::log10(t);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push_back(t);
    }
  if (ticks.size() >= 2) return ticks;
  return nice_ticks(std::pow(10.0, lo), std::pow(10.0, hi), 4);
}

}  // namespace

/// Whether a value can be drawn: finite and at most 1e300 in size, so that no span, padding or
/// tick of such values overflows.
bool usable(double value) {
  return std::abs(value) <= 1e300;
}

/// Whether [lo, hi] is too narrow to divide into ticks or bins: one value, up to rounding.
bool negligible(double lo, double hi) {
  return hi - lo <= std::max(1e-12 * std::max(std::abs(lo), std::abs(hi)), 1e-290);
}

/// A tick label with as many digits as the tick step needs ("0.05", not "0.0500000"); values of
/// a million or more, steps below 1e-5 and a step of 0 (one tick, a log axis) give the shortest
/// exact form ("1e6", "1.5e-7", "0.001").
std::string tick_label(double value, double step) {
  char text[32];
  if (step > 0 && std::abs(value) < step * 1e-6) value = 0;
  const int decimals = step > 0 ? static_cast<int>(std::ceil(-std::log10(step) - 1e-9)) : 99;
  if (std::abs(value) < 1e6 && decimals <= 5) {
    std::snprintf(text, sizeof text, "%.*f", std::max(decimals, 0), value);
    return text;
  }
  // Significant digits down to the step's: 1.000002e9 for a step of 2000.
  const int digits = step > 0 && value != 0
                         ? std::clamp(static_cast<int>(std::floor(std::log10(std::abs(value))) -
                                                       std::floor(std::log10(step))) +
                                          1,
                                      1, 12)
                         : 6;
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  std::string label = text;
  if (const auto e = label.find('e'); e != std::string::npos) {  // 1e-05 -> 1e-5, 1e+06 -> 1e6
    std::string exponent = label.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent.erase(0, exponent.find_first_not_of("+-0"));
    label = label.substr(0, e) + "e" + (negative ? "-" : "") + (exponent.empty() ? "0" : exponent);
  }
  return label;
}

/// An axis over data in [lo, hi] (finite; positive when `log`), padded by `pad` of its span on
/// each side (never below 0 when `from_zero`), with about `count` ticks whose labels fit in
/// `room` pixels each when `room` > 0; `integer` keeps whole-number ticks only.
Axis make_axis(double lo, double hi, bool log, double pad, bool from_zero, int count, int room,
               bool integer, int char_width) {
  Axis axis;
  axis.log = log;
  axis.lo = log ? std::log10(lo) : lo;
  axis.hi = log ? std::log10(hi) : hi;
  const double scale = std::max(std::abs(axis.lo), std::abs(axis.hi));
  if (negligible(axis.lo, axis.hi)) {  // one value: a span around it
    const double half = log ? 0.5 : (scale > 1e-280 ? 0.1 * scale : 1.0);
    axis.lo -= half;
    axis.hi += half;
  } else {
    const double span = axis.hi - axis.lo;
    axis.lo -= pad * span;
    axis.hi += pad * span;
  }
  if (from_zero && !log) axis.lo = std::max(axis.lo, 0.0);
  for (; count >= 2; --count) {
    if (log) {
      axis.ticks = log_ticks(axis.lo, axis.hi);
    } else {
      axis.ticks = nice_ticks(axis.lo, axis.hi, count);
      if (integer && axis.ticks.size() >= 2 && axis.ticks[1] - axis.ticks[0] < 1)
        axis.ticks = nice_ticks(axis.lo, axis.hi, static_cast<int>(axis.hi - axis.lo) + 1);
    }
    axis.labels.clear();
    const double step = axis.ticks.size() >= 2 ? axis.ticks[1] - axis.ticks[0] : 0;
    int widest = 0;
    for (double t : axis.ticks) {
      axis.labels.push_back(log || step <= 0 ? tick_label(t, 0) : tick_label(t, step));
      widest = std::max(widest, char_width * static_cast<int>(axis.labels.back().size()));
    }
    if (room <= 0 || axis.ticks.size() < 2) break;
    const double gap = std::abs(axis.fraction(axis.ticks[1]) - axis.fraction(axis.ticks[0]));
    if (gap * room >= widest + 10) break;
  }
  return axis;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!usable(lo) || !usable(hi)) return {};
  if (hi < lo) std::swap(lo, hi);
  if (negligible(lo, hi)) return {lo};
  const double raw = (hi - lo) / std::max(count - 1, 1);
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double mantissa = raw / std::pow(10.0, exponent);
  // The nearest of 1, 2, 5, 10 in ratio: the thresholds are their geometric means.
  double m = mantissa < std::sqrt(2.0)    ? 1
             : mantissa < std::sqrt(10.0) ? 2
             : mantissa < std::sqrt(50.0) ? 5
                                          : 10;
  if (m == 10) m = 1, ++exponent;
  // k * m * 10^e, divided rather than multiplied by a power of ten for e < 0: 0.6, not 0.6000001.
  const double power = std::pow(10.0, std::abs(exponent));
  const auto value = [&](double k) { return exponent >= 0 ? k * m * power : k * m / power; };
  const double step = value(1);
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  const std::size_t most = 4 * static_cast<std::size_t>(std::max(count, 2)) + 8;  // a guard
  for (double k = first; k <= last && ticks.size() < most; ++k)
    ticks.push_back(value(k) + 0.0);  // + 0.0: 0, not -0
  return ticks;
}

}  // namespace blindspot::host
