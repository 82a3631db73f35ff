// A plugin's declaration of its parameters and ports: the single source of truth for
// validation, defaults, `blindspot plugins describe` and docs/plugins.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "blindspot/export.hpp"
#include "blindspot/product_type.hpp"
#include "blindspot/value.hpp"

namespace blindspot {

/// What a plugin is for. A report plugin builds the tables an experiment `reproduces:`.
enum class PluginKind : std::uint32_t {
  dataset,
  model,
  optimiser,
  search,
  attack,
  analysis,
  report
};

/// One declared parameter.
struct BLINDSPOT_API ParamSpec {
  std::string name;
  ValueType type = ValueType::null;
  ValueType element_type = ValueType::null;  // for lists
  Value default_value;
  std::string doc;
  std::optional<double> min, max;       // inclusive; for numbers and each number of a list
  bool min_exclusive = false;           // min itself is not allowed ("> 0")
  std::vector<std::string> choices;     // allowed strings, empty = any
  bool affects_results = true;          // false: left out of the node's cache key
  bool names_file = false;              // the file's contents are part of the node's cache key
  std::optional<PluginKind> component;  // a map {plugin: NAME, ...} naming a plugin of this kind
  std::function<void(void*, const Value&)> assign;  // writes the value into the Params struct
};

/// One declared input or output port.
struct BLINDSPOT_API PortSpec {
  std::string name;
  ProductKind kind = nullptr;
  std::string doc;
  bool many = false;      // an input that takes a list of nodes
  bool optional = false;  // a single input the experiment may leave out
};

/// A port's name and the type of product it carries, declared once and used by both describe()
/// and run(), so that the two cannot disagree: `const Port<Table> kErrors{"errors"};`.
template <class T>
struct Port {
  const char* name;
};

/// Already-validated parameters, every key present (defaults filled in).
using ValidatedParams = std::map<std::string, Value>;

/// One problem found while validating parameters; `key` names the offending parameter.
struct ParamProblem {
  std::string key;
  std::string message;
};

/// What a plugin declares: parameters bound to its Params struct, inputs and outputs.
class BLINDSPOT_API Schema {
 public:
  Schema() = default;
  explicit Schema(std::string doc) : doc_(std::move(doc)) {}

  template <class P>
  class For;
  /// Starts a schema whose parameters bind to members of P; `doc` is the plugin's one-line doc.
  template <class P>
  static For<P> of(std::string doc);

  /// The plugin's name; set by the host from the plugin entry.
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& doc() const { return doc_; }
  const std::vector<ParamSpec>& params() const { return params_; }
  const std::vector<PortSpec>& inputs() const { return inputs_; }
  const std::vector<PortSpec>& outputs() const { return outputs_; }
  const ParamSpec* find_param(const std::string& name) const;
  const PortSpec* find_input(const std::string& name) const;
  /// A model's name for people, made from its parameters ("FC100-100-10"); "" when the plugin
  /// declares none or names no model with these parameters.
  std::string display_name(const ValidatedParams& values) const;
  /// For a report plugin: the ids an experiment's `reproduces:` may name, each with a title.
  const std::vector<std::pair<std::string, std::string>>& provides() const { return provides_; }

  /// Checks `given` against the declaration; fills defaults. Problems are appended, never thrown.
  ValidatedParams validate(const std::map<std::string, Value>& given,
                           std::vector<ParamProblem>& problems) const;
  /// Writes validated values into a Params struct (the one this schema was built for).
  void assign(void* params, const ValidatedParams& values) const;
  /// The parameters that change results, canonical text: part of the node's cache key.
  std::string tracked_text(const ValidatedParams& values) const;
  /// Human-readable description: what `blindspot plugins describe` prints.
  std::string describe() const;
  /// The largest difference between a product and its re-computation that `blindspot
  /// reproduce` accepts (0: the plugin's results are deterministic and must be identical).
  double reproduce_tolerance() const { return tolerance_; }
  /// Whether the node runs on every rank of an MPI run at once, sharing its work out through
  /// RunContext::ranks(); otherwise one rank runs it.
  bool across_ranks() const { return across_ranks_; }

