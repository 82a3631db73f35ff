// How the paper's tables print a cell: ours, then the paper's number in brackets where it has one.
#pragma once

#include <string>

namespace blindspot::szegedy2014 {

/// The note under every table that shows the paper's numbers beside ours.
inline const std::string kCellsNote =
    "Each cell: ours (the paper's, in brackets, where it has one).";

/// "ours (paper)", or ours alone when the paper has no number there.
std::string with_paper(const std::string& ours, const std::string& paper);

/// A fraction as a percentage with `decimals` decimals; "-" when it is not finite.
std::string percent(double v, int decimals);

/// A bound or stride: three significant digits, whole numbers from 1000 up; "-" if not finite.
std::string number(double v);

/// A distortion (a per-pixel RMS in [0, 1]) to four decimals, one more than the paper prints.
std::string distortion(double v);

}  // namespace blindspot::szegedy2014
