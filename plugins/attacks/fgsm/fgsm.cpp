// The fgsm attack plugin: the fast gradient sign method of Goodfellow et al. (2015).
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "blindspot/attack_support.hpp"
#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/samples.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the fgsm node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

/// The fgsm node: one step of eps * sign(gradient of the cross-entropy) per sample.
class Fgsm final : public Node {
 public:
  struct Params {
    SampleSelection samples;
    std::int64_t batch;
    double epsilon;
    std::string mode, target;
    bool clip, search;
    std::int64_t search_steps;
  };

  static Schema describe() {
    auto schema =
        Schema::of<Params>("Fast gradient sign attack: x' = x +- epsilon * sign(gradient)");
    return selection_params(schema, &Params::samples, "test")
        .param(&Params::batch, "batch", 500, "samples per forward pass")
        .at_least(1)
        .untracked()
        .param(&Params::epsilon, "epsilon", 0.1, "L-inf step in pixel units")
        .range(0, 1)
        .param(&Params::mode, "mode", "untargeted",
               "untargeted: ascend the loss of the true label; targeted: descend the loss of "
               "the target label. Samples the model already misclassifies never succeed")
        .choices({"untargeted", "targeted"})
        .param(&Params::target, "target", "random",
               "targeted mode only: random (seeded, uniform over the other labels), next "
               "((label + 1) mod classes) or least-likely (lowest logit on the clean image)")
        .choices({"random", "next", "least-likely"})
        .param(&Params::clip, "clip", true, "clip x' into [0, 1]")
        .param(&Params::search, "search", false,
               "bisect for the smallest step in [0, epsilon] that succeeds, per sample")
        .param(&Params::search_steps, "search_steps", 10, "bisection steps when search is on")
        .range(1, 40)
        .input(kModel, "classifier to attack")
        .input(kData, "labelled images")
        .output(
            kAdversarial,
            "perturbed samples; extra/epsilon_linf is the step used per sample (with search, the "
            "smallest that succeeds)");
  }

  explicit Fgsm(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    const at::Tensor& x = samples.images;
    const at::Tensor original_prediction = predict(net, x, p_.batch);
    const bool targeted = p_.mode == "targeted";
    const at::Tensor target =
        choose_targets(net, samples, targeted ? p_.target : "untargeted", {}, p_.batch, ctx.rng());
    // Untargeted: climb the loss of the true label. Targeted: descend the loss of the target.
    const at::Tensor direction =
        targeted ? -signed_gradient(net, x, target) : signed_gradient(net, x, samples.labels);
    const auto succeeded = [&](const at::Tensor& prediction) {
      return judge_success(samples.labels, original_prediction, prediction, target)
          .to(torch::kBool);
    };
    at::Tensor eps = torch::full({x.size(0)}, p_.epsilon, torch::kFloat);
    if (p_.search) eps = smallest_epsilon(net, x, direction, eps, succeeded);
    AdversarialSet set = adversarial_set(net, samples, step(x, direction, eps), target, p_.batch,
                                         original_prediction);
    set.extra["epsilon_linf"] = eps;
    ctx.log(attack_summary(set));
    out.put(kAdversarial, std::move(set));
  }

  // Sign of the cross-entropy gradient of `labels` at `x`.
  at::Tensor signed_gradient(const Classifier& net, const at::Tensor& x,
                             const at::Tensor& labels) const {
    return in_batches(x.size(0), p_.batch, [&](std::int64_t start, std::int64_t n) {
      return input_gradient(net, x.narrow(0, start, n), labels.narrow(0, start, n)).sign();
    });
  }

  // x + eps * direction with one eps per sample, clipped into [0, 1] if asked.
  at::Tensor step(const at::Tensor& x, const at::Tensor& direction, const at::Tensor& eps) const {
    const at::Tensor moved = x + per_sample(eps, x) * direction;
    return p_.clip ? moved.clamp(0, 1) : moved;
  }

  // Per sample, the smallest step in [0, epsilon] that succeeds, by bisection; a sample that
  // does not succeed at epsilon keeps epsilon. Every sample is evaluated in one pass per step.
  template <class Succeeded>
  at::Tensor smallest_epsilon(const Classifier& net, const at::Tensor& x,
                              const at::Tensor& direction, const at::Tensor& epsilon,
                              const Succeeded& succeeded) const {
    const at::Tensor searching = succeeded(predict(net, step(x, direction, epsilon), p_.batch));
    at::Tensor low = torch::zeros_like(epsilon), high = epsilon.clone();  // high always succeeds
    for (std::int64_t i = 0; i < p_.search_steps; ++i) {
      const at::Tensor middle = (low + high) / 2;
      const at::Tensor ok = succeeded(predict(net, step(x, direction, middle), p_.batch));
      high = torch::where(searching.logical_and(ok), middle, high);
      low = torch::where(searching.logical_and(ok.logical_not()), middle, low);
    }
    return high;
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Fgsm, "fgsm", attack, "2")
