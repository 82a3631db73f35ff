// Minibatch SGD with momentum, shared by the model plugins.
#include "blindspot/training.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace blindspot {

Table train_minibatches(const std::vector<at::Tensor>& parameters, std::int64_t samples,
                        const TrainingOptions& options, const BatchLoss& batch_loss,
                        RunContext& ctx, const std::string& title) {
  if (samples == 0) throw Error("", "no samples to train on");
  torch::optim::SGD sgd(parameters,
                        torch::optim::SGDOptions(options.learning_rate).momentum(options.momentum));
  std::vector<std::string> rows;
  for (std::int64_t e = 1; e <= options.epochs; ++e) rows.push_back(std::to_string(e));
  Table curve(title, rows, {"loss", "error"});
  curve.format("error", CellFormat::percent);
  std::int64_t batches = (samples + options.batch - 1) / options.batch;
  auto bar = ctx.progress(title, options.epochs * batches);
  for (std::int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    // The host seeds LibTorch's generator with the node's seed: the order is reproducible.
    at::Tensor order = torch::randperm(samples, torch::kLong);
    double loss_sum = 0;
    std::int64_t wrong = 0;
    for (std::int64_t start = 0; start < samples; start += options.batch) {
      at::Tensor rows_of_batch = order.slice(0, start, std::min(start + options.batch, samples));
      at::Tensor loss = batch_loss(rows_of_batch, wrong);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      loss_sum += loss.item<double>() * static_cast<double>(rows_of_batch.size(0));
      bar->advance(1);
    }
    double loss = loss_sum / static_cast<double>(samples);
    double error = static_cast<double>(wrong) / static_cast<double>(samples);
    if (!std::isfinite(loss))
      throw Error("", fmt::format("training diverged in epoch {} (loss {}); lower learning_rate",
                                  epoch + 1, loss));
    curve.set(static_cast<std::size_t>(epoch), 0, loss);
    curve.set(static_cast<std::size_t>(epoch), 1, error);
    bar->status(fmt::format("epoch {} loss {:.4g} err {:.2f}%", epoch + 1, loss, 100 * error));
  }
  return curve;
}

Table train_classifier(const std::shared_ptr<Classifier>& model,
                       const std::vector<at::Tensor>& parameters, const LabelledImages& data,
                       const TrainingOptions& options, const std::function<at::Tensor()>& penalty,
                       RunContext& ctx, const std::string& title, const PoolOptions& pool) {
  // No pool at all when nothing is mixed in: its refreshes would draw from LibTorch's
  // generator and change the shuffles, and plain training must stay exactly plain.
  std::unique_ptr<AdversarialPool> adversarial;
  if (pool.mix > 0) adversarial = std::make_unique<AdversarialPool>(pool, model, data, ctx);
  auto batch_loss = [&](const at::Tensor& rows, std::int64_t& wrong) {
    at::Tensor labels = data.labels.index_select(0, rows);
    at::Tensor logits = model->logits(data.images.index_select(0, rows));
    wrong += logits.argmax(1).ne(labels).sum().item<std::int64_t>();  // of the clean samples
    if (adversarial) {
      const LabelledImages extra = adversarial->draw(rows.size(0));
      logits = torch::cat({logits, model->logits(extra.images)});
      labels = torch::cat({labels, extra.labels});
    }
    return torch::nn::functional::cross_entropy(logits, labels) + penalty();
  };
  Table curve = train_minibatches(parameters, data.size(), options, batch_loss, ctx, title);
  if (!adversarial) return curve;
  ctx.log(
      fmt::format("adversarial pool: {} examples made; the attack fooled the network on {} "
                  "of the {} it classified correctly ({:.1f}%)",
                  adversarial->made(), adversarial->fooled(), adversarial->attacked(),
                  100.0 * static_cast<double>(adversarial->fooled()) /
                      static_cast<double>(std::max<std::int64_t>(adversarial->attacked(), 1))));
  return curve;
}

}  // namespace blindspot
