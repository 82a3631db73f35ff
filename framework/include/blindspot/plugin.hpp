// The one entry point a plugin library exports, and the macro that writes it.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>

#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/report_plugin.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// Bumped whenever PluginEntry, Node, Schema or a product type changes layout.
inline constexpr std::uint32_t kPluginAbiVersion = 9;

/// Name of a plugin kind ("model", ...).
BLINDSPOT_API const char* kind_name(PluginKind kind);

/// What a plugin library tells the host. The host reads abi_version before anything else.
struct PluginEntry {
  std::uint32_t abi_version;  // kPluginAbiVersion when built
  const char* name;           // unique plugin name, as written in experiments
  const char* version;        // part of every node's cache key
  PluginKind kind;
  Schema (*describe)();                                     // parameters, ports, docs
  std::unique_ptr<Node> (*create)(const ValidatedParams&);  // a node; null for a report plugin
  std::unique_ptr<Report> (*create_report)(const ValidatedParams&);  // a report plugin's, or null
};

namespace detail {

template <class T, class = void>
struct DeclaredKind {  // a plain Node: an attack, an analysis or a dataset
  static constexpr bool fits(PluginKind kind) {
    return std::is_base_of_v<Node, T> &&
           (kind == PluginKind::attack || kind == PluginKind::analysis ||
            kind == PluginKind::dataset);
  }
};
template <class T>
struct DeclaredKind<T, std::void_t<decltype(T::plugin_kind)>> {  // derives a kind's base class
  static constexpr bool fits(PluginKind kind) { return kind == T::plugin_kind; }
};

/// Whether a plugin class T may be declared of `kind`: an optimiser must be an Optimiser, a
/// model a ModelNode, a report a Report, and so on.
template <class T>
constexpr bool kind_fits(PluginKind kind) {
  return DeclaredKind<T>::fits(kind);
}

/// Makes a T from validated parameters, as the Node or Report base B it derives from.
template <class T, class B>
std::unique_ptr<B> (*factory())(const ValidatedParams&) {
  if constexpr (std::is_base_of_v<B, T>) {
    return [](const ValidatedParams& values) -> std::unique_ptr<B> {
      typename T::Params params{};
      T::describe().assign(&params, values);
      return std::make_unique<T>(params);
    };
  } else {
    return nullptr;
  }
}

}  // namespace detail

}  // namespace blindspot

/// Name of the symbol every plugin library exports.
#define BLINDSPOT_PLUGIN_SYMBOL "blindspot_plugin_entry"

/// Defines the plugin's entry point; the last line of a plugin's .cpp. Type needs a Params
/// struct, `static Schema describe()` and a constructor from `const Params&`; it derives from
/// its kind's base (Node, ModelNode, Optimiser, Search or Report), which is checked here.
#define BLINDSPOT_PLUGIN(Type, NAME, KIND, VERSION)                                   \
  static_assert(::blindspot::detail::kind_fits<Type>(::blindspot::PluginKind::KIND),  \
                #Type " does not derive from the base class of a " #KIND " plugin");  \
  extern "C" BLINDSPOT_API const ::blindspot::PluginEntry* blindspot_plugin_entry() { \
    static const ::blindspot::PluginEntry entry{                                      \
        ::blindspot::kPluginAbiVersion,                                               \
        NAME,                                                                         \
        VERSION,                                                                      \
        ::blindspot::PluginKind::KIND,                                                \
        []() -> ::blindspot::Schema { return Type::describe(); },                     \
        ::blindspot::detail::factory<Type, ::blindspot::Node>(),                      \
        ::blindspot::detail::factory<Type, ::blindspot::Report>()};                   \
    return &entry;                                                                    \
  }