 protected:
  double tolerance_ = 0.0;
  bool across_ranks_ = false;
  std::function<std::string(const ValidatedParams&)> display_name_;
  std::vector<std::pair<std::string, std::string>> provides_;
  std::string name_, doc_;
  std::vector<ParamSpec> params_;
  std::vector<PortSpec> inputs_, outputs_;
};

namespace detail {
template <class T>
struct ParamType;
template <>
struct ParamType<bool> {
  static constexpr ValueType type = ValueType::boolean;
  static bool get(const Value& v) { return v.boolean; }
};
template <>
struct ParamType<std::int64_t> {
  static constexpr ValueType type = ValueType::integer;
  static std::int64_t get(const Value& v) { return v.integer; }
};
template <>
struct ParamType<double> {
  static constexpr ValueType type = ValueType::real;
  static double get(const Value& v) { return v.real; }
};
template <>
struct ParamType<std::string> {
  static constexpr ValueType type = ValueType::string;
  static std::string get(const Value& v) { return v.string; }
};
template <>
struct ParamType<Value> {  // a nested map, kept as a Value
  static constexpr ValueType type = ValueType::map;
  static Value get(const Value& v) { return v; }
};
template <class E>
struct ParamType<std::vector<E>> {
  static constexpr ValueType type = ValueType::list;
  static constexpr ValueType element = ParamType<E>::type;
  static std::vector<E> get(const Value& v) {
    std::vector<E> out;
    for (const Value& item : v.list) out.push_back(ParamType<E>::get(item));
    return out;
  }
};
}  // namespace detail

/// Schema builder bound to the plugin's Params struct P.
template <class P>
class Schema::For : public Schema {
 public:
  explicit For(std::string doc) : Schema(std::move(doc)) {}

  /// Declares that re-running may change the plugin's products by up to `difference` (largest
  /// absolute difference of any value), for results that are not bit-reproducible.
  For& reproducible_within(double difference) {
    tolerance_ = difference;
    return *this;
  }
  /// Declares that the node shares its work out over the ranks of an MPI run (see
  /// blindspot/ranks.hpp): every rank runs it with the same inputs and combines the shares.
  For& across_ranks() {
    across_ranks_ = true;
    return *this;
  }

  /// Declares how people name a model made with given parameters (see display_name()).
  For& named_by(std::function<std::string(const ValidatedParams&)> name) {
    display_name_ = std::move(name);
    return *this;
  }
  /// For a report plugin: declares that it builds the tables `id` (as `reproduces:` names it).
  For& provides(std::string id, std::string title) {
    provides_.emplace_back(std::move(id), std::move(title));
    return *this;
  }

