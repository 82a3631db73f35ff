// The deepfool attack plugin: Moosavi-Dezfooli et al.'s (2016) untargeted L2 DeepFool.
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/attack_support.hpp"
#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/samples.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the deepfool node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

/// The reference implementation's extra step past the boundary, along its unit normal.
constexpr double kPastBoundary = 1e-4;

/// One DeepFool step of a batch of samples and whether the model was already fooled there.
struct Step {
  at::Tensor r;       // [n, C, H, W], the step towards the nearest linearised boundary
  at::Tensor fooled;  // bool [n], the model no longer predicts the label at the current point
};

/// Where a batch of samples ended and how many steps each took.
struct BatchResult {
  at::Tensor adversarial;  // [n, C, H, W]
  at::Tensor iterations;   // int64 [n]
};

/// The deepfool node: per sample, repeated steps to the nearest boundary of the linearised model.
class DeepFool final : public Node {
 public:
  struct Params {
    SampleSelection samples;
    std::int64_t batch, candidates, iterations;
    double overshoot;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "DeepFool (L2, untargeted): step to the nearest boundary of the linearised model "
        "until the prediction changes");
    return selection_params(schema, &Params::samples, "test")
        .param(&Params::batch, "batch", 500, "samples attacked together")
        .at_least(1)
        .untracked()
        .param(&Params::candidates, "candidates", 10,
               "classes considered: those of the highest clean logits, the label among them; "
               "the model's number of classes or more for all")
        .at_least(2)
        .param(&Params::overshoot, "overshoot", 0.02,
               "x' = x + (1 + overshoot) * the summed steps, to land past the boundary")
        .at_least(0)
        .param(&Params::iterations, "iterations", 50, "most steps per sample")
        .at_least(1)
        .input(kModel, "classifier to attack")
        .input(kData, "labelled images")
        .output(kAdversarial,
                "perturbed samples; extra/iterations is the steps taken per sample (0 where "
                "the model was wrong on the clean image)");
  }

  explicit DeepFool(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    if (net.num_classes() < 2) throw Error("", "deepfool needs a model of at least two classes");
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    const at::Tensor original_prediction = predict(net, samples.images, p_.batch);
    const at::Tensor attacked = original_prediction.eq(samples.labels).nonzero().flatten();
    at::Tensor adversarial = samples.images.clone();
    at::Tensor iterations = torch::zeros({samples.size()}, torch::kLong);
    const auto progress = ctx.progress("samples", attacked.numel());
    for (std::int64_t start = 0; start < attacked.numel(); start += p_.batch) {
      const at::Tensor rows =
          attacked.narrow(0, start, std::min(p_.batch, attacked.numel() - start));
      const BatchResult result = attack_batch(net, samples.images.index_select(0, rows),
                                              samples.labels.index_select(0, rows));
      adversarial.index_copy_(0, rows, result.adversarial);
      iterations.index_copy_(0, rows, result.iterations);
      progress->advance(rows.numel());
    }
    AdversarialSet set = adversarial_set(net, samples, adversarial, no_targets(samples.labels),
                                         p_.batch, original_prediction);
    set.extra["iterations"] = iterations;
    ctx.log(attack_summary(set));
    out.put(kAdversarial, std::move(set));
  }

  // DeepFool on samples the model classifies correctly; a sample stops once it is fooled.
  BatchResult attack_batch(const Classifier& net, const at::Tensor& x,
                           const at::Tensor& labels) const {
    const at::Tensor others = other_candidates(net, x, labels);
    at::Tensor adversarial = x.clone(), r_total = torch::zeros_like(x);
    at::Tensor iterations = torch::zeros({x.size(0)}, torch::kLong);
    at::Tensor active = torch::arange(x.size(0), torch::kLong);
    for (std::int64_t i = 0; i < p_.iterations && active.numel() > 0; ++i) {
      const Step step =
          deepfool_step(net, adversarial.index_select(0, active), labels.index_select(0, active),
                        others.index_select(0, active));
      const at::Tensor still = step.fooled.logical_not();
      active = active.masked_select(still);
      r_total.index_add_(0, active, step.r.index({still}));
      const at::Tensor moved =
          x.index_select(0, active) + (1 + p_.overshoot) * r_total.index_select(0, active);
      adversarial.index_copy_(0, active, moved.clamp(0, 1));
      iterations.index_add_(0, active, torch::ones_like(active));
    }
    return {adversarial, iterations};
  }

  // int64 [n, K - 1]: the candidate classes other than the label, K = the candidates in play.
  at::Tensor other_candidates(const Classifier& net, const at::Tensor& x,
                              const at::Tensor& labels) const {
    const std::int64_t classes = net.num_classes();
    const std::int64_t k = p_.candidates >= classes ? classes : p_.candidates;
    torch::NoGradGuard no_grad;
    // The label goes first whatever the ties; it is the top class of every attacked sample.
    const at::Tensor logits =
        net.logits(x).scatter(1, labels.unsqueeze(1), std::numeric_limits<float>::infinity());
    return std::get<1>(logits.topk(k, 1)).narrow(1, 1, k - 1);
  }

  // At `x`: for each other candidate k, f_k = Z_k - Z_label and w_k its input gradient; the
  // step is (|f_l| / ||w_l|| + 1e-4) * w_l / ||w_l|| for the l of the smallest |f_l| / ||w_l||.
  Step deepfool_step(const Classifier& net, const at::Tensor& x, const at::Tensor& labels,
                     const at::Tensor& others) const {
    torch::AutoGradMode grad_on(true);
    const at::Tensor input = x.detach().requires_grad_(true);
    const at::Tensor logits = net.logits(input);
    const at::Tensor fooled = logits.argmax(1).ne(labels);
    const at::Tensor f =
        (logits.gather(1, others) - logits.gather(1, labels.unsqueeze(1))).detach();
    const at::Tensor w = candidate_gradients(logits, input, labels, others);  // [n, K - 1, D]
    const at::Tensor norm = w.norm(2, 2);
    const at::Tensor infinite = torch::full_like(norm, std::numeric_limits<float>::infinity());
    const at::Tensor distance = torch::where(norm.gt(0), f.abs() / norm, infinite);
    const at::Tensor nearest = distance.argmin(1, /*keepdim=*/true);
    const at::Tensor w_l = w.gather(1, nearest.unsqueeze(2).expand({-1, 1, w.size(2)})).squeeze(1);
    const at::Tensor norm_l = norm.gather(1, nearest).squeeze(1);
    const at::Tensor f_l = f.gather(1, nearest).squeeze(1);
    // A zero gradient gives no direction: such a sample stays where it is.
    const at::Tensor scale = torch::where(
        norm_l.gt(0), (f_l.abs() / norm_l + kPastBoundary) / norm_l, torch::zeros_like(norm_l));
    return {(scale.unsqueeze(1) * w_l).view_as(x), fooled};
  }

  // [n, K - 1, D]: the gradient of Z_k - Z_label for each other candidate slot, one backward pass
  // per slot on the sum over the batch (each sample's logits depend on that sample only).
  static at::Tensor candidate_gradients(const at::Tensor& logits, const at::Tensor& input,
                                        const at::Tensor& labels, const at::Tensor& others) {
    const at::Tensor label_logit = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
    std::vector<at::Tensor> gradients;
    for (std::int64_t slot = 0; slot < others.size(1); ++slot) {
      const at::Tensor difference =
          logits.gather(1, others.narrow(1, slot, 1)).squeeze(1) - label_logit;
      const bool last = slot + 1 == others.size(1);
      gradients.push_back(
          torch::autograd::grad({difference.sum()}, {input}, {}, /*retain_graph=*/!last)[0].flatten(
              1));
    }
    return torch::stack(gradients, 1);
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(DeepFool, "deepfool", attack, "1")
