// How the paper's tables print a cell: ours, then the paper's number in brackets where it has one.
#include "cells.hpp"

#include <fmt/format.h>

#include <cmath>

namespace blindspot::szegedy2014 {

std::string with_paper(const std::string& ours, const std::string& paper) {
  return paper.empty() ? ours : fmt::format("{} ({})", ours, paper);
}

std::string percent(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}%", 100 * v, decimals) : "-";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "-";
  return std::abs(v) >= 1000 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
}

std::string distortion(double v) {
  return std::isfinite(v) ? fmt::format("{:.4f}", v) : "-";
}

}  // namespace blindspot::szegedy2014
