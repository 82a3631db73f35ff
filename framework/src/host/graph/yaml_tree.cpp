// The bounded walk over a YAML tree that runs before the experiment reader expands it.
#include "graph/yaml_tree.hpp"

#include <fmt/format.h>

#include <set>
#include <unordered_map>
#include <utility>

#include "graph/yaml_load.hpp"
#include "graph/yaml_value.hpp"

namespace blindspot::host {

namespace {

/// One walk: its count of values visited and the duplicate keys already reported.
class Walk {
 public:
  Walk(const std::string& file, Problems& problems) : file_(file), problems_(problems) {}

  /// False once a bound is passed (reported once). `depth`: the lists and maps around `node`.
  bool visit(const YAML::Node& node, int depth) {
    if (++visited_ > kMaxYamlValues)
      return refuse(node, fmt::format("the YAML expands to more than {} values through its "
                                      "aliases (*name repeats what &name marks); an experiment "
                                      "needs far fewer",
                                      kMaxYamlValues));
    if ((node.IsSequence() || node.IsMap()) && depth >= kMaxYamlDepth)
      return refuse(node, fmt::format("lists and maps nest deeper than {} levels here (an alias "
                                      "may contain itself); an experiment needs about 5",
                                      kMaxYamlDepth));
    if (node.IsSequence()) {
      for (const YAML::Node& item : node)
        if (!visit(item, depth + 1)) return false;
    } else if (node.IsMap()) {
      std::unordered_map<std::string, Mark> seen;
      for (const auto& item : node) {
        check_key(item.first, seen);
        if (!visit(item.second, depth + 1)) return false;
      }
    }
    return true;
  }

 private:
  bool refuse(const YAML::Node& at, const std::string& message) {
    problems_.push_back({file_, mark_of(at), message});
    return false;
  }

  void check_key(const YAML::Node& key, std::unordered_map<std::string, Mark>& seen) {
    Mark mark = mark_of(key);
    if (!key.IsScalar() || key.Scalar().empty()) {
      const char* what = key.IsMap()        ? "a map"
                         : key.IsSequence() ? "a list"
                         : key.IsNull()     ? "null (~ or nothing)"
                                            : "empty";
      report(mark, fmt::format("a key must be a name; this one is {}", what));
      return;
    }
    auto [first, inserted] = seen.emplace(key.Scalar(), mark);
    if (!inserted)
      report(mark, fmt::format("duplicate key '{}' (first at line {}, column {}); each key may "
                               "appear once in a map",
                               key.Scalar(), first->second.line, first->second.column));
  }

  /// Reports once per place: a map reached through several aliases is walked several times.
  void report(const Mark& mark, const std::string& message) {
    if (reported_.insert({mark.line, mark.column}).second)
      problems_.push_back({file_, mark, message});
  }

  const std::string& file_;
  Problems& problems_;
  std::size_t visited_ = 0;
  std::set<std::pair<int, int>> reported_;
};

}  // namespace

bool check_tree(const YAML::Node& root, const std::string& file, Problems& problems) {
  return Walk(file, problems).visit(root, 0);
}

}  // namespace blindspot::host
