// One layer's activations over many images, reduced batch by batch.
#include "layer_scores.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <functional>

#include "blindspot/error.hpp"

namespace blindspot::units {

namespace {

std::string names_of(const std::vector<Layer>& layers) {
  std::vector<std::string> names;
  for (const Layer& layer : layers) names.push_back(layer.name);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

/// Calls `use(phi, start)` with phi = float64 [n, D], the flattened activations of images
/// [start, start + n), without keeping more than one batch of activations.
void for_each_batch(const Classifier& net, const std::string& layer, const at::Tensor& images,
                    std::int64_t batch,
                    const std::function<void(const at::Tensor&, std::int64_t)>& use) {
  torch::NoGradGuard no_grad;
  for (std::int64_t start = 0; start < images.size(0); start += batch) {
    const std::int64_t count = std::min(batch, images.size(0) - start);
    use(net.activations(layer, images.narrow(0, start, count)).flatten(1).to(torch::kDouble),
        start);
  }
}

}  // namespace

std::string default_layer(const std::vector<Layer>& layers) {
  for (std::size_t i = layers.size(); i-- > 1;)
    if (layers[i].kind == LayerKind::linear) return layers[i - 1].name;
  throw Error("", fmt::format("the model has no layer before a last linear layer, so 'layer' "
                              "has no default; name one of its layers: {}",
                              names_of(layers)));
}

std::int64_t layer_width(const std::vector<Layer>& layers, const std::string& layer) {
  for (const Layer& candidate : layers)
    if (candidate.name == layer) {
      std::int64_t width = 1;
      for (std::int64_t size : candidate.output_shape) width *= size;
      return width;
    }
  throw Error(
      "", fmt::format("the model has no layer '{}'; its layers are: {}", layer, names_of(layers)));
}

at::Tensor varying_units(const Classifier& net, const std::string& layer, const at::Tensor& images,
                         std::int64_t batch) {
  at::Tensor low, high;
  for_each_batch(net, layer, images, batch, [&](const at::Tensor& phi, std::int64_t start) {
    low = start == 0 ? std::get<0>(phi.min(0)) : torch::minimum(low, std::get<0>(phi.min(0)));
    high = start == 0 ? std::get<0>(phi.max(0)) : torch::maximum(high, std::get<0>(phi.max(0)));
  });
  return high.gt(low);
}

at::Tensor projections(const Classifier& net, const std::string& layer, const at::Tensor& images,
                       const at::Tensor& directions, std::int64_t batch) {
  const at::Tensor basis = directions.to(torch::kDouble).t();
  at::Tensor scores = torch::empty({images.size(0), directions.size(0)}, torch::kDouble);
  for_each_batch(net, layer, images, batch, [&](const at::Tensor& phi, std::int64_t start) {
    if (phi.size(1) != basis.size(0))
      throw Error("", fmt::format("layer '{}' gives {} values per image, not the {} its "
                                  "description lists",
                                  layer, phi.size(1), basis.size(0)));
    scores.narrow(0, start, phi.size(0)).copy_(phi.matmul(basis));
  });
  return scores;
}

}  // namespace blindspot::units
