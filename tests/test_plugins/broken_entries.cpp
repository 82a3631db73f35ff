// Plugin entries of the right ABI version with one field wrong, for the libraries of broken.cpp.
#include <cstring>

#include "blindspot/plugin.hpp"

namespace {

[[noreturn]] blindspot::Schema describe_throws_int() {
  throw 7;
}

std::unique_ptr<blindspot::Node> create_nothing(const blindspot::ValidatedParams&) {
  return nullptr;
}

}  // namespace

/// The entry broken in `way`: "null_name", "unknown_kind", "null_create", or any other for one
/// whose only fault is that describe() throws an int.
const blindspot::PluginEntry* broken_entry(const char* way) {
  static blindspot::PluginEntry entry{
      blindspot::kPluginAbiVersion, "broken",       "1",     blindspot::PluginKind::analysis,
      describe_throws_int,          create_nothing, nullptr,
  };
  if (std::strcmp(way, "null_name") == 0) entry.name = nullptr;
  if (std::strcmp(way, "unknown_kind") == 0) entry.kind = static_cast<blindspot::PluginKind>(77);
  if (std::strcmp(way, "null_create") == 0) entry.create = nullptr;
  return &entry;
}
