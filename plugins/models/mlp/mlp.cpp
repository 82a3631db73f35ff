// The mlp model plugin: fully connected networks FC<h1>-...-<hL>-10 with per-layer weight decay.
#include <fmt/format.h>
#include <torch/torch.h>

#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;

/// The mlp node: flatten, (Linear + activation) per hidden size, a Linear to the classes.
class Mlp final : public ModelNode {
 public:
  struct Params {
    std::vector<std::int64_t> hidden;
    std::string activation;
    std::vector<double> lambdas;
    TrainingOptions training;
    std::string split;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("Fully connected network FC<hidden...>-classes trained by SGD")
            .param(&Params::hidden, "hidden", std::vector<std::int64_t>{100, 100},
                   "width of each hidden layer, input side first")
            .range(1, 65536)
            .param(&Params::activation, "activation", "sigmoid",
                   "nonlinearity after each hidden layer")
            .choices({"sigmoid", "tanh", "relu"})
            .param(&Params::lambdas, "lambdas", std::vector<double>{1e-5, 1e-5, 1e-6},
                   "weight decay per linear layer (len(hidden) + 1 of them): sum of lambda_l * "
                   "sum of squared weights of layer l (biases excluded) added to the mean "
                   "cross-entropy")
            .at_least(0);
    return training_params(schema, &Params::training, {100, 100, 0.1, 0.9})
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input<Dataset>("data", "images to train on")
        .output<Model>("model", "the trained classifier")
        .output<Table>("curve", "training loss (with the penalty) and error rate per epoch");
  }

  explicit Mlp(const Params& p) : p_(p) {}

 private:
  /// The activation module named by the `activation` parameter.
  torch::nn::AnyModule activation() const {
    if (p_.activation == "tanh") return torch::nn::AnyModule(torch::nn::Tanh());
    if (p_.activation == "relu") return torch::nn::AnyModule(torch::nn::ReLU());
    return torch::nn::AnyModule(torch::nn::Sigmoid());
  }

  std::shared_ptr<SequentialClassifier> make(const Inputs& in) const {
    if (p_.lambdas.size() != p_.hidden.size() + 1)
      throw Error("", fmt::format("lambdas has {} values but the network has {} linear layers "
                                  "(hidden has {} sizes, plus the output layer); give one "
                                  "lambda per linear layer",
                                  p_.lambdas.size(), p_.hidden.size() + 1, p_.hidden.size()));
    const Dataset& data = in.get<Dataset>("data");
    const at::Tensor& images = data.split(p_.split).images;
    torch::nn::Sequential net;
    net->push_back("flatten", torch::nn::Flatten());
    std::int64_t width = images[0].numel();
    for (std::size_t l = 0; l < p_.hidden.size(); ++l) {
      net->push_back(fmt::format("fc{}", l + 1), torch::nn::Linear(width, p_.hidden[l]));
      net->push_back(fmt::format("act{}", l + 1), activation());
      width = p_.hidden[l];
    }
    net->push_back(fmt::format("fc{}", p_.hidden.size() + 1),
                   torch::nn::Linear(width, data.num_classes));
    std::vector<std::int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    return std::make_shared<SequentialClassifier>(net, shape, data.num_classes);
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in); }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get<Dataset>("data").split(p_.split);
    auto net = make(in);
    std::vector<at::Tensor> weights;
    for (std::size_t l = 0; l < p_.lambdas.size(); ++l)
      weights.push_back(net->weight(fmt::format("fc{}", l + 1)));
    auto penalty = [&] {
      at::Tensor sum = torch::zeros({});
      for (std::size_t l = 0; l < weights.size(); ++l)
        if (p_.lambdas[l] != 0) sum = sum + p_.lambdas[l] * weights[l].pow(2).sum();
      return sum;
    };
    Table curve = train_classifier(*net, net->parameters(), train, p_.training, penalty, ctx);
    out.put("model", Model{net});
    out.put("curve", std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Mlp, "mlp", model, "1")
