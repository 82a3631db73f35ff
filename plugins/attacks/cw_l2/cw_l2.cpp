// The cw_l2 attack plugin: Carlini and Wagner's L2 attack (2017), Adam in tanh space with a
// per-sample binary search over the constant c.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/attack_support.hpp"
#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/samples.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the cw_l2 node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kAdamEpsilon = 1e-8;  // Adam's usual constants
constexpr double kNoUpperBound = 1e10;    // the reference's upper bound on c before any success
constexpr double kBisectBelow = 1e9;      // an upper bound under this is real: bisect, not x10
constexpr double kTanhShrink = 0.999999;  // keeps atanh finite at pixels 0 and 1

/// The samples under attack, and what each is pushed toward.
struct Aim {
  at::Tensor x;      // float32 [B, C, H, W], the clean images
  at::Tensor label;  // int64 [B]: the target, or the true label when untargeted
  at::Tensor sign;   // float32 [B]: +1 to reach `label`, -1 to leave it

  /// Rows [start, start + count).
  Aim slice(std::int64_t start, std::int64_t count) const {
    return {x.narrow(0, start, count), label.narrow(0, start, count), sign.narrow(0, start, count)};
  }
};

/// Per sample of a batch, the closest success over every iteration and constant so far.
struct Best {
  at::Tensor l2;          // float32 [B], squared L2 distance; infinity while none
  at::Tensor x;           // float32 [B, C, H, W], the iterate; the clean image while none
  at::Tensor c;           // float32 [B], its constant; NaN while none
  at::Tensor iterations;  // int64 [B], Adam steps run over all binary-search steps

  /// No success yet for the clean images `x`.
  static Best none(const at::Tensor& x) {
    const std::int64_t n = x.size(0);
    return {torch::full({n}, std::numeric_limits<float>::infinity()), x.clone(),
            torch::full({n}, std::nanf(""), torch::kFloat), torch::zeros({n}, torch::kLong)};
  }
  /// Rows [start, start + count), as views: writing them writes this Best.
  Best slice(std::int64_t start, std::int64_t count) const {
    return {l2.narrow(0, start, count), x.narrow(0, start, count), c.narrow(0, start, count),
            iterations.narrow(0, start, count)};
  }
};

/// The rows of a batch still descending in one binary-search step, with their Adam state.
struct Descent {
  at::Tensor rows;                // int64: positions in the batch
  at::Tensor x, label, sign, c;   // the rows of Aim, and each row's constant (float32)
  at::Tensor w, m, v;             // the tanh-space variable and Adam's two moments
  at::Tensor previous_objective;  // at the last early-abort check; infinity before the first

  /// Drops the rows where `still` is false; returns the positions of the rows kept.
  at::Tensor keep(const at::Tensor& still) {
    const at::Tensor kept = still.nonzero().squeeze(1);
    for (at::Tensor* t : {&rows, &x, &label, &sign, &c, &w, &m, &v, &previous_objective})
      *t = t->index_select(0, kept);
    return kept;
  }
};

/// The objective and its parts at the current iterates of a Descent.
struct Evaluation {
  at::Tensor image;      // x' = (tanh(w) + 1) / 2, float32
  at::Tensor l2;         // ||x' - x||^2
  at::Tensor gap;        // logit gap toward the goal: success needs gap > kappa + margin
  at::Tensor objective;  // l2 + c * max(kappa - gap, 0)
  at::Tensor gradient;   // d objective / d w
};

/// Per row, sign * (Z_label - max_{i != label} Z_i).
at::Tensor logit_gap(const at::Tensor& logits, const at::Tensor& label, const at::Tensor& sign) {
  const at::Tensor aimed = logits.gather(1, label.unsqueeze(1)).squeeze(1);
  const at::Tensor others = std::get<0>(
      logits.scatter(1, label.unsqueeze(1), -std::numeric_limits<float>::infinity()).max(1));
  return sign * (aimed - others);
}

