// The softmax model plugin: softmax regression FC10(lambda) trained by minibatch SGD.
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// One linear layer from flattened pixels to class logits.
class SoftmaxNet final : public Classifier {
 public:
  SoftmaxNet(std::int64_t inputs, std::int64_t classes) : layer_(inputs, classes) {}

  at::Tensor logits(const at::Tensor& images) const override {
    // forward() does not change the layer; ptr() gives the non-const module it is declared on.
    return layer_.ptr()->forward(images.reshape({images.size(0), -1}));
  }
  std::int64_t num_classes() const override { return layer_->options.out_features(); }

  TensorMap state() const override {
    TensorMap out;
    for (const auto& item : layer_->named_parameters())
      out[item.key()] = item.value().detach().clone();
    return out;
  }

  void load_state(const TensorMap& state) override {
    std::string problems;
    const auto params = layer_->named_parameters();
    for (const auto& item : params) {
      const auto found = state.find(item.key());
      if (found == state.end())
        problems += "; missing '" + item.key() + "'";
      else if (found->second.sizes() != item.value().sizes())
        problems += "; '" + item.key() + "' has shape " + shape(found->second) + ", expected " +
                    shape(item.value());
    }
    for (const auto& entry : state)
      if (!params.contains(entry.first)) problems += "; unexpected '" + entry.first + "'";
    if (!problems.empty())
      throw Error("", "softmax weights do not fit the model:" + problems.substr(1));
    torch::NoGradGuard no_grad;
    for (auto& item : layer_->named_parameters()) item.value().copy_(state.at(item.key()));
  }

  /// The parameters SGD updates.
  std::vector<torch::Tensor> parameters() { return layer_->parameters(); }
  /// The weight matrix, the only tensor the weight decay applies to.
  const torch::Tensor& weight() const { return layer_->weight; }

 private:
  static std::string shape(const at::Tensor& t) {
    std::string out = "[";
    for (std::int64_t d = 0; d < t.dim(); ++d) out += (d ? ", " : "") + std::to_string(t.size(d));
    return out + "]";
  }

  torch::nn::Linear layer_;
};

/// The softmax node: builds FC10 for the input dataset and trains it.
class Softmax final : public ModelNode {
 public:
  struct Params {
    double lambda;
    std::int64_t epochs;
    std::int64_t batch;
    double learning_rate;
    double momentum;
    std::string split;
  };

  static Schema describe() {
    return Schema::of<Params>("Softmax regression FC10(lambda), trained by minibatch SGD")
        .param(&Params::lambda, "lambda", 1e-4,
               "weight decay: lambda * sum of squared weights (biases excluded) added to the "
               "mean cross-entropy")
        .at_least(0)
        .param(&Params::epochs, "epochs", 20, "passes over the training split")
        .range(1, 10000)
        .param(&Params::batch, "batch", 100, "samples per SGD step")
        .range(1, 65536)
        .param(&Params::learning_rate, "learning_rate", 0.1, "SGD step size")
        .above(0)
        .param(&Params::momentum, "momentum", 0.9, "SGD momentum")
        .range(0, 1)
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input<Dataset>("data", "images to train on")
        .output<Model>("model", "the trained classifier")
        .output<Table>("curve", "training loss (with the penalty) and error rate per epoch");
  }

  explicit Softmax(const Params& p) : p_(p) {}

 private:
  std::shared_ptr<SoftmaxNet> make(const Inputs& in) const {
    const Dataset& data = in.get<Dataset>("data");
    const at::Tensor& images = data.split(p_.split).images;
    return std::make_shared<SoftmaxNet>(images[0].numel(), data.num_classes);
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in); }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get<Dataset>("data").split(p_.split);
    const std::int64_t n = train.size();
    if (n == 0) throw Error("", "split '" + p_.split + "' has no images to train on");
    auto net = make(in);
    torch::optim::SGD sgd(net->parameters(),
                          torch::optim::SGDOptions(p_.learning_rate).momentum(p_.momentum));
    std::vector<std::string> epochs;
    for (std::int64_t e = 1; e <= p_.epochs; ++e) epochs.push_back(std::to_string(e));
    Table curve("Training curve", epochs, {"loss", "error"});

    auto bar = ctx.progress("epochs", p_.epochs);
    for (std::int64_t epoch = 0; epoch < p_.epochs; ++epoch) {
      // The host seeds LibTorch's generator with the node's seed, so the order is reproducible.
      const torch::Tensor order = torch::randperm(n, torch::kLong);
      double loss_sum = 0;
      std::int64_t wrong = 0;
      for (std::int64_t start = 0; start < n; start += p_.batch) {
        const torch::Tensor rows = order.slice(0, start, std::min(start + p_.batch, n));
        const torch::Tensor labels = train.labels.index_select(0, rows);
        const torch::Tensor logits = net->logits(train.images.index_select(0, rows));
        const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels) +
                                   p_.lambda * net->weight().pow(2).sum();
        sgd.zero_grad();
        loss.backward();
        sgd.step();
        loss_sum += loss.item<double>() * static_cast<double>(rows.size(0));
        wrong += logits.argmax(1).ne(labels).sum().item<std::int64_t>();
      }
      const double loss = loss_sum / static_cast<double>(n);
      const double error = static_cast<double>(wrong) / static_cast<double>(n);
      curve.set(static_cast<std::size_t>(epoch), 0, loss);
      curve.set(static_cast<std::size_t>(epoch), 1, error);
      char text[64];
      std::snprintf(text, sizeof text, "loss %.4g err %.2f%%", loss, 100 * error);
      bar->status(text);
      bar->advance();
    }
    out.put("model", Model{net});
    out.put("curve", std::move(curve));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Softmax, "softmax", model, "1")
