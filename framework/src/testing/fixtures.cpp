// Fixtures for plugin tests: a model trained on the tiny data set, its parts, hand-made data
// sets, a scratch folder.
#include <torch/torch.h>
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

std::shared_ptr<const Dataset> hand_made_dataset(const at::Tensor& images,
                                                 const std::vector<std::int64_t>& labels,
                                                 std::int64_t classes, std::int64_t first_index,
                                                 const std::string& split) {
  const auto n = static_cast<std::int64_t>(labels.size());
  auto dataset = std::make_shared<Dataset>();
  dataset->source = "hand-made";
  dataset->num_classes = classes;
  dataset->splits[split] = {images, torch::tensor(labels),
                            torch::arange(first_index, first_index + n)};
  return dataset;
}

at::Tensor images_from_rows(const std::vector<std::vector<float>>& rows,
                            std::vector<std::int64_t> shape) {
  std::int64_t pixels = 1;
  for (std::int64_t size : shape) pixels *= size;
  std::vector<float> flat;
  for (const auto& row : rows) {
    if (static_cast<std::int64_t>(row.size()) != pixels)
      throw Error("images_from_rows", "a row of " + std::to_string(row.size()) +
                                          " pixels for images of " + std::to_string(pixels));
    flat.insert(flat.end(), row.begin(), row.end());
  }
  shape.insert(shape.begin(), static_cast<std::int64_t>(rows.size()));
  return torch::tensor(flat).view(shape);
}

std::vector<std::int64_t> int64_values(const at::Tensor& t) {
  const at::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
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
