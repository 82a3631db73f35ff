// The amplify plugin: rescales each perturbation of an adversarial set to a per-pixel RMS (Table
// 4).
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "blindspot/attack_support.hpp"
#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the amplify node.
const Port<AdversarialSet> kSet{"set"};
const Port<Model> kModel{"model"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

/// The amplify node: x' = x + r * stddev / rms(r), clipped, and judged again by the model.
class Amplify final : public Node {
 public:
  struct Params {
    double stddev;
    bool clip;
    std::int64_t batch;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Rescales each perturbation r = x' - x of an adversarial set to a per-pixel RMS "
               "of stddev and judges it again (Table 4's amplified rows)")
        .param(&Params::stddev, "stddev", 0.1,
               "per-pixel RMS of each rescaled perturbation: r * stddev / rms(r), rms(r) = "
               "sqrt(mean(r^2)). The paper's x + 0.1 r/||r|| is read as a per-pixel stddev of "
               "0.1, since 0.1 r/||r||_2 would move a 28x28 image by an RMS of only 0.0036")
        .above(0)
        .param(&Params::clip, "clip", true,
               "clip x' into [0, 1]; the distortion then records the RMS achieved, which can be "
               "below stddev")
        .param(&Params::batch, "batch", 1000, "samples per forward pass")
        .at_least(1)
        .untracked()
        .input(kSet, "adversarial set to amplify")
        .input(kModel, "the model the set was made for; judges the amplified samples")
        .output(kAdversarial,
                "the set with new adversarial, prediction, success (a success of the given set "
                "that the model still gets wrong, whatever the label), distortion (the RMS "
                "achieved), extra/scale (the factor applied; 1 for a zero perturbation, which "
                "stays zero) and extra/on_target (1 where a target is still reached); other fields "
                "and extras are kept");
  }

  explicit Amplify(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const AdversarialSet& given = in.get(kSet);
    const Classifier& net = *in.get(kModel).net;
    AdversarialSet set = given;
    const at::Tensor r = given.perturbation().to(torch::kDouble).flatten(1);
    const at::Tensor rms = r.pow(2).mean(1).sqrt();
    const at::Tensor scale = torch::where(rms.gt(0), p_.stddev / rms, torch::ones_like(rms));
    const at::Tensor moved =
        given.original.to(torch::kDouble) + (r * scale.unsqueeze(1)).view_as(given.original);
    set.adversarial = (p_.clip ? moved.clamp(0, 1) : moved).to(torch::kFloat);
    set.prediction = predict(net, set.adversarial, p_.batch);
    // An amplified example succeeds while it still fools the model: it is judged untargeted,
    // since rescaling can carry a targeted example past its target into another class.
    const at::Tensor fooled =
        judge_success(set.labels, set.original_prediction, set.prediction, no_targets(set.labels));
    set.success = fooled.logical_and(given.success).to(torch::kUInt8);
    set.extra["on_target"] =
        set.target.ne(-1).logical_and(set.prediction.eq(set.target)).to(torch::kUInt8);
    set.distortion = AdversarialSet::rms_distortion(set.original, set.adversarial);
    set.extra["scale"] = scale.to(torch::kFloat);
    log_summary(given, set, net, in.source(kModel.name), ctx);
    out.put(kAdversarial, std::move(set));
  }

  // Successes before and after, and a warning when the model is not the one the set was made for.
  void log_summary(const AdversarialSet& given, const AdversarialSet& amplified,
                   const Classifier& net, const std::string& model, RunContext& ctx) const {
    const std::int64_t disagree = predict(net, given.original, p_.batch)
                                      .ne(given.original_prediction)
                                      .sum()
                                      .item<std::int64_t>();
    if (disagree)
      ctx.log("model '" + model + "' disagrees with the set's original predictions on " +
              std::to_string(disagree) + " samples: is it the model the set was made for?");
    // Only the set's successes are amplified into successes, so they are the count to judge by.
    const std::int64_t won = amplified.success.sum().item<std::int64_t>(),
                       before = given.success.sum().item<std::int64_t>();
    char percent[32] = "";
    if (before > 0) std::snprintf(percent, sizeof percent, " (%.1f%%)", 100.0 * won / before);
    ctx.log(std::to_string(won) + " of " + std::to_string(before) +
            " successes still succeed amplified" + percent + ", " +
            std::to_string(amplified.size() - before) + " samples were not successes before");
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Amplify, "amplify", attack, "1")
