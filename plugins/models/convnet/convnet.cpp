// The convnet model plugin: an AlexNet-shaped network (conv, ReLU, max-pool stages, then fully
// connected ReLU layers and a linear output) trained by minibatch SGD.
#include <fmt/format.h>
#include <torch/torch.h>

#include "blindspot/adversarial_pool.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;
using Ints = std::vector<std::int64_t>;

/// The ports of the convnet node.
const Port<Dataset> kData{"data"};
const Port<Model> kModel{"model"};
const Port<Table> kCurve{"curve"};

/// The convnet node: builds the stages for the dataset's image shape and trains them.
class Convnet final : public ModelNode {
 public:
  struct Params {
    Ints channels, kernels, strides, paddings;
    std::int64_t pool;
    Ints hidden;
    double lambda;
    TrainingOptions training;
    PoolOptions adversarial_pool;
    std::string split;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>(
            "Convolutional network: conv+ReLU+max-pool stages, then fully "
            "connected ReLU layers and a linear output, trained by SGD")
            .param(&Params::channels, "channels", Ints{32, 64},
                   "output channels of each conv stage")
            .range(1, 4096)
            .param(&Params::kernels, "kernels", Ints{5, 5}, "square kernel size of each conv stage")
            .range(1, 64)
            .param(&Params::strides, "strides", Ints{1, 1}, "stride of each conv stage")
            .range(1, 64)
            .param(&Params::paddings, "paddings", Ints{2, 2}, "zero padding of each conv stage")
            .range(0, 64)
            .param(&Params::pool, "pool", 2,
                   "max-pool kernel and stride after each conv stage; 1 = no pooling")
            .range(1, 64)
            .param(&Params::hidden, "hidden", Ints{256},
                   "widths of the fully connected ReLU layers")
            .range(1, 65536)
            .param(
                &Params::lambda, "lambda", 1e-4,
                "weight decay: lambda * sum of squared conv and linear weights (biases excluded) "
                "added to the mean cross-entropy")
            .at_least(0);
    training_params(schema, &Params::training, {5, 100, 0.05, 0.9});
    return pool_params(schema, &Params::adversarial_pool)
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input(kData, "images to train on")
        .output(kModel, "the trained classifier")
        .output(kCurve, "training loss (with the penalty) and error rate per epoch");
  }

  explicit Convnet(const Params& p) : p_(p) {}

 private:
  // Spatial size after a conv stage and its pooling; throws Error if it drops below 1.
  std::int64_t stage_size(std::int64_t size, std::size_t i, const char* axis) const {
    std::int64_t conv = (size + 2 * p_.paddings[i] - p_.kernels[i]) / p_.strides[i] + 1;
    if (size + 2 * p_.paddings[i] < p_.kernels[i])
      throw Error("", fmt::format("conv{} leaves no pixels: {} {} + 2 * padding {} < kernel {}",
                                  i + 1, axis, size, p_.paddings[i], p_.kernels[i]));
    if (conv < p_.pool)
      throw Error("", fmt::format("pool{} leaves no pixels: {} {} after conv{} < pool {}", i + 1,
                                  axis, conv, i + 1, p_.pool));
    return (conv - p_.pool) / p_.pool + 1;
  }

  std::shared_ptr<SequentialClassifier> make(const Inputs& in) const {
    const Dataset& data = in.get(kData);
    const at::Tensor& images = data.split(p_.split).images;
    const std::size_t stages = p_.channels.size();
    if (stages == 0 || p_.kernels.size() != stages || p_.strides.size() != stages ||
        p_.paddings.size() != stages)
      throw Error("",
                  fmt::format("channels, kernels, strides and paddings must be non-empty "
                              "lists of equal length; got lengths {}, {}, {} and {}",
                              stages, p_.kernels.size(), p_.strides.size(), p_.paddings.size()));
    std::int64_t depth = images.size(1), height = images.size(2), width = images.size(3);
    for (std::size_t i = 0; i < stages; ++i) {  // checked before any layer is built
      height = stage_size(height, i, "height");
      width = stage_size(width, i, "width");
    }
    torch::nn::Sequential net;
    for (std::size_t i = 0; i < stages; ++i) {
      const std::string n = std::to_string(i + 1);
      net->push_back("conv" + n, torch::nn::Conv2d(
                                     torch::nn::Conv2dOptions(depth, p_.channels[i], p_.kernels[i])
                                         .stride(p_.strides[i])
                                         .padding(p_.paddings[i])));
      net->push_back("relu" + n, torch::nn::ReLU());
      if (p_.pool > 1)
        net->push_back("pool" + n,
                       torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(p_.pool).stride(p_.pool)));
      depth = p_.channels[i];
    }
    net->push_back("flatten", torch::nn::Flatten());
    std::int64_t width_in = depth * height * width;
    for (std::size_t i = 0; i < p_.hidden.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      net->push_back("fc" + n, torch::nn::Linear(width_in, p_.hidden[i]));
      net->push_back("relu_fc" + n, torch::nn::ReLU());
      width_in = p_.hidden[i];
    }
    net->push_back("out", torch::nn::Linear(width_in, data.num_classes));
    Ints shape(images.sizes().begin() + 1, images.sizes().end());
    return std::make_shared<SequentialClassifier>(net, shape, data.num_classes);
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in); }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get(kData).split(p_.split);
    auto net = make(in);
    std::vector<at::Tensor> weights;  // every conv and linear weight: what lambda decays
    for (const Layer& layer : net->layers())
      if (layer.kind == LayerKind::conv2d || layer.kind == LayerKind::linear)
        weights.push_back(net->weight(layer.name));
    auto penalty = [&] {
      at::Tensor sum = torch::zeros({});
      for (const at::Tensor& w : weights) sum = sum + w.pow(2).sum();
      return p_.lambda * sum;
    };
    Table curve = train_classifier(net, net->parameters(), train, p_.training, penalty, ctx,
                                   "Training curve", p_.adversarial_pool);
    out.put(kModel, Model{net});
    out.put(kCurve, std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Convnet, "convnet", model, "1")
