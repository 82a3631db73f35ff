// The alexnet model plugin: an untrained network of AlexNet's shape (Krizhevsky et al. 2012, the
// layers of Szegedy et al.'s Table 5) for 3x224x224 images, to bound with the spectral analysis.
#include <fmt/format.h>
#include <torch/torch.h>

#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"

namespace {

using namespace blindspot;
using Ints = std::vector<std::int64_t>;

/// The ports of the alexnet node.
const Port<Model> kModel{"model"};

/// One conv layer of AlexNet: square kernel, stride, zero padding, and whether max pooling follows.
struct ConvShape {
  std::int64_t kernel, stride, padding;
  bool pooled;
};

// AlexNet's conv layers; every pooling is 3x3 with stride 2 (overlapping windows).
constexpr ConvShape kConvs[] = {
    {11, 4, 2, true}, {5, 1, 2, true}, {3, 1, 1, false}, {3, 1, 1, false}, {3, 1, 1, true}};
constexpr std::int64_t kSize = 224;      // input height and width
constexpr std::int64_t kPooledSize = 6;  // height and width after the last pooling

/// The alexnet node: builds the network with LibTorch's default initialisation; no training.
class AlexNet final : public ModelNode {
 public:
  struct Params {
    Ints channels, hidden;
    std::int64_t classes;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Untrained AlexNet-shaped network for 3x224x224 images (five conv layers with "
               "ReLU and overlapping max pooling, three fully connected layers; no dropout), "
               "weights drawn from the node's seed")
        .named_by([](const ValidatedParams&) -> std::string { return "AlexNet"; })
        .param(&Params::channels, "channels", Ints{96, 256, 384, 384, 256},
               "output channels of the five conv layers (the paper's; torchvision's are "
               "[64, 192, 384, 256, 256])")
        .range(1, 4096)
        .param(&Params::hidden, "hidden", Ints{4096, 4096},
               "widths of the two hidden fully connected layers")
        .range(1, 65536)
        .param(&Params::classes, "classes", 1000, "number of classes")
        .range(2, 100000)
        .output(kModel, "the untrained classifier");
  }

  explicit AlexNet(const Params& p) : p_(p) {}

 private:
  std::shared_ptr<Classifier> build(const Inputs&) const override {
    if (p_.channels.size() != 5 || p_.hidden.size() != 2)
      throw Error("", fmt::format("channels needs 5 widths and hidden 2; got {} and {}",
                                  p_.channels.size(), p_.hidden.size()));
    torch::nn::Sequential net;
    std::int64_t depth = 3;
    for (std::size_t i = 0; i < 5; ++i) {
      const std::string n = std::to_string(i + 1);
      const ConvShape& c = kConvs[i];
      net->push_back("conv" + n,
                     torch::nn::Conv2d(torch::nn::Conv2dOptions(depth, p_.channels[i], c.kernel)
                                           .stride(c.stride)
                                           .padding(c.padding)));
      net->push_back("relu" + n, torch::nn::ReLU());
      if (c.pooled)
        net->push_back("pool" + n, torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2)));
      depth = p_.channels[i];
    }
    net->push_back("flatten", torch::nn::Flatten());
    std::int64_t width = depth * kPooledSize * kPooledSize;
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i + 1);
      net->push_back("fc" + n, torch::nn::Linear(width, p_.hidden[i]));
      net->push_back("relu_fc" + n, torch::nn::ReLU());
      width = p_.hidden[i];
    }
    net->push_back("fc3", torch::nn::Linear(width, p_.classes));
    return std::make_shared<SequentialClassifier>(net, Ints{3, kSize, kSize}, p_.classes);
  }

  void run(const Inputs& in, Outputs& out, RunContext&) override {
    out.put(kModel, Model{build(in)});
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(AlexNet, "alexnet", model, "1")
