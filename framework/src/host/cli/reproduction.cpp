// Judging a re-run node against the archive, and stating the verdicts.
#include "cli/reproduction.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "archive/compare.hpp"

namespace blindspot::host {

namespace {

using nlohmann::json;

const char* outcome_name(Verdict::Outcome outcome) {
  switch (outcome) {
    case Verdict::Outcome::identical:
      return "identical";
    case Verdict::Outcome::within_tolerance:
      return "within tolerance";
    case Verdict::Outcome::differs:
      return "differs";
    case Verdict::Outcome::not_rerun:
      return "not re-run";
    case Verdict::Outcome::version_changed:
      return "version changed";
  }
  return "?";
}

/// Whether the products were compared (the node was re-run by the same plugin version).
bool compared(const Verdict& v) {
  return v.outcome != Verdict::Outcome::not_rerun && v.outcome != Verdict::Outcome::version_changed;
}

json verdict_json(const NodeInfo& node, const Verdict& v) {
  const bool measured = compared(v);
  return {
      {"name", node.name},
      {"plugin", v.plugin},
      {"verdict", outcome_name(v.outcome)},
      {"largest_difference", measured ? json(v.largest) : json(nullptr)},
      {"where", measured && !v.where.empty() ? json(v.where) : json(nullptr)},
      {"tolerance", measured ? json(v.tolerance) : json(nullptr)},
      {"archived_version", v.archived_version},
      {"current_version", v.current_version.empty() ? json(nullptr) : json(v.current_version)},
  };
}

}  // namespace

bool Verdict::reproduced() const {
  return outcome == Outcome::identical || outcome == Outcome::within_tolerance;
}

std::string Verdict::text() const {
  switch (outcome) {
    case Outcome::identical:
      return "identical";
    case Outcome::within_tolerance:
      return fmt::format("within tolerance: largest difference {:.3g} in {} (tolerance {:g})",
                         largest, where, tolerance);
    case Outcome::differs:
      return fmt::format("DIFFERS: largest difference {:.3g} in {} (tolerance {:g})", largest,
                         where, tolerance);
    case Outcome::not_rerun:
      return "not re-run";
    case Outcome::version_changed:
      return fmt::format("plugin '{}' changed version: {} then, {} now", plugin, archived_version,
                         current_version);
  }
  return "?";
}

Verdict judge(const NodeInfo& before, const NodeInfo* after, const ArchiveReader& original,
              const ArchiveReader& again, const Registry& registry) {
  Verdict verdict;
  verdict.plugin = before.plugin;
  verdict.archived_version = before.plugin_version;
  if (!after) {
    verdict.outcome = Verdict::Outcome::not_rerun;
    return verdict;
  }
  verdict.current_version = after->plugin_version;
  if (after->plugin_version != before.plugin_version) {
    verdict.outcome = Verdict::Outcome::version_changed;
    return verdict;
  }
  const LoadedPlugin* plugin = registry.find(before.plugin);
  verdict.tolerance = plugin ? plugin->schema.reproduce_tolerance() : 0.0;
  ProductDifference worst{"", 0.0, ""};
  for (const ProductDifference& d :
       compare_products(original.products(before.name), again.products(before.name)))
    if (worst.port.empty() || d.largest > worst.largest) worst = d;
  verdict.largest = worst.largest;
  if (worst.largest == 0.0) return verdict;  // identical
  verdict.where = fmt::format("{}/{}", worst.port, worst.where);
  verdict.outcome = worst.largest <= verdict.tolerance ? Verdict::Outcome::within_tolerance
                                                       : Verdict::Outcome::differs;
  return verdict;
}

json reproduction_json(const std::string& archive, const std::vector<NodeInfo>& nodes,
                       const std::vector<Verdict>& verdicts,
                       const std::map<std::string, std::string>& versions) {
  json listed = json::array();
  std::size_t reproduced = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    listed.push_back(verdict_json(nodes[i], verdicts[i]));
    reproduced += verdicts[i].reproduced() ? 1 : 0;
  }
  return {{"archive", archive},
          {"nodes", listed},
          {"reproduced", reproduced},
          {"total", nodes.size()},
          {"archived_by", versions}};
}

}  // namespace blindspot::host
