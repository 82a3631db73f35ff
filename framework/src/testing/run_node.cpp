// Running one plugin node through the real loader, for plugin tests.
#include <ATen/ATen.h>
#include <torch/torch.h>

#include "blindspot/testing.hpp"
#include "graph/params.hpp"
#include "graph/yaml_value.hpp"
#include "runner/context.hpp"
#include "test_registry.hpp"

namespace blindspot::testing {

namespace {

struct Prepared {
  std::unique_ptr<Node> node;
  Inputs inputs;
};

Prepared prepare(const std::string& plugin, const std::string& with_yaml,
                 const Connections& connections) {
  const host::LoadedPlugin& loaded = find_plugin(plugin);
  std::vector<ParamProblem> problems;
  ValidatedParams params = host::validate_params(test_registry(), loaded.schema,
                                                 host::parse_value_map(with_yaml), problems);
  if (!problems.empty()) throw Error(plugin, problems.front().message);
  Prepared out{loaded.entry->create(params), {}};
  for (const auto& [port, product] : connections) out.inputs.add(port, {port, product});
  return out;
}

}  // namespace

Outputs run_node(const std::string& plugin, const std::string& with_yaml, const Connections& inputs,
                 std::uint64_t seed) {
  Prepared p = prepare(plugin, with_yaml, inputs);
  host::HostContext ctx(test_registry(), plugin, seed, 1, false, nullptr);
  torch::manual_seed(seed);
  Outputs out;
  p.node->execute(plugin, p.inputs, out, ctx);
  return out;
}

AdversarialSet run_attack(const std::string& plugin, const std::string& with_yaml,
                          const Connections& inputs, std::uint64_t seed) {
  return product_of<AdversarialSet>(run_node(plugin, with_yaml, inputs, seed), "adversarial");
}

Outputs round_trip(const std::string& plugin, const std::string& with_yaml,
                   const Connections& inputs, const Outputs& outputs) {
  Prepared p = prepare(plugin, with_yaml, inputs);
  StoredProducts stored;
  for (const auto& [port, product] : outputs.all()) {
    Record record = product->save();
    record.attributes["kind"] = kind_name(product->kind());
    for (auto& [name, tensor] : record.tensors) tensor = tensor.clone();
    stored[port] = record;
  }
  host::HostContext ctx(test_registry(), plugin, 1, 1, false, nullptr);
  Outputs out;
  p.node->restore(stored, p.inputs, out, ctx);
  return out;
}

const PluginEntry& plugin_entry(const std::string& plugin) {
  return *find_plugin(plugin).entry;
}

std::unique_ptr<Node> create_component(const std::string& plugin, PluginKind kind,
                                       const std::map<std::string, Value>& given) {
  const host::LoadedPlugin* loaded = test_registry().find(plugin);
  if (!loaded || loaded->entry->kind != kind)
    throw Error(plugin, std::string("no ") + kind_name(kind) + " plugin of this name");
  std::vector<ParamProblem> problems;
  ValidatedParams params = host::validate_params(test_registry(), loaded->schema, given, problems);
  if (!problems.empty()) throw Error(plugin, problems.front().message);
  return loaded->entry->create(params);
}

std::unique_ptr<RunContext> context(std::uint64_t seed) {
  return std::make_unique<host::HostContext>(test_registry(), "test", seed, 1, false, nullptr);
}

std::shared_ptr<const Dataset> tiny_dataset(std::int64_t count, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  at::Tensor labels = at::arange(count, at::kLong).remainder(2);
  at::Tensor images = at::rand({count, 1, 28, 28}, gen) * 0.3;
  // Class 0 is bright in the top half, class 1 in the bottom half.
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t row = labels[i].item<std::int64_t>() == 0 ? 0 : 14;
    images[i].narrow(1, row, 14).add_(0.6);
  }
  auto data = std::make_shared<Dataset>();
  data->source = "tiny";
  data->num_classes = 2;
  at::Tensor indices = at::arange(count, at::kLong);
  std::int64_t half = count / 2;
  data->splits["train"] = LabelledImages{images.narrow(0, 0, half), labels.narrow(0, 0, half),
                                         indices.narrow(0, 0, half)};
  data->splits["test"] =
      LabelledImages{images.narrow(0, half, count - half), labels.narrow(0, half, count - half),
                     indices.narrow(0, half, count - half)};
  return data;
}

}  // namespace blindspot::testing
