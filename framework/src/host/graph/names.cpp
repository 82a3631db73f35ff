// Checking experiment and node names against one allowed alphabet.
#include "graph/names.hpp"

#include <fmt/format.h>

namespace blindspot::host {

namespace {

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string name_problem(const std::string& name, bool dots) {
  std::string allowed =
      dots ? fmt::format("an experiment name is 1 to {} ASCII letters, digits, '_', '-' and '.', "
                         "not starting with '.' or '-'",
                         kMaxNameLength)
           : fmt::format("a node name is 1 to {} ASCII letters, digits, '_' and '-', not "
                         "starting with '-'",
                         kMaxNameLength);
  if (name.empty()) return "is empty; " + allowed;
  if (name.size() > kMaxNameLength)
    return fmt::format("has {} characters; {}", name.size(), allowed);
  if (name.front() == '-' || (dots && name.front() == '.'))
    return fmt::format("starts with '{}'; {}", name.front(), allowed);
  for (char c : name)
    if (!plain(c) && !(dots && c == '.')) return fmt::format("contains '{}'; {}", c, allowed);
  return "";
}

}  // namespace

std::string experiment_name_problem(const std::string& name) {
  return name_problem(name, true);
}

std::string node_name_problem(const std::string& name) {
  return name_problem(name, false);
}

}  // namespace blindspot::host
