// The szegedy attack plugin: box-constrained L-BFGS with a line search over c (Szegedy 2014).
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/plugin.hpp"
#include "blindspot/samples.hpp"
#include "solve.hpp"

namespace {

using namespace blindspot;

/// The szegedy node: per sample, the closest x' in [0, 1] that the model gives the target.
class Szegedy final : public Node {
 public:
  struct Params {
    Value optimiser, search;
    SampleSelection samples;
    std::string target;
    std::vector<std::int64_t> targets;
    std::int64_t batch;
    std::int64_t threads;
    bool warm_start;
    double margin;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
                      "Szegedy et al.'s attack: minimise c * ||r||^2 + CE(f(x + r), l) "
                      "over x + r in [0, 1], keeping the largest c that succeeds")
                      .component(&Params::optimiser, "optimiser", PluginKind::optimiser, "lbfgsb",
                                 "box-constrained optimiser of each inner problem")
                      .component(&Params::search, "search", PluginKind::search, "c_search",
                                 "per-sample line search over the penalty c");
    return selection_params(schema, &Params::samples, "train")
        .param(&Params::target, "target", "random",
               "random (seeded, uniform over the other labels), next ((label + 1) mod classes), "
               "least-likely (lowest clean logit), all (every other label, closest kept), "
               "untargeted (any other label: ascend the true label's loss) or list (`targets`)")
        .choices({"random", "next", "least-likely", "all", "untargeted", "list"})
        .param(&Params::targets, "targets", std::vector<std::int64_t>{},
               "target list: one label per sample, or one for all")
        .at_least(0)
        .param(&Params::batch, "batch", 256,
               "problems each driver keeps in its batch; a finished one is replaced at once")
        .at_least(1)
        .untracked()
        .param(&Params::threads, "threads", 0,
               "batched drivers, one per thread, each single-threaded (0: one per core the run "
               "may use); results agree whatever the count, up to float rounding")
        .at_least(0)
        .untracked()
        .param(&Params::warm_start, "warm_start", true,
               "start each solve from the sample's previous minimiser instead of x")
        .param(&Params::margin, "margin", 1e-3,
               "a solve succeeds only if the target's logit beats every other by this much "
               "(untargeted: another beats the true label's), so that float rounding in another "
               "batch cannot undo a success that sits on the decision boundary")
        .at_least(0)
        .input<Model>("model", "classifier to attack")
        .input<Dataset>("data", "labelled images")
        .output<AdversarialSet>("adversarial",
                                "closest successful x' per sample; extra: c, iterations, "
                                "evaluations, solves");
  }

