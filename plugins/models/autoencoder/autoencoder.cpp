// The autoencoder model plugin AE<code>-10: a pretrained sigmoid autoencoder's code, then softmax.
#include <fmt/format.h>
#include <torch/torch.h>

#include "blindspot/plugin.hpp"
#include "blindspot/sequential_classifier.hpp"
#include "blindspot/training.hpp"

namespace {

using namespace blindspot;

/// The ports of the autoencoder node.
const Port<Dataset> kData{"data"};
const Port<Model> kModel{"model"};
const Port<Table> kPretraining{"pretraining"};
const Port<Table> kCurve{"curve"};
const Port<Table> kFineTuning{"fine_tuning"};

/// The paper's name of the model: AE<code>-10, "AE400-10".
std::string paper_name(const ValidatedParams& values) {
  const auto it = values.find("code");
  std::int64_t code = 400;  // absent or not a number: the default, as the host did
  if (it != values.end() && it->second.type == ValueType::integer) code = it->second.integer;
  if (it != values.end() && it->second.type == ValueType::real)
    code = static_cast<std::int64_t>(it->second.real);
  return fmt::format("AE{}-10", code);
}

/// The autoencoder node: pretrains encoder and decoder, trains a softmax on the code, fine-tunes.
class Autoencoder final : public ModelNode {
 public:
  struct Params {
    std::int64_t code;
    std::int64_t ae_epochs;
    double ae_lambda;
    double ae_learning_rate;
    double sparsity;
    std::int64_t epochs;
    double lambda;
    double learning_rate;
    double momentum;
    std::int64_t batch;
    std::int64_t fine_tune_epochs;
    double fine_tune_learning_rate;
    std::string split;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Autoencoder AE<code>-classes: a softmax on a pretrained sigmoid code")
        .named_by(paper_name)
        .param(&Params::code, "code", 400, "units of the sigmoid code (the hidden layer)")
        .range(1, 100000)
        .param(&Params::ae_epochs, "ae_epochs", 30, "pretraining passes over the training split")
        .range(1, 10000)
        .param(&Params::ae_lambda, "ae_lambda", 1e-6,
               "pretraining weight decay: ae_lambda * (|W_enc|^2 + |W_dec|^2) added to the mean "
               "binary cross-entropy per pixel of the reconstruction")
        .at_least(0)
        .param(&Params::ae_learning_rate, "ae_learning_rate", 10.0,
               "pretraining SGD step size (large: the loss is a mean over pixels)")
        .above(0)
        .param(&Params::sparsity, "sparsity", 0.0,
               "L1 sparsity penalty while pretraining: sparsity * mean code activation")
        .at_least(0)
        .param(&Params::epochs, "epochs", 500,
               "softmax passes (encoder frozen; cheap: the codes are computed once)")
        .range(1, 10000)
        .param(&Params::lambda, "lambda", 1e-6,
               "softmax weight decay: lambda * |W_fc|^2 (bias excluded) added to the mean "
               "cross-entropy")
        .at_least(0)
        .param(&Params::learning_rate, "learning_rate", 0.5, "softmax step size")
        .above(0)
        .param(&Params::momentum, "momentum", 0.9, "SGD momentum of every stage")
        .range(0, 1)
        .param(&Params::batch, "batch", 100, "samples per SGD step in every stage")
        .range(1, 65536)
        .param(&Params::fine_tune_epochs, "fine_tune_epochs", 0,
               "passes training the whole classifier after the softmax (penalty: lambda on the "
               "softmax weights, ae_lambda on the encoder's); 0 skips fine-tuning")
        .range(0, 10000)
        .param(&Params::fine_tune_learning_rate, "fine_tune_learning_rate", 0.05,
               "fine-tuning step size (learning_rate makes the whole network diverge)")
        .above(0)
        .param(&Params::split, "split", "train", "split of the input dataset to train on")
        .input(kData, "images to train on")
        .output(kModel, "the classifier: flatten, encoder, code, fc (decoder kept)")
        .output(kPretraining,
                "reconstruction loss (with the penalties) per epoch; error column unused (0)")
        .output(kCurve, "softmax loss (with the penalty) and error rate per epoch")
        .output(kFineTuning, "fine-tuning loss and error per epoch; no rows if skipped");
  }

