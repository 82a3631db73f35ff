// The pool of adversarial examples a training run mixes into its minibatches.
#include "blindspot/adversarial_pool.hpp"

#include <torch/torch.h>

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "blindspot/error.hpp"
#include "blindspot/plugin.hpp"

namespace blindspot {

namespace {

/// A progress bar that shows nothing.
class NoProgress final : public Progress {
 public:
  void advance(std::int64_t) override {}
  void status(const std::string&) override {}
};

/// The training node's context for the attack it runs on every refresh, without the attack's
/// log lines and progress bars (a run would print one set of them per refresh).
class QuietContext final : public RunContext {
 public:
  explicit QuietContext(RunContext& outer) : outer_(outer) {}
  std::uint64_t seed() const override { return outer_.seed(); }
  std::mt19937_64& rng() override { return outer_.rng(); }
  int threads() const override { return outer_.threads(); }
  std::unique_ptr<Progress> progress(const std::string&, std::int64_t) override {
    return std::make_unique<NoProgress>();
  }
  void log(const std::string&) override {}
  std::unique_ptr<Node> component(const Value& spec, PluginKind kind) override {
    return outer_.component(spec, kind);
  }
  const Ranks& ranks() const override { return outer_.ranks(); }

 private:
  RunContext& outer_;
};

/// The AdversarialSet among an attack's outputs; throws Error when there is none.
const AdversarialSet& adversarial_output(const Outputs& out, const std::string& attack) {
  for (const auto& [port, product] : out.all())
    if (product && product->kind() == AdversarialSet::product_kind())
      return static_cast<const AdversarialSet&>(*product);
  throw Error("", "the pool's attack '" + attack + "' wrote no AdversarialSet");
}

}  // namespace

AdversarialPool::AdversarialPool(const PoolOptions& options, std::shared_ptr<Classifier> model,
                                 const LabelledImages& train, RunContext& ctx)
    : options_(options), model_(std::move(model)), train_(train), ctx_(ctx) {
  if (train.size() == 0) throw Error("", "no training samples to make adversarial examples of");
  pool_.images = torch::empty_like(train.images.narrow(0, 0, 1))
                     .expand({options.size, -1, -1, -1})
                     .contiguous();
  pool_.labels = torch::empty({options.size}, torch::kLong);
  pool_.indices = torch::empty({options.size}, torch::kLong);
}

LabelledImages AdversarialPool::draw(std::int64_t batch) {
  if (steps_ == options_.every) {
    refresh(torch::arange(options_.size));
  } else if (steps_ > options_.every && steps_ % options_.every == 0) {
    const auto replaced = std::llround(options_.replace * static_cast<double>(options_.size));
    if (replaced > 0) refresh(torch::randperm(options_.size, torch::kLong).narrow(0, 0, replaced));
  }
  const bool filled = steps_ >= options_.every;
  ++steps_;
  const auto count =
      filled ? std::llround(static_cast<double>(batch) * options_.mix / (1 - options_.mix)) : 0;
  const at::Tensor rows = torch::randint(options_.size, {count}, torch::kLong);
  return {pool_.images.index_select(0, rows), pool_.labels.index_select(0, rows),
          pool_.indices.index_select(0, rows)};
}

void AdversarialPool::refresh(const at::Tensor& slots) {
  const std::int64_t n = slots.size(0);
  const at::Tensor sources = torch::randint(train_.size(), {n}, torch::kLong);
  auto data = std::make_shared<Dataset>();
  data->source = "adversarial pool";
  data->num_classes = model_->num_classes();
  data->splits["pool"] = {train_.images.index_select(0, sources),
                          train_.labels.index_select(0, sources),
                          train_.indices.index_select(0, sources)};
  // The attack's own selection parameters pick exactly these samples.
  Value spec = options_.attack;
  spec.map["split"] = Value::of("pool");
  spec.map["count"] = Value::of(n);
  spec.map["offset"] = Value::of(0);
  const std::string attack = spec.map.count("plugin") ? spec.map.at("plugin").string : "?";
  const std::unique_ptr<Node> node = ctx_.component(spec, PluginKind::attack);
  Inputs in;
  in.add("model", {"the network being trained", std::make_shared<const Model>(model_)});
  in.add("data", {"the training samples", data});
  Outputs out;
  QuietContext quiet(ctx_);
  try {
    node->execute(attack, in, out, quiet);
  } catch (const Error& e) {
    throw Error("", fmt::format("adversarial pool, attack '{}' (given the inputs model and data "
                                "only): {}",
                                attack, e.message()));
  }
  const AdversarialSet& set = adversarial_output(out, attack);
  pool_.images.index_copy_(0, slots, set.adversarial.detach().to(pool_.images.dtype()));
  pool_.labels.index_copy_(0, slots, set.labels);
  pool_.indices.index_copy_(0, slots, set.indices);
  made_ += n;
  attacked_ += set.original_prediction.eq(set.labels).sum().item<std::int64_t>();
  fooled_ += set.successes();
}

}  // namespace blindspot
