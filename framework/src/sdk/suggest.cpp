// "Did you mean" hints by edit distance.
#include "blindspot/suggest.hpp"

#include <algorithm>

namespace blindspot {

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string suggestion(const std::string& name, const std::vector<std::string>& known,
                       const std::string& none_text) {
  if (known.empty()) return none_text;
  std::size_t best = 3;
  std::string closest;
  for (const std::string& candidate : known) {
    std::size_t d = edit_distance(name, candidate);
    if (d < best) best = d, closest = candidate;
  }
  if (!closest.empty()) return "; did you mean '" + closest + "'?";
  std::string list;
  for (const std::string& candidate : known) list += (list.empty() ? "" : ", ") + candidate;
  return "; expected one of: " + list;
}

}  // namespace blindspot
