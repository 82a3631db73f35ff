// Formatting of located problems.
#include "graph/problem.hpp"

#include "graph/printable.hpp"

namespace blindspot::host {

std::string Problem::text() const {
  std::string where = file;
  if (mark.line > 0) where += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  return printable(where.empty() ? message : where + ": " + message);
}

}  // namespace blindspot::host