/// The cw_l2 node: per sample, the closest x' in [0, 1] found by C&W's L2 attack.
class CwL2 final : public Node {
 public:
  struct Params {
    SampleSelection samples;
    std::int64_t batch;
    std::string target;
    std::vector<std::int64_t> targets;
    double confidence, margin, learning_rate;
    std::int64_t binary_search_steps, iterations;
    double initial_const;
    bool abort_early;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "Carlini and Wagner's L2 attack: minimise ||x' - x||^2 + c * f6(x') with Adam over "
        "x' = (tanh(w) + 1) / 2, binary-searching c per sample; the closest success is kept");
    return selection_params(schema, &Params::samples, "test")
        .param(&Params::batch, "batch", 500, "samples optimised together")
        .at_least(1)
        .untracked()
        .param(&Params::target, "target", "untargeted",
               "untargeted (any other label), random (seeded, uniform over the other labels), "
               "next ((label + 1) mod classes), least-likely (lowest clean logit), list "
               "(`targets`, in the order samples are attacked) or by-index (`targets[i]` for "
               "the sample of source index i)")
        .choices({"untargeted", "random", "next", "least-likely", "list", "by-index"})
        .param(&Params::targets, "targets", std::vector<std::int64_t>{},
               "list: one label per sample, or one for all; by-index: one label per source index")
        .at_least(0)
        .param(&Params::confidence, "confidence", 0.0,
               "kappa: f6 = max(gap', -kappa), so the attack pushes the logit gap to kappa")
        .at_least(0)
        .param(&Params::margin, "margin", 1e-3,
               "an iterate succeeds only if its logit gap exceeds kappa + margin, so that float "
               "rounding in another batch cannot undo a success that sits on the boundary")
        .at_least(0)
        .param(&Params::learning_rate, "learning_rate", 1e-2, "Adam's step size on w")
        .above(0)
        .param(&Params::binary_search_steps, "binary_search_steps", 9,
               "constants c tried per sample, each from a fresh start")
        .at_least(1)
        .param(&Params::iterations, "iterations", 1000,
               "Adam steps per binary-search step at most (the reference uses 10000; 1000 with "
               "early abort is the default here)")
        .at_least(1)
        .param(&Params::initial_const, "initial_const", 1e-3, "the first c of every sample")
        .above(0)
        .param(&Params::abort_early, "abort_early", true,
               "every ceil(iterations / 10) steps, stop a sample whose objective fell by less "
               "than 0.01% since the last check")
        .input(kModel, "classifier to attack")
        .input(kData, "labelled images")
        .output(kAdversarial,
                "closest successful x' per sample (x where none); extra: c (NaN where none), "
                "iterations (Adam steps)");
  }

  explicit CwL2(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    if (net.num_classes() < 2) throw Error("", "an attack needs at least two classes");
    const at::Tensor original_prediction = predict(net, samples.images, p_.batch);
    const at::Tensor target =
        choose_targets(net, samples, p_.target, p_.targets, p_.batch, ctx.rng());
    const at::Tensor attacked =
        original_prediction.eq(samples.labels).logical_and(target.ne(samples.labels));
    const at::Tensor rows = attacked.nonzero().squeeze(1);
    const Aim aim{samples.images.index_select(0, rows),
                  torch::where(target.ge(0), target, samples.labels).index_select(0, rows),
                  torch::where(target.ge(0), 1.f, -1.f).index_select(0, rows)};
    const Best best = attack(net, aim, ctx);

    const std::int64_t n = samples.size();
    AdversarialSet set = adversarial_set(net, samples, samples.images.index_copy(0, rows, best.x),
                                         target, p_.batch, original_prediction);
    set.extra["c"] = torch::full({n}, std::nanf(""), torch::kFloat).index_copy(0, rows, best.c);
    set.extra["iterations"] = torch::zeros({n}, torch::kLong).index_copy(0, rows, best.iterations);
    ctx.log(attack_summary(set));
    char line[120];
    std::snprintf(line, sizeof line, "%.1f Adam steps per attacked sample",
                  rows.numel() ? best.iterations.sum().item<double>() / rows.numel() : 0.0);
    ctx.log(line);
    out.put(kAdversarial, std::move(set));
  }

  // Every sample of `aim`, attacked in batches of p_.batch.
  Best attack(const Classifier& net, const Aim& aim, RunContext& ctx) const {
    const std::int64_t n = aim.x.size(0);
    Best best = Best::none(aim.x);
    const auto progress = ctx.progress("constants tried", n * p_.binary_search_steps);
    for (std::int64_t start = 0; start < n; start += p_.batch) {
      const std::int64_t count = std::min(p_.batch, n - start);
      Best part = best.slice(start, count);
      attack_batch(net, aim.slice(start, count), part, [&] {
        if (progress) progress->advance(count);
      });
    }
    return best;
  }

  // One batch into `best`: the binary search over c, each step a fresh descent from w0.
  template <class Advance>
  void attack_batch(const Classifier& net, const Aim& aim, Best& best,
                    const Advance& advance) const {
    const std::int64_t n = aim.x.size(0);
    at::Tensor c = torch::full({n}, p_.initial_const, torch::kDouble);
    at::Tensor lower = torch::zeros({n}, torch::kDouble);
    at::Tensor upper = torch::full({n}, kNoUpperBound, torch::kDouble);
    for (std::int64_t step = 0; step < p_.binary_search_steps; ++step) {
      const at::Tensor succeeded = descend(net, aim, c, best);
      upper = torch::where(succeeded, torch::minimum(upper, c), upper);
      lower = torch::where(succeeded, lower, torch::maximum(lower, c));
      c = torch::where(succeeded.logical_or(upper.lt(kBisectBelow)), (lower + upper) / 2, c * 10);
      advance();
    }
  }

  // Adam from w0 on every sample with constant `c`, recording successes into `best`; returns
  // which samples succeeded at least once.
  at::Tensor descend(const Classifier& net, const Aim& aim, const at::Tensor& c, Best& best) const {
    const std::int64_t n = aim.x.size(0);
    at::Tensor w0 = torch::atanh((2 * aim.x - 1) * kTanhShrink);
    Descent d{torch::arange(n),
              aim.x,
              aim.label,
              aim.sign,
              c.to(torch::kFloat),
              w0,
              torch::zeros_like(w0),
              torch::zeros_like(w0),
              torch::full({n}, std::numeric_limits<float>::infinity())};
    at::Tensor succeeded = torch::zeros({n}, torch::kBool);
    const std::int64_t check_every = (p_.iterations + 9) / 10;
    for (std::int64_t i = 0; i < p_.iterations && d.rows.numel() > 0; ++i) {
      Evaluation e = evaluate(net, d);
      record(d, e, best, succeeded);
      if (p_.abort_early && i % check_every == 0) {
        const at::Tensor progressing = e.objective.le(d.previous_objective * 0.9999);
        d.previous_objective = e.objective;
        if (!progressing.all().item<bool>())
          e.gradient = e.gradient.index_select(0, d.keep(progressing));
      }
      adam_step(d, e.gradient, i + 1);
      best.iterations.index_add_(0, d.rows, torch::ones_like(d.rows));
    }
    return succeeded;
  }

  // The objective, its parts and its gradient at the current rows of `d`.
  Evaluation evaluate(const Classifier& net, const Descent& d) const {
    torch::AutoGradMode enable(true);
    const at::Tensor w = d.w.detach().requires_grad_(true);
    const at::Tensor image = (torch::tanh(w) + 1) / 2;
    const at::Tensor l2 = (image - d.x).pow(2).flatten(1).sum(1);
    const at::Tensor gap = logit_gap(net.logits(image), d.label, d.sign);
    // The reference's max(kappa - gap, 0) = f6 + kappa: the same gradient, and never negative,
    // so that the early-abort ratio test compares like with like.
    const at::Tensor objective = l2 + d.c * torch::relu(p_.confidence - gap);
    const at::Tensor gradient = torch::autograd::grad({objective.sum()}, {w})[0];
    return {image.detach(), l2.detach(), gap.detach(), objective.detach(), gradient};
  }

  // Marks the rows of `d` whose iterate succeeds, and keeps it where it is the closest yet.
  void record(const Descent& d, const Evaluation& e, Best& best, at::Tensor& succeeded) const {
    const at::Tensor won = e.gap.gt(p_.confidence + p_.margin);
    succeeded.index_fill_(0, d.rows.masked_select(won), true);
    const at::Tensor closer = won.logical_and(e.l2.lt(best.l2.index_select(0, d.rows)));
    const at::Tensor which = closer.nonzero().squeeze(1);
    if (which.numel() == 0) return;
    const at::Tensor at = d.rows.index_select(0, which);
    best.l2.index_copy_(0, at, e.l2.index_select(0, which));
    best.x.index_copy_(0, at, e.image.index_select(0, which));
    best.c.index_copy_(0, at, d.c.index_select(0, which));
  }

  // Adam's update of every row of `d` by its own gradient; `t` counts the steps so far. In place:
  // the moments and w belong to this descent alone.
  void adam_step(Descent& d, const at::Tensor& gradient, std::int64_t t) const {
    d.m.mul_(kBeta1).add_(gradient, 1 - kBeta1);
    d.v.mul_(kBeta2).addcmul_(gradient, gradient, 1 - kBeta2);
    const double bias1 = 1 - std::pow(kBeta1, t), bias2 = 1 - std::pow(kBeta2, t);
    d.w.addcdiv_(d.m, d.v.div(bias2).sqrt_().add_(kAdamEpsilon), -p_.learning_rate / bias1);
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(CwL2, "cw_l2", attack, "1")