  explicit Szegedy(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get<Model>("model").net;
    const LabelledImages samples = select_samples(in.get<Dataset>("data"), p_.samples, ctx);
    const std::int64_t n = samples.size(), classes = net.num_classes();
    const bool untargeted = p_.target == "untargeted", all = p_.target == "all";
    if (classes < 2) throw Error("", "an attack needs at least two classes");
    AdversarialSet set;
    set.original = samples.images;
    set.labels = samples.labels;
    set.indices = samples.indices;
    set.original_prediction = predict(net, samples.images, p_.batch);
    const at::Tensor correct = set.original_prediction.eq(set.labels);
    // Problems: one per sample, or one per sample and other label for "all".
    const std::int64_t per = all ? classes - 1 : 1;
    const at::Tensor owner = torch::arange(n).repeat_interleave(per);
    at::Tensor label;
    if (all) {
      const at::Tensor other = torch::arange(per).repeat(n);
      label = other + other.ge(samples.labels.index_select(0, owner)).to(torch::kLong);
    } else {
      label = untargeted ? samples.labels.clone() : targets(net, samples, ctx);
    }
    const at::Tensor true_label = samples.labels.index_select(0, owner);
    szegedy::Problems problems{samples.images.flatten(1).to(torch::kDouble).index_select(0, owner),
                               label, correct.index_select(0, owner).logical_not(), untargeted,
                               p_.margin};
    if (!untargeted) problems.skip = problems.skip.logical_or(label.eq(true_label));
    const std::vector<std::int64_t> shape(samples.images.sizes().begin() + 1,
                                          samples.images.sizes().end());
    const auto progress = ctx.progress(all ? "problems" : "samples", n * per);
    const int drivers = static_cast<int>(
        std::min<std::int64_t>(p_.threads > 0 ? p_.threads : ctx.threads(), n * per));
    const szegedy::Schedule schedule{p_.warm_start, p_.batch, std::max(drivers, 1)};
    const szegedy::Found found =
        szegedy::solve(net, shape, problems, *make_component<Optimiser>(ctx, p_.optimiser),
                       *make_component<Search>(ctx, p_.search), schedule, ctx, [&] {
                         if (progress) progress->advance();
                       });
    // Per sample, the closest success over its problems (the first problem if none).
    const at::Tensor score =
        torch::where(found.found, found.distance, std::numeric_limits<double>::infinity());
    const at::Tensor chosen = torch::arange(n) * per + score.view({n, per}).argmin(1);
    set.adversarial = found.x.index_select(0, chosen).to(torch::kFloat).view_as(samples.images);
    set.target = untargeted ? torch::full_like(set.labels, -1) : label.index_select(0, chosen);
    set.prediction = predict(net, set.adversarial, p_.batch);
    const at::Tensor reached =
        untargeted ? set.prediction.ne(set.labels)
                   : set.prediction.eq(set.target).logical_and(set.target.ne(set.labels));
    set.success = reached.logical_and(correct).to(torch::kUInt8);
    set.distortion = AdversarialSet::rms_distortion(set.original, set.adversarial);
    set.extra["c"] = found.c.index_select(0, chosen).to(torch::kFloat);
    set.extra["iterations"] = found.iterations.view({n, per}).sum(1);
    set.extra["evaluations"] = found.evaluations.view({n, per}).sum(1);
    set.extra["solves"] = found.solves.view({n, per}).sum(1);
    const std::int64_t won = set.success.sum().item<std::int64_t>();
    const double mean =
        won ? set.distortion.masked_select(set.success.to(torch::kBool)).mean().item<double>()
            : 0.0;
    char line[200];
    std::snprintf(line, sizeof line,
                  "%lld of %lld samples succeeded (%.1f%%), mean distortion of successes %.4f; "
                  "%lld were misclassified before the attack",
                  static_cast<long long>(won), static_cast<long long>(n), 100.0 * won / n, mean,
                  static_cast<long long>(n - correct.sum().item<std::int64_t>()));
    ctx.log(line);
    const szegedy::Timing& t = found.timing;
    const double busy = std::max(t.model + t.judging + t.optimiser, 1e-9);
    std::snprintf(line, sizeof line,
                  "%d batched drivers, %.1f s: %.0f%% model, %.0f%% L-BFGS-B, %.0f%% judging; "
                  "%.1f evaluations per sample",
                  schedule.drivers, t.wall, 100 * t.model / busy, 100 * t.optimiser / busy,
                  100 * t.judging / busy, found.evaluations.sum().item<double>() / n);
    ctx.log(line);
    out.put("adversarial", std::move(set));
  }

  // The label each sample is pushed towards (one target per sample).
  at::Tensor targets(const Classifier& net, const LabelledImages& samples, RunContext& ctx) const {
    const std::int64_t classes = net.num_classes(), n = samples.size();
    if (p_.target == "next") return (samples.labels + 1).remainder(classes);
    if (p_.target == "least-likely") return predict_least_likely(net, samples.images);
    if (p_.target == "list") {
      const auto given = static_cast<std::int64_t>(p_.targets.size());
      if (given != 1 && given != n)
        throw Error("", "targets lists " + std::to_string(given) + " labels for " +
                            std::to_string(n) + " samples; give one, or one per sample");
      for (std::int64_t t : p_.targets)
        if (t >= classes)
          throw Error("", "target " + std::to_string(t) + " is not a label of the model");
      return torch::tensor(p_.targets).expand({n}).clone();
    }
    // random: uniform over the classes - 1 other labels, by a draw that is the same everywhere.
    at::Tensor out = samples.labels.clone();
    auto* label = out.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t other = uniform(ctx.rng(), classes - 1);
      label[i] = other >= label[i] ? other + 1 : other;
    }
    return out;
  }

  at::Tensor predict_least_likely(const Classifier& net, const at::Tensor& images) const {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> parts;
    for (std::int64_t start = 0; start < images.size(0); start += p_.batch)
      parts.push_back(
          net.logits(images.narrow(0, start, std::min(p_.batch, images.size(0) - start)))
              .argmin(1));
    return torch::cat(parts);
  }

  // A uniform integer in [0, k): rng() % k, rejecting the top draws that would bias it.
  static std::int64_t uniform(std::mt19937_64& rng, std::int64_t k) {
    const auto n = static_cast<std::uint64_t>(k);
    const std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = top - top % n;  // a multiple of n
    std::uint64_t draw = rng();
    while (draw >= limit) draw = rng();
    return static_cast<std::int64_t>(draw % n);
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Szegedy, "szegedy", attack, "1")
