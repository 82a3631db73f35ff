// A plugin that claims an ABI version this blindspot does not speak.
#include "blindspot/plugin.hpp"

extern "C" BLINDSPOT_API const blindspot::PluginEntry* blindspot_plugin_entry() {
  static const blindspot::PluginEntry entry{
      999, "wrong_abi", "1", blindspot::PluginKind::analysis, nullptr, nullptr, nullptr};
  return &entry;
}
