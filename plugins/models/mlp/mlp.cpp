// The mlp model plugin: fully connected networks FC<h1>-...-<hL>-10 with per-layer weight decay.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "blindspot/adversarial_pool.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;

/// The ports of the mlp node.
const Port<Dataset> kData{"data"};
const Port<Model> kModel{"model"};
const Port<Table> kCurve{"curve"};

/// A string parameter, or `fallback` when it is absent or not a string.
std::string text(const ValidatedParams& values, const std::string& key,
                 const std::string& fallback) {
  const auto it = values.find(key);
  return it != values.end() && it->second.type == ValueType::string ? it->second.string : fallback;
}

/// The paper's name of a sigmoid network: FC<hidden...>-10, with a prime when trained on the
/// half P2 ("FC100-100-10'"); "" (no name) for another activation, which the paper has not.
std::string paper_name(const ValidatedParams& values) {
  if (text(values, "activation", "sigmoid") != "sigmoid") return "";
  std::vector<std::int64_t> widths;
  if (const auto hidden = values.find("hidden"); hidden != values.end())
    for (const Value& width : hidden->second.list) widths.push_back(width.integer);
  return fmt::format("FC{}-10{}", fmt::join(widths, "-"),
                     text(values, "split", "train") == "p2" ? "'" : "");
}

/// The mlp node: flatten, (Linear + activation) per hidden size, a Linear to the classes.
class Mlp final : public ModelNode {
 public:
  struct Params {
    std::vector<std::int64_t> hidden;
    std::string activation;
    std::vector<double> lambdas;
    TrainingOptions training;
    PoolOptions adversarial_pool;
    std::string split;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("Fully connected network FC<hidden...>-classes trained by SGD")
            .named_by(paper_name)
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
    training_params(schema, &Params::training, {100, 100, 0.1, 0.9});
    return pool_params(schema, &Params::adversarial_pool)
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input(kData, "images to train on")
        .output(kModel, "the trained classifier")
        .output(kCurve, "training loss (with the penalty) and error rate per epoch");
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
    const Dataset& data = in.get(kData);
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
    const LabelledImages& train = in.get(kData).split(p_.split);
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
    Table curve = train_classifier(net, net->parameters(), train, p_.training, penalty, ctx,
                                   "Training curve", p_.adversarial_pool);
    out.put(kModel, Model{net});
    out.put(kCurve, std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Mlp, "mlp", model, "1")
