// The spectral analysis plugin: an upper Lipschitz bound of each layer of a model and their
// product (Szegedy et al., Table 5), and an empirical lower bound from input Jacobians.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <iterator>
#include <string>
#include <vector>

#include "blindspot/plugin.hpp"
#include "blindspot/samples.hpp"
#include "jacobian.hpp"
#include "layer_bounds.hpp"

namespace {

using namespace blindspot;
using namespace blindspot::spectral;

/// The ports of the spectral node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<Table> kLayers{"layers"};
const Port<Table> kSummary{"summary"};

/// The spectral node: bounds every layer, multiplies the bounds and measures input Jacobians.
class Spectral final : public Node {
 public:
  struct Params {
    std::string method;
    double tolerance;
    std::int64_t max_iterations;
    std::string sample;
    SampleSelection selection;
    std::int64_t batch;
    bool every_layer;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Upper Lipschitz bound of each layer and of the network (Szegedy et al. Table 5), "
               "and a lower bound from input Jacobians")
        .param(&Params::method, "method", "lanczos",
               "how the norms of linear, conv and average-pooling layers and of the input "
               "Jacobians are found: lanczos (restarted every 30 steps) or power (power iteration)")
        .choices({"lanczos", "power"})
        .param(&Params::tolerance, "tolerance", 1e-6,
               "stop when no estimate changes by more than this fraction in one step")
        .range(0, 1)
        .param(&Params::max_iterations, "max_iterations", 1000,
               "most steps (Gram operator applications) per norm")
        .range(1, 1e7)
        .param(&Params::sample, "sample", "data",
               "images of the lower bound: data (the split's) or uniform (noise in [0, 1] of the "
               "model's input shape; the dataset is then unused)")
        .choices({"data", "uniform"})
        .param(&Params::selection, &SampleSelection::split, "split", "test",
               "split of the dataset the lower bound is taken over")
        .param(&Params::selection, &SampleSelection::count, "count", 100,
               "images the lower bound is taken over (all of the split if fewer)")
        .at_least(1)
        .param(&Params::selection, &SampleSelection::offset, "offset", 0,
               "first image of the split")
        .at_least(0)
        .param(&Params::batch, "batch", 100, "images per Jacobian batch")
        .range(1, 1e6)
        .untracked()
        .param(&Params::every_layer, "every_layer", false,
               "also list the ReLU, tanh and flatten layers, whose bound is 1")
        .input(kModel, "classifier to analyse")
        .optional_input(kData, "images for the lower bound (sample: data)")
        .output(kLayers,
                "per layer: stride, fourier (periodic padding), the iterative norm as the "
                "layer runs and its steps, the bound used and the running product")
        .output(kSummary,
                "product of the layer bounds (upper bound), largest and median "
                "input-Jacobian norm (lower bound), images");
  }

  explicit Spectral(const Params& p) : p_(p) {}

 private:
  IterationOptions options() const {
    return {p_.method == "power" ? Iteration::power : Iteration::lanczos, p_.tolerance,
            p_.max_iterations};
  }

  std::vector<LayerBound> bound_layers(const std::vector<Layer>& layers, at::Generator& generator,
                                       RunContext& ctx) const {
    std::vector<LayerBound> bounds;
    auto progress = ctx.progress("layers", static_cast<std::int64_t>(layers.size()));
    for (const Layer& layer : layers) {
      bounds.push_back(bound_layer(layer, options(), generator));
      const LayerBound& bound = bounds.back();
      if (!bound.unknown.empty())
        ctx.log(fmt::format("{}: no bound, so no product: {}", layer.name, bound.unknown));
      if (!bound.converged)
        ctx.log(fmt::format("{}: {} stopped at max_iterations {}; its norm may be low", layer.name,
                            p_.method, p_.max_iterations));
      progress->advance();
    }
    return bounds;
  }

  Table layer_table(const std::vector<Layer>& layers, const std::vector<LayerBound>& bounds) const {
    std::vector<std::string> rows;
    for (std::size_t i = 0; i < layers.size(); ++i)
      if (p_.every_layer || !is_unit_kind(layers[i].kind))
        rows.push_back(fmt::format("{} ({})", layers[i].name, bounds[i].size));
    Table table(p_.every_layer ? "Upper Lipschitz bound of each layer"
                               : "Upper Lipschitz bound of each layer (ReLU, tanh and flatten: 1)",
                rows,
                {"stride", "fourier", p_.method == "power" ? "power iteration" : "lanczos", "steps",
                 "bound", "product"});
    table.format("steps", CellFormat::count);
    double product = 1.0;
    std::size_t row = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const LayerBound& b = bounds[i];
      product *= b.bound;
      if (!p_.every_layer && is_unit_kind(layers[i].kind)) continue;
      const double cells[] = {b.stride, b.fourier, b.iterative, b.steps, b.bound, product};
      for (std::size_t column = 0; column < std::size(cells); ++column)
        table.set(row, column, cells[column]);
      ++row;
    }
    return table;
  }

  at::Tensor sample_images(const Inputs& in, const Layer& first, at::Generator& generator,
                           RunContext& ctx) const {
    if (p_.sample == "data") {
      if (!in.has(kData.name))
        throw Error("", "sample: data needs a 'data' input; connect one, or use sample: uniform");
      const at::Tensor images = select_samples(in.get(kData), p_.selection, ctx).images;
      const std::vector<std::int64_t>& shape = first.input_shape;
      if (!shape.empty() && images[0].numel() != c10::multiply_integers(shape))
        throw Error("",
                    fmt::format("images of shape [{}] do not fit the model's input [{}]; use "
                                "sample: uniform",
                                fmt::join(images.sizes().slice(1), ", "), fmt::join(shape, ", ")));
      return images;
    }
    if (first.input_shape.empty())
      throw Error("", fmt::format("sample: uniform needs the model's input shape, which its first "
                                  "layer '{}' does not give; use sample: data",
                                  first.name));
    std::vector<std::int64_t> shape = {p_.selection.count};
    shape.insert(shape.end(), first.input_shape.begin(), first.input_shape.end());
    return at::rand(shape, generator);
  }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const std::vector<Layer> layers = net.layers();
    if (layers.empty()) throw Error("", "the model lists no layers to bound");
    at::Generator generator = at::detail::createCPUGenerator(ctx.seed());
    const std::vector<LayerBound> bounds = bound_layers(layers, generator, ctx);
    double product = 1.0;
    for (const LayerBound& b : bounds) product *= b.bound;
    out.put(kLayers, layer_table(layers, bounds));

    const at::Tensor images = sample_images(in, layers.front(), generator, ctx);
    auto progress = ctx.progress("Jacobians", images.size(0));
    const TopSingularValue jacobians =
        jacobian_norms(net, images, p_.batch, options(), generator, *progress);
    ctx.log(fmt::format("input Jacobians of {} images: {} in at most {} steps{}", images.size(0),
                        p_.method, jacobians.steps,
                        jacobians.converged ? "" : ", stopped by max_iterations on some"));
    Table summary(
        "Lipschitz constant of the network",
        {"upper bound: product of the layer bounds", "lower bound: largest input-Jacobian norm",
         "median input-Jacobian norm", "images"},
        {"value"});
    summary.set(0, 0, product);
    summary.set(1, 0, jacobians.value.max().item<double>());
    summary.set(2, 0, jacobians.value.median().item<double>());
    summary.set(3, 0, static_cast<double>(images.size(0)));
    out.put(kSummary, std::move(summary));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Spectral, "spectral", analysis, "1")
