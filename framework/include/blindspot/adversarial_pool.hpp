// Adversarial training as Szegedy et al. (2014, Section 4.2) describe it: "a pool of adversarial
// examples, a random subset of which is continuously replaced by newly generated adversarial
// examples and which is mixed into the original training set all the time".
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

#include "blindspot/classifier.hpp"
#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"
#include "blindspot/value.hpp"

namespace blindspot {

/// How a training run keeps its pool; `mix` 0 turns it off (plain training, the same weights).
struct PoolOptions {
  Value attack;              // {plugin: NAME, ...}: the attack that makes the examples
  double mix = 0;            // fraction of each minibatch drawn from the pool
  std::int64_t size = 1000;  // examples in the pool
  double replace = 0.1;      // fraction of the pool replaced at each refresh
  std::int64_t every = 100;  // SGD steps between refreshes
};

/// Declares adversarial (the attack component), pool_mix, pool_size, pool_replace and
/// pool_every, bound to the PoolOptions member `pool` of P.
template <class P>
Schema::For<P>& pool_params(Schema::For<P>& schema, PoolOptions P::*pool) {
  return schema
      .component(pool, &PoolOptions::attack, "adversarial", PluginKind::attack, "fgsm",
                 "adversarial training: the attack that makes the pool's examples from random "
                 "training samples with the network as it trains (any attack with inputs model "
                 "and data that takes split, count and offset)")
      .param(pool, &PoolOptions::mix, "pool_mix", 0.0,
             "the pool's share of each minibatch: B clean samples get round(B * mix / (1 - mix)) "
             "pool examples; 0: no pool, plain training")
      .range(0, 0.9)
      .param(pool, &PoolOptions::size, "pool_size", 1000, "adversarial examples in the pool")
      .range(1, 1e6)
      .param(pool, &PoolOptions::replace, "pool_replace", 0.1,
             "fraction of the pool replaced by new examples at each refresh")
      .range(0, 1)
      .param(pool, &PoolOptions::every, "pool_every", 100,
             "SGD steps between refreshes; the whole pool is first made after this many steps of "
             "plain training (an untrained network has few correct samples to attack)")
      .range(1, 1e9);
}

/// The pool of one training run: made from `train` by the options' attack on `model` as it is
/// when the pool is refreshed. It is first filled before step `every` (counting from 0), and
/// `replace` of it is made anew before every later multiple of `every`.
class BLINDSPOT_API AdversarialPool {
 public:
  AdversarialPool(const PoolOptions& options, std::shared_ptr<Classifier> model,
                  const LabelledImages& train, RunContext& ctx);
  /// Before each SGD step with `batch` clean samples: fills or refreshes the pool when it is
  /// due and returns the pool examples to add, round(batch * mix / (1 - mix)) drawn at random
  /// (none before the pool is first filled).
  LabelledImages draw(std::int64_t batch);
  /// Examples made so far (a sample the network misclassified stays as it was).
  std::int64_t made() const { return made_; }
  /// Of those, the samples the network classified correctly, which the attack attacked.
  std::int64_t attacked() const { return attacked_; }
  /// Of those, the ones the attack fooled the network on.
  std::int64_t fooled() const { return fooled_; }
  /// The pool as it is now: the examples, their true labels and their training samples' indices.
  const LabelledImages& examples() const { return pool_; }

 private:
  /// Replaces `slots` of the pool with new examples of random training samples.
  void refresh(const at::Tensor& slots);

  PoolOptions options_;
  std::shared_ptr<Classifier> model_;
  const LabelledImages& train_;
  RunContext& ctx_;
  LabelledImages pool_;
  std::int64_t steps_ = 0, made_ = 0, attacked_ = 0, fooled_ = 0;
};

}  // namespace blindspot
