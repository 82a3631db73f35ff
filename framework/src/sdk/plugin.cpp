// Names of plugin kinds.
#include "blindspot/plugin.hpp"

namespace blindspot {

const char* kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::dataset:
      return "dataset";
    case PluginKind::model:
      return "model";
    case PluginKind::optimiser:
      return "optimiser";
    case PluginKind::search:
      return "search";
    case PluginKind::attack:
      return "attack";
    case PluginKind::analysis:
      return "analysis";
    case PluginKind::report:
      return "report";
  }
  return "?";
}

}  // namespace blindspot
