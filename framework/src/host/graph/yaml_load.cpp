// A counting pass over the parser's events refuses oversized files before yaml-cpp builds a tree
// (building costs about twenty times more than parsing), then the tree is walked for aliases.
#include "graph/yaml_load.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include "graph/yaml_tree.hpp"

namespace blindspot::host {

namespace {

Mark mark_at(const YAML::Mark& m) {
  return m.is_null() ? Mark{} : Mark{m.line + 1, m.column + 1};
}

/// Why the counting pass stopped early; `fatal` false only for a second document.
struct Stop {
  Mark mark;
  std::string message;
  bool fatal = true;
};

/// Counts values, nesting and documents as the parser reports them; throws Stop past a bound.
class Counter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      throw Stop{mark_at(mark),
                 "a second YAML document starts here; an experiment file holds one document",
                 false};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { value(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { value(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    value(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void value(const YAML::Mark& mark) {
    if (++values_ > kMaxYamlValues)
      throw Stop{mark_at(mark), fmt::format("the file holds more than {} YAML values; an "
                                            "experiment needs far fewer",
                                            kMaxYamlValues)};
  }
  void open(const YAML::Mark& mark) {
    value(mark);
    if (++depth_ > kMaxYamlDepth)
      throw Stop{mark_at(mark), fmt::format("lists and maps nest deeper than {} levels here; an "
                                            "experiment needs about 5",
                                            kMaxYamlDepth)};
  }

  std::size_t values_ = 0;
  int depth_ = 0;
  int documents_ = 0;
};

}  // namespace

std::string too_large(const std::string& bytes) {
  return fmt::format("the file has {} bytes; an experiment file may have at most {} (1 MiB)", bytes,
                     kMaxExperimentBytes);
}

std::optional<YAML::Node> load_bounded(const std::string& text, const std::string& file,
                                       Problems& problems) {
  if (text.size() > kMaxExperimentBytes) {
    problems.push_back({file, {}, too_large(std::to_string(text.size()))});
    return std::nullopt;
  }
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    Counter counter;
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const Stop& stop) {
    problems.push_back({file, stop.mark, stop.message});
    if (stop.fatal) return std::nullopt;
  } catch (const YAML::Exception& e) {
    problems.push_back({file, mark_at(e.mark), "invalid YAML: " + e.msg});
    return std::nullopt;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);  // the first document only
  } catch (const YAML::Exception& e) {
    problems.push_back({file, mark_at(e.mark), "invalid YAML: " + e.msg});
    return std::nullopt;
  }
  if (!check_tree(root, file, problems)) return std::nullopt;
  return root;
}

}  // namespace blindspot::host
