// ScriptClassifier: loading, running and describing a TorchScript module.
#include "script_classifier.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <limits>
#include <map>

#include "blindspot/error.hpp"
#include "blindspot/suggest.hpp"

namespace blindspot {

namespace {

// The class name without its module path: "Linear" for "__torch__.torch.nn.modules.linear.Linear".
std::string class_name(const torch::jit::Module& module) {
  return module.type()->name() ? module.type()->name()->name() : "";
}

// Children in order, with nested Sequentials replaced by their children ("block.0").
void flatten_children(const torch::jit::Module& module, const std::string& prefix,
                      std::vector<std::pair<std::string, torch::jit::Module>>& out) {
  for (const auto& child : module.named_children()) {
    if (class_name(child.value) == "Sequential")
      flatten_children(child.value, prefix + child.name + ".", out);
    else
      out.emplace_back(prefix + child.name, child.value);
  }
}

// An int (for both dimensions), or a tuple or list of ints; empty if it is anything else.
std::vector<std::int64_t> ints(const torch::jit::Module& module, const char* name) {
  const c10::IValue value = module.hasattr(name) ? module.attr(name) : c10::IValue();
  if (value.isInt()) return {value.toInt(), value.toInt()};
  if (value.isIntList()) return value.toIntVector();
  if (value.isString() && value.toStringRef() == "valid") return {0, 0};
  std::vector<std::int64_t> out;
  if (value.isTuple())
    for (const c10::IValue& item : value.toTupleRef().elements()) {
      if (!item.isInt()) return {};
      out.push_back(item.toInt());
    }
  return out;
}

at::Tensor tensor(const torch::jit::Module& module, const char* name) {
  const c10::IValue value = module.hasattr(name) ? module.attr(name) : c10::IValue();
  return value.isTensor() ? value.toTensor().detach() : at::Tensor();
}

// A BatchNorm's eps: an attribute, or a class constant as torch.jit.script stores it
// (`__constants__`); NaN when the module has neither, so no bound is made up from it.
double batch_norm_eps(const torch::jit::Module& module) {
  if (module.hasattr("eps")) return module.attr("eps").toDouble();
  if (module.type()->hasConstant("eps")) return module.type()->getConstant("eps").toDouble();
  return std::numeric_limits<double>::quiet_NaN();
}

// What the analyses need to know of one submodule, recognised by its torch.nn class name.
Layer describe(const std::string& name, const torch::jit::Module& module) {
  static const std::map<std::string, LayerKind> kinds = {
      {"Linear", LayerKind::linear},      {"Conv2d", LayerKind::conv2d},
      {"ReLU", LayerKind::relu},          {"Sigmoid", LayerKind::sigmoid},
      {"Tanh", LayerKind::tanh},          {"MaxPool2d", LayerKind::max_pool},
      {"AvgPool2d", LayerKind::avg_pool}, {"BatchNorm2d", LayerKind::batch_norm},
      {"Flatten", LayerKind::flatten}};
  Layer layer;
  layer.name = name;
  auto found = kinds.find(class_name(module));
  layer.kind = found == kinds.end() ? LayerKind::other : found->second;
  if (layer.kind == LayerKind::linear || layer.kind == LayerKind::conv2d ||
      layer.kind == LayerKind::batch_norm) {
    layer.weight = tensor(module, "weight");
    layer.bias = tensor(module, "bias");
  }
  if (layer.kind == LayerKind::conv2d || layer.kind == LayerKind::max_pool ||
      layer.kind == LayerKind::avg_pool) {
    layer.kernel = ints(module, "kernel_size");
    layer.stride = ints(module, "stride");
    layer.padding = ints(module, "padding");
  }
  if (layer.kind == LayerKind::conv2d && layer.weight.defined() && layer.weight.dim() == 4)
    layer.kernel = {layer.weight.size(2), layer.weight.size(3)};
  if (layer.kind == LayerKind::batch_norm) {
    layer.running_var = tensor(module, "running_var");
    layer.eps = batch_norm_eps(module);
  }
  return layer;
}

// A batch of n inputs of `shape`.
std::vector<std::int64_t> batch_of(std::int64_t n, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> out = {n};
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

// One value per channel, shaped [channels, 1, ...] to broadcast over a batch of inputs with
// `axes` axes each; undefined when `values` is empty.
at::Tensor per_channel(const std::vector<double>& values, std::size_t axes) {
  if (values.empty()) return {};
  std::vector<std::int64_t> shape(axes, 1);
  shape[0] = static_cast<std::int64_t>(values.size());
  return torch::tensor(values, torch::kFloat).reshape(shape);
}

std::vector<std::int64_t> per_sample(const at::Tensor& t) {
  return std::vector<std::int64_t>(t.sizes().begin() + 1, t.sizes().end());
}

}  // namespace

ScriptClassifier::ScriptClassifier(std::string path, torch::jit::Module module,
                                   std::vector<std::int64_t> input_shape, double low, double high,
                                   const std::vector<double>& mean,
                                   const std::vector<double>& stddev, std::int64_t classes)
    : path_(std::move(path)),
      module_(std::move(module)),
      input_shape_(std::move(input_shape)),
      low_(low),
      high_(high),
      mean_(per_channel(mean, input_shape_.size())),
      stddev_(per_channel(stddev, input_shape_.size())),
      classes_(classes) {
  module_.eval();
  flatten_children(module_, "", leaves_);
  chain_ = runs_as_chain();
}

at::Tensor ScriptClassifier::model_input(const at::Tensor& images) const {
  if (images[0].numel() != c10::multiply_integers(input_shape_))
    throw Error(path_, fmt::format("images of shape {} do not fit input_shape {}",
                                   shape_text(images.sizes().slice(1)), shape_text(input_shape_)));
  const at::Tensor x =
      images.reshape(batch_of(images.size(0), input_shape_)) * (high_ - low_) + low_;
  return mean_.defined() ? (x - mean_) / stddev_ : x;
}

// Whether running the leaves in order reproduces forward() on a random batch.
bool ScriptClassifier::runs_as_chain() const {
  if (leaves_.empty()) return false;
  torch::NoGradGuard no_grad;
  const at::Tensor x =
      model_input(torch::rand(batch_of(2, input_shape_), at::detail::createCPUGenerator(1)));
  try {
    at::Tensor y = x;
    for (const auto& [name, leaf] : leaves_) {
      if (!leaf.find_method("forward")) return false;
      y = torch::jit::Module(leaf).forward({y}).toTensor();
    }
    at::Tensor z = module_.forward({x}).toTensor();
    return y.sizes() == z.sizes() && torch::allclose(y, z, 1e-5, 1e-6);
  } catch (const std::exception&) {
    return false;
  }
}

at::Tensor ScriptClassifier::logits(const at::Tensor& images) const {
  return module_.forward({model_input(images)}).toTensor();
}

TensorMap ScriptClassifier::state() const {
  TensorMap out;
  for (const auto& item : module_.named_parameters()) out[item.name] = item.value.detach().clone();
  for (const auto& item : module_.named_buffers()) out[item.name] = item.value.detach().clone();
  return out;
}

void ScriptClassifier::load_state(const TensorMap& state) {
  check_state_fits(this->state(), state, path_);
  torch::NoGradGuard no_grad;
  for (const auto& item : module_.named_parameters()) item.value.copy_(state.at(item.name));
  for (const auto& item : module_.named_buffers()) item.value.copy_(state.at(item.name));
}

std::vector<Layer> ScriptClassifier::layers() const {
  std::vector<Layer> out;
  for (const auto& [name, leaf] : leaves_) out.push_back(describe(name, leaf));
  if (!chain_) return out;
  torch::NoGradGuard no_grad;
  at::Tensor x = torch::zeros(batch_of(1, input_shape_));
  for (std::size_t i = 0; i < leaves_.size(); ++i) {
    out[i].input_shape = per_sample(x);
    x = torch::jit::Module(leaves_[i].second).forward({x}).toTensor();
    out[i].output_shape = per_sample(x);
  }
  return out;
}

at::Tensor ScriptClassifier::activations(const std::string& layer, const at::Tensor& images) const {
  if (!chain_)
    throw Error(path_, fmt::format("activations of '{}' are unavailable: the model is not a plain "
                                   "chain of its submodules",
                                   layer));
  at::Tensor x = model_input(images);
  std::vector<std::string> names;
  for (const auto& [name, leaf] : leaves_) {
    x = torch::jit::Module(leaf).forward({x}).toTensor();
    if (name == layer) return x;
    names.push_back(name);
  }
  throw Error(path_, fmt::format("model has no layer '{}'{}", layer, suggestion(layer, names)));
}

}  // namespace blindspot
