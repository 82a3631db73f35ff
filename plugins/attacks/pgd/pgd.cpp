// The pgd attack plugin: projected gradient descent in an L-inf or L2 ball (Madry et al. 2018).
#include <torch/torch.h>

#include <cstdint>
#include <memory>
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

/// The ports of the pgd node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

/// Per-sample Euclidean norm of a batch [N, ...]: [N].
at::Tensor l2_norms(const at::Tensor& t) {
  return t.flatten(1).norm(2, {1});
}

/// What the restarts leave: each sample's x' and how many attempts it took.
struct Attempts {
  at::Tensor adversarial;  // float32 [N, C, H, W]
  at::Tensor restarts;     // int64 [N]
};

/// The pgd node: iterated gradient steps, each projected onto the epsilon-ball around x and
/// into [0, 1], from a random start in the ball, restarted for the samples not yet fooled.
class Pgd final : public Node {
 public:
  /// The parameters, as describe() binds them.
  struct Params {
    SampleSelection samples;
    std::int64_t batch;
    std::string norm;
    double epsilon, relative_step;
    std::int64_t iterations, restarts;
    bool random_start;
    std::string mode, target;
    std::vector<std::int64_t> targets;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "Projected gradient descent (Madry et al. 2018): iterated gradient steps on the "
        "cross-entropy, each projected onto the epsilon-ball around x and into [0, 1]");
    return selection_params(schema, &Params::samples, "test")
        .param(&Params::batch, "batch", 500, "samples per forward/backward pass")
        .at_least(1)
        .untracked()
        .param(&Params::norm, "norm", "linf",
               "the ball x' stays in: linf (every pixel within epsilon of x) or l2 (Euclidean "
               "norm of x' - x over all pixels of the image at most epsilon)")
        .choices({"linf", "l2"})
        .param(&Params::epsilon, "epsilon", 0.1,
               "radius of the ball, in pixel units (pixels are in [0, 1])")
        .above(0)
        .param(&Params::relative_step, "relative_step", 0.05,
               "step size as a fraction of epsilon: each step moves x' by relative_step * "
               "epsilon (L-inf: that much per pixel along the gradient's sign; L2: that Euclidean "
               "length along the gradient) before the projection. The default with 50 "
               "iterations is Madry et al.'s step of 2.5 * epsilon / iterations")
        .above(0)
        .param(&Params::iterations, "iterations", 50, "gradient steps per attempt")
        .at_least(1)
        .param(&Params::random_start, "random_start", true,
               "start each attempt at a uniform random point of the ball (L-inf: uniform in "
               "[-epsilon, epsilon] per pixel; L2: uniform in the Euclidean ball), clipped into "
               "[0, 1]; off: start at x, so that every attempt would be the same and only one is "
               "run")
        .param(&Params::restarts, "restarts", 1,
               "attempts per sample, each from a new random start; a sample fooled by an attempt "
               "keeps that attempt's x' and is not attacked again, one never fooled keeps its "
               "last attempt")
        .at_least(1)
        .param(&Params::mode, "mode", "untargeted",
               "untargeted: ascend the cross-entropy of the true label; targeted: descend the "
               "cross-entropy of the target label. Samples the model already misclassifies are "
               "not attacked (x' = x) and never succeed")
        .choices({"untargeted", "targeted"})
        .param(&Params::target, "target", "random",
               "targeted mode only: random (seeded, uniform over the other labels), next "
               "((label + 1) mod classes), least-likely (lowest logit on the clean image), list "
               "(`targets`, in the order samples are attacked) or by-index (`targets[i]` for the "
               "sample of source index i). A sample aimed at its own label is not attacked")
        .choices({"random", "next", "least-likely", "list", "by-index"})
        .param(&Params::targets, "targets", std::vector<std::int64_t>{},
               "list: one label per sample, or one for all; by-index: one label per source index "
               "(the sample's row in its data files), covering every sample attacked")
        .at_least(0)
        .input(kModel, "classifier to attack")
        .input(kData, "labelled images")
        .output(kAdversarial,
                "perturbed samples; extra: epsilon_linf or epsilon_l2 (the ball's radius, named "
                "by its norm) and restarts (attempts run, 0 for a sample not attacked)");
  }

  explicit Pgd(const Params& p)
      : p_(p),
        linf_(p.norm == "linf"),
        targeted_(p.mode == "targeted"),
        alpha_(p.relative_step * p.epsilon) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    const at::Tensor original_prediction = predict(net, samples.images, p_.batch);
    const at::Tensor target = choose_targets(net, samples, targeted_ ? p_.target : "untargeted",
                                             p_.targets, p_.batch, ctx.rng());
    const Attempts found = attack(net, samples, target, original_prediction, ctx);
    AdversarialSet set =
        adversarial_set(net, samples, found.adversarial, target, p_.batch, original_prediction);
    set.extra[linf_ ? "epsilon_linf" : "epsilon_l2"] =
        torch::full({set.size()}, p_.epsilon, torch::kFloat);
    set.extra["restarts"] = found.restarts;
    ctx.log(attack_summary(set));
    out.put(kAdversarial, std::move(set));
  }

  // Runs the attempts: each attacks the samples not fooled yet, from a new start drawn for all
  // samples at once so that the draws do not depend on the batch size.
  Attempts attack(const Classifier& net, const LabelledImages& samples, const at::Tensor& target,
                  const at::Tensor& original_prediction, RunContext& ctx) const {
    const at::Tensor& x = samples.images;
    const at::Tensor& labels = samples.labels;
    const at::Tensor goal = targeted_ ? target : labels;
    // Only these can succeed: right before the attack and aimed at another label.
    at::Tensor pending = original_prediction.eq(labels).logical_and(target.ne(labels));
    Attempts found{x.clone(), torch::zeros({x.size(0)}, torch::kLong)};
    const std::unique_ptr<Progress> progress = ctx.progress("samples", x.size(0));
    advance(progress, x.size(0) - pending.sum().item<std::int64_t>());
    const std::int64_t attempts = p_.random_start ? p_.restarts : 1;
    for (std::int64_t attempt = 0; attempt < attempts && pending.any().item<bool>(); ++attempt) {
      const bool last = attempt + 1 == attempts;
      const at::Tensor start = p_.random_start ? random_start(x) : x;
      const at::Tensor rows = pending.nonzero().squeeze(1);
      const at::Tensor moved =
          in_batches(rows.size(0), p_.batch, [&](std::int64_t first, std::int64_t count) {
            const at::Tensor batch = rows.narrow(0, first, count);
            at::Tensor result = descend(net, x.index_select(0, batch), start.index_select(0, batch),
                                        goal.index_select(0, batch));
            if (last) advance(progress, count);
            return result;
          });
      found.adversarial.index_copy_(0, rows, moved);
      found.restarts.index_add_(0, rows, torch::ones_like(rows));
      const at::Tensor fooled =
          judge_success(labels.index_select(0, rows), original_prediction.index_select(0, rows),
                        predict(net, moved, p_.batch), target.index_select(0, rows))
              .to(torch::kBool);
      pending.index_put_({rows}, fooled.logical_not());
      if (!last) advance(progress, fooled.sum().item<std::int64_t>());
    }
    return found;
  }

  // One attempt on a batch: `iterations` projected steps from `start`, towards `goal`'s label.
  at::Tensor descend(const Classifier& net, const at::Tensor& x, at::Tensor adversarial,
                     const at::Tensor& goal) const {
    for (std::int64_t i = 0; i < p_.iterations; ++i) {
      const at::Tensor gradient = input_gradient(net, adversarial, goal);
      // Untargeted: climb the loss of the true label. Targeted: descend the loss of the target.
      adversarial = project(adversarial + step(targeted_ ? -gradient : gradient), x);
    }
    return adversarial;
  }

  // The move along `ascent`: alpha * sign (L-inf) or alpha * ascent / ||ascent||_2 (L2), where a
  // zero gradient gives a zero step.
  at::Tensor step(const at::Tensor& ascent) const {
    if (linf_) return alpha_ * ascent.sign();
    const at::Tensor norm = per_sample(l2_norms(ascent), ascent);
    return torch::where(norm > 0, alpha_ * ascent / norm, torch::zeros_like(ascent));
  }

  // The closest point to `moved` in the epsilon-ball around x, clipped into [0, 1].
  at::Tensor project(const at::Tensor& moved, const at::Tensor& x) const {
    at::Tensor delta = moved - x;
    if (linf_) {
      delta = delta.clamp(-p_.epsilon, p_.epsilon);
    } else {  // a zero delta gives epsilon / 0 = inf, clamped to a factor of 1
      delta = delta * (p_.epsilon / per_sample(l2_norms(delta), delta)).clamp_max(1);
    }
    // x is in [0, 1], so clipping x + delta only moves pixels towards x: it shrinks every
    // |delta_i| and the point stays inside the ball of either norm.
    return (x + delta).clamp(0, 1);
  }

  // A uniform random point of the epsilon-ball around each sample, clipped into [0, 1]. L2:
  // a normalised Gaussian direction at radius epsilon * u^(1/d) for uniform u, with d pixels.
  at::Tensor random_start(const at::Tensor& x) const {
    if (linf_) return (x + (torch::rand_like(x) * 2 - 1) * p_.epsilon).clamp(0, 1);
    const at::Tensor direction = torch::randn_like(x);
    const double pixels = static_cast<double>(x.flatten(1).size(1));
    const at::Tensor radius = p_.epsilon * torch::rand({x.size(0)}).pow(1.0 / pixels);
    return project(x + direction * per_sample(radius / l2_norms(direction), x), x);
  }

  // Moves the progress bar, when the host shows one, by `samples` finished samples.
  static void advance(const std::unique_ptr<Progress>& progress, std::int64_t samples) {
    if (progress && samples > 0) progress->advance(samples);
  }

  const Params p_;
  const bool linf_, targeted_;
  const double alpha_;  // the step size, relative_step * epsilon
};

}  // namespace

BLINDSPOT_PLUGIN(Pgd, "pgd", attack, "1")
