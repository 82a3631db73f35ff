// Minibatch training shared by the model plugins: seeded shuffles, progress, a loss curve.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/adversarial_pool.hpp"
#include "blindspot/classifier.hpp"
#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// How to train: SGD with momentum over shuffled minibatches.
struct TrainingOptions {
  std::int64_t epochs = 20;
  std::int64_t batch = 100;
  double learning_rate = 0.1;
  double momentum = 0.9;
};

/// Declares epochs, batch, learning_rate and momentum, bound to the TrainingOptions member
/// `options` of P, with `defaults`.
template <class P>
Schema::For<P>& training_params(Schema::For<P>& schema, TrainingOptions P::*options,
                                const TrainingOptions& defaults) {
  return schema
      .param(options, &TrainingOptions::epochs, "epochs", defaults.epochs,
             "passes over the training split")
      .range(1, 10000)
      .param(options, &TrainingOptions::batch, "batch", defaults.batch, "samples per SGD step")
      .range(1, 65536)
      .param(options, &TrainingOptions::learning_rate, "learning_rate", defaults.learning_rate,
             "SGD step size")
      .above(0)
      .param(options, &TrainingOptions::momentum, "momentum", defaults.momentum, "SGD momentum")
      .range(0, 1);
}

/// Loss of one minibatch (rows: indices into the training set); adds its misclassified count
/// to `wrong` (leave it alone when there is no error rate, as for an autoencoder).
using BatchLoss = std::function<at::Tensor(const at::Tensor& rows, std::int64_t& wrong)>;

/// Trains `parameters` for options.epochs over `samples` items in shuffled minibatches (the
/// order comes from LibTorch's generator, which the host seeds per node). Returns the table
/// `title` with one row per epoch: mean loss and error rate.
BLINDSPOT_API Table train_minibatches(const std::vector<at::Tensor>& parameters,
                                      std::int64_t samples, const TrainingOptions& options,
                                      const BatchLoss& batch_loss, RunContext& ctx,
                                      const std::string& title);

/// Trains a classifier on cross-entropy plus `penalty()` (weight decay), via train_minibatches;
/// with `pool.mix` > 0, every minibatch also holds examples of an adversarial pool
/// (AdversarialPool), and a log line says how many of the pool's examples fooled the network.
BLINDSPOT_API Table train_classifier(const std::shared_ptr<Classifier>& model,
                                     const std::vector<at::Tensor>& parameters,
                                     const LabelledImages& data, const TrainingOptions& options,
                                     const std::function<at::Tensor()>& penalty, RunContext& ctx,
                                     const std::string& title = "Training curve",
                                     const PoolOptions& pool = {});

}  // namespace blindspot
