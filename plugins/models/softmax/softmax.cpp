// The softmax model plugin: softmax regression FC10(lambda) trained by minibatch SGD.
#include <torch/torch.h>

#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;

/// The softmax node: builds FC10 (flatten, then one linear layer) for the dataset and trains it.
class Softmax final : public ModelNode {
 public:
  struct Params {
    double lambda;
    TrainingOptions training;
    std::string split;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("Softmax regression FC10(lambda), trained by minibatch SGD")
            .param(&Params::lambda, "lambda", 1e-4,
                   "weight decay: lambda * sum of squared weights (biases excluded) added to the "
                   "mean cross-entropy")
            .at_least(0);
    return training_params(schema, &Params::training, {20, 100, 0.1, 0.9})
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input<Dataset>("data", "images to train on")
        .output<Model>("model", "the trained classifier")
        .output<Table>("curve", "training loss (with the penalty) and error rate per epoch");
  }

  explicit Softmax(const Params& p) : p_(p) {}

 private:
  std::shared_ptr<SequentialClassifier> make(const Inputs& in) const {
    const Dataset& data = in.get<Dataset>("data");
    const at::Tensor& images = data.split(p_.split).images;
    torch::nn::Sequential net({{"flatten", torch::nn::Flatten()},
                               {"fc", torch::nn::Linear(images[0].numel(), data.num_classes)}});
    std::vector<std::int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    return std::make_shared<SequentialClassifier>(net, shape, data.num_classes);
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in); }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get<Dataset>("data").split(p_.split);
    auto net = make(in);
    at::Tensor weight = net->weight("fc");
    Table curve = train_classifier(
        *net, net->parameters(), train, p_.training,
        [&] { return p_.lambda * weight.pow(2).sum(); }, ctx);
    out.put("model", Model{net});
    out.put("curve", std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Softmax, "softmax", model, "2")
