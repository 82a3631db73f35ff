// Plugin libraries each broken in one way, chosen by the BROKEN_WAY the build defines; small,
// so that the entries needing the SDK's types are compiled once, in broken_entries.cpp.
#include <cstdint>

#include "blindspot/export.hpp"

namespace blindspot {
struct PluginEntry;
}

const blindspot::PluginEntry* broken_entry(const char* way);

#if defined(BROKEN_DATA_ENTRY)
// The entry is an array: calling it would jump into data.
extern "C" BLINDSPOT_API const unsigned char blindspot_plugin_entry[16] = {0xff, 0xff, 0xff, 0xff};
#else
extern "C" BLINDSPOT_API const blindspot::PluginEntry* blindspot_plugin_entry() {
#if defined(BROKEN_THROWS_INT)
  throw 42;
#elif defined(BROKEN_WILD_POINTER)
  return reinterpret_cast<const blindspot::PluginEntry*>(std::uintptr_t{16});
#else
  return broken_entry(BROKEN_WAY);
#endif
}
#endif
