// A located problem in an experiment file, printed as "file:line:column: message".
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// A position in an experiment file; line and column count from 1 (0 = unknown).
struct Mark {
  int line = 0;
  int column = 0;
};

/// One problem found while reading or checking an experiment.
struct Problem {
  std::string file;
  Mark mark;
  std::string message;

  /// "file:line:column: message" as one printable line (see printable()).
  std::string text() const;
};

using Problems = std::vector<Problem>;

}  // namespace blindspot::host
