// Running one plugin node on its own, through the real loader, for a plugin's tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"

namespace blindspot::testing {

/// Products connected by port name, e.g. {{"model", model}, {"data", data}}.
using Connections = std::vector<std::pair<std::string, std::shared_ptr<const Product>>>;

/// Also loads the plugins in `dir`. Tests load plugins on first use from the added folders (in
/// order), then from the blindspot build's plugin folder and BLINDSPOT_PLUGIN_PATH, as the
/// blindspot program does; the first library to provide a name wins, so a plugin under test is
/// used even when the blindspot build has one of the same name. A folder added after first use
/// is loaded at once. Tests built by blindspot_add_plugin add their plugin's folder themselves.
void add_plugin_folder(const std::string& dir);

#ifdef BLINDSPOT_TESTED_PLUGIN_DIR
namespace detail {
/// Adds the folder blindspot_add_plugin built this test's plugin into, before main() runs.
inline const bool tested_plugin_folder_added =
    (add_plugin_folder(BLINDSPOT_TESTED_PLUGIN_DIR), true);
}  // namespace detail
#endif

/// Finds `plugin` among the loaded plugins (see add_plugin_folder), validates `with_yaml` (a YAML
/// map such as "{epsilon: 0.25}") against its schema, runs it on `inputs` and returns its
/// outputs. Validation problems and plugin failures are thrown as blindspot::Error.
Outputs run_node(const std::string& plugin, const std::string& with_yaml, const Connections& inputs,
                 std::uint64_t seed = 1);

/// run_node of attack `plugin`: its AdversarialSet on port "adversarial"; throws Error if none.
AdversarialSet run_attack(const std::string& plugin, const std::string& with_yaml,
                          const Connections& inputs, std::uint64_t seed = 1);

/// Saves every output as the archive would and restores it through the plugin's restore().
Outputs round_trip(const std::string& plugin, const std::string& with_yaml,
                   const Connections& inputs, const Outputs& outputs);

/// The built-in dataset node on a small, generated, deterministic data set: `count` images of
/// 28x28 in two separable classes, split into train/test halves. No files are read.
std::shared_ptr<const Dataset> tiny_dataset(std::int64_t count = 64, std::uint64_t seed = 1);

/// Model plugin `plugin` trained with `with_yaml` on tiny_dataset(`count`), connected with that
/// data set as {{"model", ...}, {"data", ...}}: the inputs of an attack or analysis under test.
Connections trained_on_tiny(const std::string& plugin, const std::string& with_yaml,
                            std::int64_t count = 64);

/// A "hand-made" Dataset of `classes` classes; `split` holds images, labels, first_index + i.
std::shared_ptr<const Dataset> hand_made_dataset(const at::Tensor& images,
                                                 const std::vector<std::int64_t>& labels,
                                                 std::int64_t classes, std::int64_t first_index = 0,
                                                 const std::string& split = "test");

/// Images [rows.size(), shape...], one row of pixels each; throws Error on a row of another size.
at::Tensor images_from_rows(const std::vector<std::vector<float>>& rows,
                            std::vector<std::int64_t> shape);

/// The classifier connected as "model"; throws Error when there is none.
const Classifier& model_in(const Connections& inputs);

/// The split `split` of the data set connected as "data"; throws Error when there is none.
const LabelledImages& split_in(const Connections& inputs, const std::string& split);

/// A folder for this test program's files under the temporary directory, created on first use
/// and removed with its contents when the program exits.
const std::filesystem::path& scratch_folder();

/// The entry of `plugin` among the loaded plugins, as the real loader found it.
const PluginEntry& plugin_entry(const std::string& plugin);

/// A component plugin (an optimiser, a search) of `kind`, with `given` parameters validated by
/// its schema; throws Error on any problem.
std::unique_ptr<Node> create_component(const std::string& plugin, PluginKind kind,
                                       const std::map<std::string, Value>& given);

/// create_component as the plugin's type T (Optimiser, Search).
template <class T>
std::unique_ptr<T> make_component(const std::string& plugin,
                                  const std::map<std::string, Value>& given = {}) {
  return std::unique_ptr<T>(
      static_cast<T*>(create_component(plugin, T::plugin_kind, given).release()));
}

/// A RunContext for calling components directly: `seed`, one thread, no output.
std::unique_ptr<RunContext> context(std::uint64_t seed = 1);

/// A Model whose logits are images.flatten(1) @ weight^T (+ bias when given): a classifier
/// whose gradients and decision regions tests can work out by hand. It has no layers.
std::shared_ptr<const Model> linear_model(const at::Tensor& weight, const at::Tensor& bias = {});

/// The message of the blindspot::Error that `f` throws; "" when it throws none.
std::string error_of(const std::function<void()>& f);

/// The product on `port` of `out`, as T; throws Error if it is missing or of another kind.
template <class T>
const T& product_of(const Outputs& out, const std::string& port) {
  std::shared_ptr<const Product> product = out.find(port);
  if (!product || product->kind() != T::product_kind())
    throw Error(port, std::string("no ") + kind_name(T::product_kind()) + " on this port");
  return static_cast<const T&>(*product);
}

/// The elements of `t` as int64, in order, e.g. for comparing labels with a std::vector.
std::vector<std::int64_t> int64_values(const at::Tensor& t);

/// The classifier on port "model" of a model node's outputs.
inline const Classifier& classifier_of(const Outputs& out) {
  return *product_of<Model>(out, "model").net;
}

/// Checks input_gradient() against central finite differences (step `eps`) of the summed
/// cross-entropy of `labels`, at the `pixels` pixels with the largest gradient; returns the
/// largest difference |numeric - analytic| / (1 + |analytic|).
double gradient_error(const Classifier& model, const at::Tensor& images, const at::Tensor& labels,
                      int pixels = 5, double eps = 1e-2);

}  // namespace blindspot::testing