  /// Declares parameter `key` stored in `member`, with its default and one-line doc.
  template <class M, class D>
  For& param(M P::*member, std::string key, const D& default_value, std::string doc) {
    return add<M>(std::move(key), default_value, std::move(doc),
                  [member](P& params) -> M& { return params.*member; });
  }
  /// Declares parameter `key` stored in `field` of the member struct `group` (shared groups of
  /// parameters, such as TrainingOptions).
  template <class G, class M, class D>
  For& param(G P::*group, M G::*field, std::string key, const D& default_value, std::string doc) {
    return add<M>(std::move(key), default_value, std::move(doc),
                  [group, field](P& params) -> M& { return (params.*group).*field; });
  }
  /// Declares parameter `key`: another plugin of `kind` used inside this one (an optimiser in an
  /// attack), written {plugin: NAME, its parameters...}. The host validates the inner
  /// parameters against that plugin's schema and fills its defaults.
  For& component(Value P::*member, std::string key, PluginKind kind, std::string default_plugin,
                 std::string doc) {
    param(member, std::move(key),
          Value::of(std::map<std::string, Value>{{"plugin", Value::of(std::move(default_plugin))}}),
          std::move(doc));
    params_.back().component = kind;
    return *this;
  }
  /// The same, stored in `field` of the member struct `group` (shared groups of parameters).
  template <class G>
  For& component(G P::*group, Value G::*field, std::string key, PluginKind kind,
                 std::string default_plugin, std::string doc) {
    param(group, field, std::move(key),
          Value::of(std::map<std::string, Value>{{"plugin", Value::of(std::move(default_plugin))}}),
          std::move(doc));
    params_.back().component = kind;
    return *this;
  }
  /// Inclusive range of the last parameter (applies to each element of a list).
  For& range(double min, double max) {
    params_.back().min = min;
    params_.back().max = max;
    return *this;
  }
  /// Lower bound only, for the last parameter.
  For& at_least(double min) {
    params_.back().min = min;
    return *this;
  }
  /// Exclusive lower bound only ("> min"), for the last parameter.
  For& above(double min) {
    params_.back().min = min;
    params_.back().min_exclusive = true;
    return *this;
  }
  /// Allowed strings of the last parameter.
  For& choices(std::vector<std::string> allowed) {
    params_.back().choices = std::move(allowed);
    return *this;
  }
  /// Marks the last parameter as not changing results (progress, threads): not in the cache key.
  For& untracked() {
    params_.back().affects_results = false;
    return *this;
  }
  /// Marks the last (string) parameter as a file path whose contents are part of the cache
  /// key, so a changed file is recomputed on --resume.
  For& file() {
    params_.back().names_file = true;
    return *this;
  }
  /// Declares an input port taking one node's product of kind T.
  template <class T>
  For& input(std::string port, std::string doc) {
    inputs_.push_back({std::move(port), T::product_kind(), std::move(doc), false});
    return *this;
  }
  /// Declares an input port taking one node's product of kind T that an experiment may leave
  /// out; the plugin asks Inputs::has() before reading it.
  template <class T>
  For& optional_input(std::string port, std::string doc) {
    inputs_.push_back({std::move(port), T::product_kind(), std::move(doc), false, true});
    return *this;
  }
  /// Declares an input port taking a list of nodes' products of kind T.
  template <class T>
  For& inputs(std::string port, std::string doc) {
    inputs_.push_back({std::move(port), T::product_kind(), std::move(doc), true});
    return *this;
  }
  /// Declares an output port producing a product of kind T.
  template <class T>
  For& output(std::string port, std::string doc) {
    outputs_.push_back({std::move(port), T::product_kind(), std::move(doc), false});
    return *this;
  }
  /// The same four, for a port declared as a Port<T>.
  template <class T>
  For& input(const Port<T>& port, std::string doc) {
    return input<T>(port.name, std::move(doc));
  }
  template <class T>
  For& optional_input(const Port<T>& port, std::string doc) {
    return optional_input<T>(port.name, std::move(doc));
  }
  template <class T>
  For& inputs(const Port<T>& port, std::string doc) {
    return inputs<T>(port.name, std::move(doc));
  }
  template <class T>
  For& output(const Port<T>& port, std::string doc) {
    return output<T>(port.name, std::move(doc));
  }

 private:
  /// Adds a parameter of type M whose storage `slot(params)` returns.
  template <class M, class D, class Slot>
  For& add(std::string key, const D& default_value, std::string doc, Slot slot) {
    using Traits = detail::ParamType<M>;
    ParamSpec spec;
    spec.name = std::move(key);
    spec.type = Traits::type;
    if constexpr (Traits::type == ValueType::list) spec.element_type = Traits::element;
    if constexpr (std::is_same_v<D, Value>) {
      spec.default_value = default_value;
    } else if constexpr (std::is_same_v<M, double>) {
      spec.default_value = Value::of(static_cast<double>(default_value));
    } else {
      spec.default_value = Value::of(M(default_value));
    }
    spec.doc = std::move(doc);
    spec.assign = [slot](void* params, const Value& v) {
      slot(*static_cast<P*>(params)) = Traits::get(v);
    };
    params_.push_back(std::move(spec));
    return *this;
  }
};

template <class P>
Schema::For<P> Schema::of(std::string doc) {
  return For<P>(std::move(doc));
}

}  // namespace blindspot
