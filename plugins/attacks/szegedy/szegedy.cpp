// The szegedy attack plugin: box-constrained L-BFGS with a line search over c (Szegedy 2014).
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/attack_support.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/samples.hpp"
#include "solve.hpp"

namespace {

using namespace blindspot;

/// The ports of the szegedy node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

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
    auto schema =
        Schema::of<Params>(
            "Szegedy et al.'s attack: minimise c * ||r||^2 + CE(f(x + r), l) "
            "over x + r in [0, 1], keeping the largest c that succeeds")
            .component(&Params::optimiser, "optimiser", PluginKind::optimiser, "projected_lbfgs",
                       "box-constrained optimiser of each inner problem")
            .component(&Params::search, "search", PluginKind::search, "c_search",
                       "per-sample line search over the penalty c");
    return selection_params(schema, &Params::samples, "train")
        .param(&Params::target, "target", "random",
               "random (seeded, uniform over the other labels), next ((label + 1) mod classes), "
               "least-likely (lowest clean logit), all (every other label, closest kept), "
               "untargeted (any other label: minimise -log(1 - p(true label)), which is bounded, "
               "so the "
               "result stays near the closest boundary), list (`targets`, in the order samples are "
               "attacked) or by-index (`targets[i]` for the sample of source index i)")
        .choices({"random", "next", "least-likely", "all", "untargeted", "list", "by-index"})
        .param(&Params::targets, "targets", std::vector<std::int64_t>{},
               "list: one label per sample, or one for all; by-index: one label per source index "
               "(the sample's row in its data files), covering every sample attacked")
        .at_least(0)
        .param(&Params::batch, "batch", 256,
               "problems each driver keeps in its batch; a finished one is replaced at once")
        .at_least(1)
        .untracked()
        .param(&Params::threads, "threads", 0,
               "batched drivers, one per thread, each single-threaded (0: one per core the run "
               "may use; per rank in an MPI run); results agree whatever the count, up to float "
               "rounding")
        .at_least(0)
        .untracked()
        .param(&Params::warm_start, "warm_start", true,
               "start each solve from the sample's previous minimiser instead of x")
        .param(&Params::margin, "margin", 1e-3,
               "a solve succeeds only if the target's logit beats every other by this much "
               "(untargeted: another beats the true label's), so that float rounding in another "
               "batch cannot undo a success that sits on the decision boundary")
        .at_least(0)
        .input(kModel, "classifier to attack")
        .input(kData, "labelled images")
        .output(kAdversarial,
                "closest successful x' per sample; extra: c, iterations, "
                "evaluations, solves")
        .across_ranks();
  }

  explicit Szegedy(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    const std::int64_t n = samples.size(), classes = net.num_classes();
    const bool untargeted = p_.target == "untargeted", all = p_.target == "all";
    if (classes < 2) throw Error("", "an attack needs at least two classes");
    const at::Tensor original_prediction = predict(net, samples.images, p_.batch);
    const at::Tensor correct = original_prediction.eq(samples.labels);
    // Problems: one per sample, or one per sample and other label for "all".
    const std::int64_t per = all ? classes - 1 : 1;
    const at::Tensor owner = torch::arange(n).repeat_interleave(per);
    const at::Tensor target =
        all ? other_labels(samples.labels, classes).flatten()
            : choose_targets(net, samples, p_.target, p_.targets, p_.batch, ctx.rng());
    const at::Tensor true_label = samples.labels.index_select(0, owner);
    // Untargeted problems push away from the true label.
    szegedy::Problems problems{samples.images.flatten(1).to(torch::kDouble).index_select(0, owner),
                               untargeted ? true_label : target,
                               correct.index_select(0, owner).logical_not(), untargeted, p_.margin};
    if (!untargeted) problems.skip = problems.skip.logical_or(target.eq(true_label));
    const std::vector<std::int64_t> shape(samples.images.sizes().begin() + 1,
                                          samples.images.sizes().end());
    // Drivers: one per thread, or `threads`; in a run across MPI ranks, as many on each rank,
    // driver k of them all on rank k / per_rank, exactly as one process with all of them.
    const Ranks& ranks = ctx.ranks();
    const int per_rank = static_cast<int>(p_.threads > 0 ? p_.threads : ctx.threads());
    const auto total = static_cast<int>(std::max<std::int64_t>(
        1, std::min<std::int64_t>(static_cast<std::int64_t>(per_rank) * ranks.size(), n * per)));
    const int first = std::min(total, ranks.rank() * per_rank);
    const int drivers = std::min(total, first + per_rank) - first;
    const at::Tensor driver_of = torch::arange(n * per).remainder(total);
    const at::Tensor mine = driver_of.ge(first).logical_and(driver_of.lt(first + drivers));
    const auto progress =
        ctx.progress(all ? "problems" : "samples", mine.sum().item<std::int64_t>());
    const szegedy::Schedule schedule{p_.warm_start, p_.batch, drivers, first, total};
    szegedy::Found found =
        szegedy::solve(net, shape, problems, *make_component<Optimiser>(ctx, p_.optimiser),
                       *make_component<Search>(ctx, p_.search), schedule, ctx, [&] {
                         if (progress) progress->advance();
                       });
    // x' holds float32 values: converted first, half the bytes cross between ranks, in one
    // message with the search's results.
    found.x = found.x.to(torch::kFloat);
    combine_together(ranks,
                     {&found.x, &found.found, &found.distance, &found.c, &found.iterations,
                      &found.evaluations, &found.solves},
                     mine);
    // Per sample, the closest success over its problems (the first problem if none).
    const at::Tensor score =
        torch::where(found.found, found.distance, std::numeric_limits<double>::infinity());
    const at::Tensor chosen = torch::arange(n) * per + score.view({n, per}).argmin(1);
    AdversarialSet set =
        adversarial_set(net, samples, found.x.index_select(0, chosen).view_as(samples.images),
                        target.index_select(0, chosen), p_.batch, original_prediction);
    set.extra["c"] = found.c.index_select(0, chosen).to(torch::kFloat);
    set.extra["iterations"] = found.iterations.view({n, per}).sum(1);
    set.extra["evaluations"] = found.evaluations.view({n, per}).sum(1);
    set.extra["solves"] = found.solves.view({n, per}).sum(1);
    const std::int64_t won = set.success.sum().item<std::int64_t>();
    const std::int64_t attacked = correct.sum().item<std::int64_t>();
    const double mean =
        won ? set.distortion.masked_select(set.success.to(torch::kBool)).mean().item<double>()
            : 0.0;
    char line[200];
    std::snprintf(line, sizeof line,
                  "%lld of %lld attacked succeeded (%.1f%%; %lld already misclassified, not "
                  "attacked), mean distortion of successes %.4f",
                  static_cast<long long>(won), static_cast<long long>(attacked),
                  attacked ? 100.0 * won / attacked : 0.0, static_cast<long long>(n - attacked),
                  mean);
    ctx.log(line);
    const szegedy::Timing& t = found.timing;
    const double busy = std::max(t.model + t.judging + t.optimiser, 1e-9);
    std::snprintf(line, sizeof line,
                  "%d batched drivers%s, %.1f s: %.0f%% model, %.0f%% optimiser, %.0f%% judging; "
                  "%.1f evaluations per sample",
                  total, ranks.size() > 1 ? " (times on this rank)" : "", t.wall,
                  100 * t.model / busy, 100 * t.optimiser / busy, 100 * t.judging / busy,
                  found.evaluations.sum().item<double>() / n);
    ctx.log(line);
    out.put(kAdversarial, std::move(set));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Szegedy, "szegedy", attack, "3")