  explicit Autoencoder(const Params& p) : p_(p) {}

 private:
  /// The classifier and handles on its linear layers, with the decoder kept in its state.
  struct Parts {
    std::shared_ptr<SequentialClassifier> net;
    torch::nn::Linear encoder{nullptr}, fc{nullptr}, decoder{nullptr};
  };

  Parts make(const Inputs& in) const {
    const Dataset& data = in.get(kData);
    const at::Tensor& images = data.split(p_.split).images;
    const std::int64_t pixels = images[0].numel();
    Parts parts;
    parts.encoder = torch::nn::Linear(pixels, p_.code);
    parts.fc = torch::nn::Linear(p_.code, data.num_classes);
    parts.decoder = torch::nn::Linear(p_.code, pixels);
    torch::nn::Sequential net({{"flatten", torch::nn::Flatten()},
                               {"encoder", parts.encoder},
                               {"code", torch::nn::Sigmoid()},
                               {"fc", parts.fc}});
    std::vector<std::int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    parts.net = std::make_shared<SequentialClassifier>(net, shape, data.num_classes);
    parts.net->keep("decoder", parts.decoder.ptr());
    return parts;
  }

  std::shared_ptr<Classifier> build(const Inputs& in) const override { return make(in).net; }

  TrainingOptions options(std::int64_t epochs, double learning_rate) const {
    return {epochs, p_.batch, learning_rate, p_.momentum};
  }

  /// Trains encoder and decoder to reconstruct the images (decoder output through a sigmoid).
  Table pretrain(Parts m, const LabelledImages& train, RunContext& ctx) const {
    std::vector<at::Tensor> params = m.encoder->parameters();
    for (const at::Tensor& t : m.decoder->parameters()) params.push_back(t);
    auto loss = [&](const at::Tensor& rows, std::int64_t&) {
      at::Tensor x = train.images.index_select(0, rows);
      at::Tensor code = m.net->activations("code", x);
      at::Tensor penalty =
          p_.ae_lambda * (m.encoder->weight.pow(2).sum() + m.decoder->weight.pow(2).sum());
      return torch::binary_cross_entropy_with_logits(m.decoder(code), x.flatten(1)) + penalty +
             p_.sparsity * code.mean();
    };
    return train_minibatches(params, train.size(), options(p_.ae_epochs, p_.ae_learning_rate), loss,
                             ctx, "Pretraining curve");
  }

  /// Trains the softmax layer on the frozen encoder's codes (computed once).
  Table train_softmax(Parts m, const LabelledImages& train, RunContext& ctx) const {
    at::Tensor codes;
    {
      torch::NoGradGuard no_grad;
      codes = m.net->activations("code", train.images);
    }
    auto loss = [&](const at::Tensor& rows, std::int64_t& wrong) {
      at::Tensor labels = train.labels.index_select(0, rows);
      at::Tensor logits = m.fc(codes.index_select(0, rows));
      wrong += logits.argmax(1).ne(labels).sum().item<std::int64_t>();
      return torch::nn::functional::cross_entropy(logits, labels) +
             p_.lambda * m.fc->weight.pow(2).sum();
    };
    return train_minibatches(m.fc->parameters(), train.size(), options(p_.epochs, p_.learning_rate),
                             loss, ctx, "Training curve");
  }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const LabelledImages& train = in.get(kData).split(p_.split);
    Parts m = make(in);
    out.put(kPretraining, pretrain(m, train, ctx));
    out.put(kCurve, train_softmax(m, train, ctx));
    Table fine("Fine-tuning curve", {}, {"loss", "error"});
    fine.format("error", CellFormat::percent);
    if (p_.fine_tune_epochs > 0)
      fine = train_classifier(
          m.net, m.net->parameters(), train,
          options(p_.fine_tune_epochs, p_.fine_tune_learning_rate),
          [&] {
            return p_.lambda * m.fc->weight.pow(2).sum() +
                   p_.ae_lambda * m.encoder->weight.pow(2).sum();
          },
          ctx, "Fine-tuning curve");
    out.put(kFineTuning, std::move(fine));
    out.put(kModel, Model{m.net});
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Autoencoder, "autoencoder", model, "1")
