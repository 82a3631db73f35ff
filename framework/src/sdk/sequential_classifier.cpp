// SequentialClassifier: logits, state, layers and activations from named torch::nn children.
#include "blindspot/sequential_classifier.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <set>

#include "blindspot/error.hpp"
#include "blindspot/suggest.hpp"

namespace blindspot {

namespace {

std::vector<std::int64_t> shape_of(const at::Tensor& t) {
  return std::vector<std::int64_t>(t.sizes().begin() + 1, t.sizes().end());
}

template <std::size_t N>
std::vector<std::int64_t> values(const torch::ExpandingArray<N>& a) {
  return std::vector<std::int64_t>(a->begin(), a->end());
}

/// What the analyses need to know of one child module.
Layer describe_child(const std::string& name, torch::nn::Module& child) {
  Layer layer;
  layer.name = name;
  if (auto* linear = child.as<torch::nn::Linear>()) {
    layer.kind = LayerKind::linear;
    layer.weight = linear->weight.detach();
    layer.bias = linear->bias.defined() ? linear->bias.detach() : at::Tensor();
  } else if (auto* conv = child.as<torch::nn::Conv2d>()) {
    layer.kind = LayerKind::conv2d;
    layer.weight = conv->weight.detach();
    layer.bias = conv->bias.defined() ? conv->bias.detach() : at::Tensor();
    layer.kernel = values(conv->options.kernel_size());
    layer.stride = values(conv->options.stride());
    if (const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&conv->options.padding()))
      layer.padding = values(*padding);
  } else if (auto* pool = child.as<torch::nn::MaxPool2d>()) {
    layer.kind = LayerKind::max_pool;
    layer.kernel = values(pool->options.kernel_size());
    layer.stride = values(pool->options.stride());
    layer.padding = values(pool->options.padding());
  } else if (auto* avg = child.as<torch::nn::AvgPool2d>()) {
    layer.kind = LayerKind::avg_pool;
    layer.kernel = values(avg->options.kernel_size());
    layer.stride = values(avg->options.stride());
    layer.padding = values(avg->options.padding());
  } else if (auto* norm = child.as<torch::nn::BatchNorm2d>()) {
    layer.kind = LayerKind::batch_norm;
    layer.weight = norm->weight.detach();
    layer.bias = norm->bias.detach();
    layer.running_var = norm->running_var.detach();
    layer.eps = norm->options.eps();
  } else if (child.as<torch::nn::ReLU>()) {
    layer.kind = LayerKind::relu;
  } else if (child.as<torch::nn::Sigmoid>()) {
    layer.kind = LayerKind::sigmoid;
  } else if (child.as<torch::nn::Tanh>()) {
    layer.kind = LayerKind::tanh;
  } else if (child.as<torch::nn::Flatten>()) {
    layer.kind = LayerKind::flatten;
  }
  return layer;
}

}  // namespace

SequentialClassifier::SequentialClassifier(torch::nn::Sequential net,
                                           std::vector<std::int64_t> input_shape,
                                           std::int64_t classes)
    : net_(std::move(net)), input_shape_(std::move(input_shape)), classes_(classes) {}

at::Tensor SequentialClassifier::logits(const at::Tensor& images) const {
  return net_.ptr()->forward(images);
}

TensorMap SequentialClassifier::state() const {
  TensorMap out;
  auto add = [&out](const std::string& prefix, const torch::nn::Module& module) {
    for (const auto& item : module.named_parameters()) out[prefix + item.key()] = item.value();
    for (const auto& item : module.named_buffers()) out[prefix + item.key()] = item.value();
  };
  add("", *net_);
  for (const auto& [name, module] : kept_) add(name + ".", *module);
  for (auto& [name, tensor] : out) tensor = tensor.detach().clone();
  return out;
}

void SequentialClassifier::load_state(const TensorMap& state) {
  check_state_fits(this->state(), state);
  torch::NoGradGuard no_grad;
  auto copy = [&state](const std::string& prefix, torch::nn::Module& module) {
    for (auto& item : module.named_parameters()) item.value().copy_(state.at(prefix + item.key()));
    for (auto& item : module.named_buffers()) item.value().copy_(state.at(prefix + item.key()));
  };
  copy("", *net_);
  for (auto& [name, module] : kept_) copy(name + ".", *module);
}

std::vector<Layer> SequentialClassifier::layers() const {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> batch_shape = {1};
  batch_shape.insert(batch_shape.end(), input_shape_.begin(), input_shape_.end());
  at::Tensor x = torch::zeros(batch_shape);
  std::vector<Layer> out;
  auto module = net_.ptr()->begin();
  for (const auto& item : net_->named_children()) {
    Layer layer = describe_child(item.key(), *item.value());
    layer.input_shape = shape_of(x);
    x = (module++)->forward(x);
    layer.output_shape = shape_of(x);
    out.push_back(std::move(layer));
  }
  return out;
}

at::Tensor SequentialClassifier::activations(const std::string& layer,
                                             const at::Tensor& images) const {
  at::Tensor x = images;
  std::vector<std::string> names;
  auto module = net_.ptr()->begin();
  for (const auto& item : net_->named_children()) {
    x = (module++)->forward(x);
    if (item.key() == layer) return x;
    names.push_back(item.key());
  }
  throw Error("", fmt::format("model has no layer '{}'{}", layer, suggestion(layer, names)));
}

void SequentialClassifier::keep(const std::string& name,
                                std::shared_ptr<torch::nn::Module> module) {
  kept_.emplace_back(name, std::move(module));
}

std::vector<at::Tensor> SequentialClassifier::parameters() const {
  return net_->parameters();
}

at::Tensor SequentialClassifier::weight(const std::string& child) const {
  for (const auto& item : net_->named_children())
    if (item.key() == child) {
      // The dictionary is held by name: find() points into it.
      const auto parameters = item.value()->named_parameters(/*recurse=*/false);
      if (const at::Tensor* weight = parameters.find("weight")) return *weight;
    }
  throw Error("", fmt::format("model has no layer '{}' with a weight", child));
}

}  // namespace blindspot
