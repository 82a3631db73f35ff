// The one entry point a plugin library exports, and the macro that writes it.
#pragma once

#include <cstdint>
#include <memory>

#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// Bumped whenever PluginEntry, Node, Schema or a product type changes layout.
inline constexpr std::uint32_t kPluginAbiVersion = 7;

/// Name of a plugin kind ("model", ...).
BLINDSPOT_API const char* kind_name(PluginKind kind);

/// What a plugin library tells the host. The host reads abi_version before anything else.
struct PluginEntry {
  std::uint32_t abi_version;  // kPluginAbiVersion when built
  const char* name;           // unique plugin name, as written in experiments
  const char* version;        // part of every node's cache key
  PluginKind kind;
  Schema (*describe)();                                     // parameters, ports, docs
  std::unique_ptr<Node> (*create)(const ValidatedParams&);  // a node with typed parameters
};

}  // namespace blindspot

/// Name of the symbol every plugin library exports.
#define BLINDSPOT_PLUGIN_SYMBOL "blindspot_plugin_entry"

/// Defines the plugin's entry point; the last line of a plugin's .cpp. Type needs a Params
/// struct, `static Schema describe()` and a constructor from `const Params&`.
#define BLINDSPOT_PLUGIN(Type, NAME, KIND, VERSION)                                            \
  extern "C" BLINDSPOT_API const ::blindspot::PluginEntry* blindspot_plugin_entry() {          \
    static const ::blindspot::PluginEntry entry{                                               \
        ::blindspot::kPluginAbiVersion,                                                        \
        NAME,                                                                                  \
        VERSION,                                                                               \
        ::blindspot::PluginKind::KIND,                                                         \
        []() -> ::blindspot::Schema { return Type::describe(); },                              \
        [](const ::blindspot::ValidatedParams& values) -> std::unique_ptr<::blindspot::Node> { \
          Type::Params params{};                                                               \
          Type::describe().assign(&params, values);                                            \
          return std::make_unique<Type>(params);                                               \
        }};                                                                                    \
    return &entry;                                                                             \
  }
