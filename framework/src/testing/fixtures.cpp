// Fixtures for plugin tests: a model trained on the tiny data set, its parts, a scratch folder.
#include <unistd.h>

#include "blindspot/error.hpp"
#include "blindspot/products.hpp"
#include "blindspot/testing.hpp"

namespace blindspot::testing {

namespace {

/// The product connected as `port`, or an Error naming the port.
const Product& connected(const Connections& inputs, const std::string& port) {
  for (const auto& [name, product] : inputs)
    if (name == port && product) return *product;
  throw Error(port, "nothing is connected on this port");
}

}  // namespace

Connections trained_on_tiny(const std::string& plugin, const std::string& with_yaml,
                            std::int64_t count) {
  const auto tiny = tiny_dataset(count);
  const auto model = run_node(plugin, with_yaml, {{"data", tiny}}).find("model");
  if (!model) throw Error(plugin, "the model plugin produced no 'model'");
  return {{"model", model}, {"data", tiny}};
}

const Classifier& model_in(const Connections& inputs) {
  return *dynamic_cast<const Model&>(connected(inputs, "model")).net;
}

const LabelledImages& split_in(const Connections& inputs, const std::string& split) {
  return dynamic_cast<const Dataset&>(connected(inputs, "data")).split(split);
}

const std::filesystem::path& scratch_folder() {
  /// Owns the folder: creates it, and removes it at exit.
  struct Scratch {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("blindspot_test_" + std::to_string(::getpid()));
    Scratch() { std::filesystem::create_directories(dir); }
    ~Scratch() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.dir;
}

}  // namespace blindspot::testing
