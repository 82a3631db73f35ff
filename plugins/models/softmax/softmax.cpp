// The softmax model plugin: softmax regression FC10(lambda) trained by minibatch SGD.
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "blindspot/adversarial_pool.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;

/// The ports of the softmax node.
const Port<Dataset> kData{"data"};
const Port<Model> kModel{"model"};
const Port<Table> kCurve{"curve"};

/// A penalty as the paper writes it: 1e-4, 1e-2, 1; other values as %g.
std::string lambda_text(double lambda) {
  const double exponent = std::log10(lambda);
  if (lambda > 0 && exponent == std::round(exponent) && exponent <= 0)
    return exponent == 0 ? "1" : fmt::format("1e{}", static_cast<int>(exponent));
  return fmt::format("{:g}", lambda);
}

/// The paper's name of the model: FC10(lambda), "FC10(1e-4)".
std::string paper_name(const ValidatedParams& values) {
  const auto it = values.find("lambda");
  const Value lambda = it == values.end() ? Value::of(0.0) : it->second;
  return fmt::format("FC10({})", lambda_text(lambda.type == ValueType::integer
                                                 ? static_cast<double>(lambda.integer)
                                                 : lambda.real));
}

/// The softmax node: builds FC10 (flatten, then one linear layer) for the dataset and trains it.
class Softmax final : public ModelNode {
 public:
  struct Params {
    double lambda;
    TrainingOptions training;
    PoolOptions adversarial_pool;
    std::string split;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("Softmax regression FC10(lambda), trained by minibatch SGD")
            .named_by(paper_name)
            .param(&Params::lambda, "lambda", 1e-4,
                   "weight decay: lambda * sum of squared weights (biases excluded) added to the "
                   "mean cross-entropy")
            .at_least(0);
    training_params(schema, &Params::training, {20, 100, 0.1, 0.9});
    return pool_params(schema, &Params::adversarial_pool)
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input(kData, "images to train on")
        .output(kModel, "the trained classifier")
        .output(kCurve, "training loss (with the penalty) and error rate per epoch");
  }

  explicit Softmax(const Params& p) : p_(p) {}

 private:
  std::shared_ptr<SequentialClassifier> make(const Inputs& in) const {
    const Dataset& data = in.get(kData);
    const at::Tensor& images = data.split(p_.split).images;
    torch::nn::Sequential net({{"flatten", torch::nn::Flatten()},
                               {"fc", torch::nn::Linear(images[0].numel(), data.num_classes)}});
    std::vector<std::int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    return std::make_shared<SequentialClassifier>(net, shape, data.num_classes);
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in); }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get(kData).split(p_.split);
    auto net = make(in);
    at::Tensor weight = net->weight("fc");
    Table curve = train_classifier(
        net, net->parameters(), train, p_.training, [&] { return p_.lambda * weight.pow(2).sum(); },
        ctx, "Training curve", p_.adversarial_pool);
    out.put(kModel, Model{net});
    out.put(kCurve, std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Softmax, "softmax", model, "2")
