// An experiment's validation as JSON.
#include "cli/validate_json.hpp"

#include <nlohmann/json.hpp>

namespace blindspot::host {

namespace {

using nlohmann::json;

/// A line or column number, or null when unknown (0).
json position_json(int position) {
  return position > 0 ? json(position) : json(nullptr);
}

}  // namespace

json validation_json(const std::string& file, const Experiment& experiment,
                     const Problems& problems) {
  json listed = json::array();
  for (const Problem& p : problems)
    listed.push_back({{"file", p.file.empty() ? json(nullptr) : json(p.file)},
                      {"line", position_json(p.mark.line)},
                      {"column", position_json(p.mark.column)},
                      {"message", p.message}});
  return {{"file", file},
          {"valid", problems.empty()},
          {"experiment", experiment.name.empty() ? json(nullptr) : json(experiment.name)},
          {"nodes", experiment.nodes.size()},
          {"problems", listed}};
}

}  // namespace blindspot::host
