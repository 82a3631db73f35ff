// The gaussian attack plugin: the paper's noise baseline, x' = x + N(0, stddev^2) per pixel.
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

/// The ports of the gaussian node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<AdversarialSet> kAdversarial{"adversarial"};

/// The gaussian node: adds seeded Gaussian noise to each sample and records what it did.
class Gaussian final : public Node {
 public:
  struct Params {
    SampleSelection samples;
    std::int64_t batch;
    double stddev;
    bool clip;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>("Gaussian noise baseline: x' = x + N(0, stddev^2) per pixel");
    return selection_params(schema, &Params::samples, "test")
        .param(&Params::batch, "batch", 500, "samples per forward pass")
        .at_least(1)
        .untracked()
        .param(&Params::stddev, "stddev", 0.1,
               "standard deviation of the noise in pixel units. Success means the label changed; "
               "samples the model already misclassifies never succeed")
        .at_least(0)
        .param(&Params::clip, "clip", false,
               "clip x' into [0, 1] (off by default: the paper's rows read as unclipped)")
        .input(kModel, "classifier that judges the noisy samples")
        .input(kData, "labelled images")
        .output(kAdversarial,
                "noisy samples; distortion is the RMS achieved, extra/stddev the "
                "requested one");
  }

  explicit Gaussian(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    // The host seeds LibTorch's generator per node, so the noise is reproducible.
    const at::Tensor noisy = samples.images + torch::randn_like(samples.images) * p_.stddev;
    AdversarialSet set = adversarial_set(net, samples, p_.clip ? noisy.clamp(0, 1) : noisy,
                                         no_targets(samples.labels), p_.batch);
    set.extra["stddev"] = torch::full({set.size()}, p_.stddev, torch::kFloat);
    ctx.log(attack_summary(set));
    out.put(kAdversarial, std::move(set));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Gaussian, "gaussian", attack, "1")
