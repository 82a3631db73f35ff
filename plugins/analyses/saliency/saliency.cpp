// The saliency analysis plugin: Baehrens et al.'s explanation vectors, the gradient of the
// predicted class's probability with respect to the input image.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/samples.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the saliency node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<Arrays> kSaliency{"saliency"};

/// The saliency node: d softmax(logits)[predicted] / d image for each selected sample.
class Saliency final : public Node {
 public:
  struct Params {
    SampleSelection samples;
    std::vector<std::int64_t> positions;
    std::int64_t batch;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "Explanation vectors (Baehrens et al. 2010): the gradient of the predicted class's "
        "probability (softmax of the logits, not the logit) with respect to each input pixel");
    return selection_params(schema, &Params::samples, "test", "explain", 16)
        .param(&Params::positions, "positions", std::vector<std::int64_t>{},
               "positions in the split of the samples to explain; when given, count and offset "
               "are ignored")
        .at_least(0)
        .param(&Params::batch, "batch", 500, "samples per forward and backward pass")
        .at_least(1)
        .untracked()
        .input(kModel, "classifier to explain")
        .input(kData, "labelled images")
        .output(kSaliency,
                "images and saliency [N, C, H, W] (float32), labels, predictions, "
                "indices (in the source), positions (in the split) [N] (int64), "
                "probabilities [N, classes] (softmax, float32)");
  }

  explicit Saliency(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const Dataset& data = in.get(kData);
    const at::Tensor positions = chosen_positions(data, ctx);
    const LabelledImages& split = data.split(p_.samples.split);
    const at::Tensor images = split.images.index_select(0, positions);

    std::vector<at::Tensor> saliency, probabilities;
    for (std::int64_t start = 0; start < images.size(0); start += p_.batch) {
      const std::int64_t count = std::min(p_.batch, images.size(0) - start);
      const auto [gradient, probability] = explain(net, images.narrow(0, start, count));
      saliency.push_back(gradient);
      probabilities.push_back(probability);
    }
    Arrays result;
    result.title = fmt::format("Gradient of the predicted class's probability for {} '{}' images",
                               images.size(0), p_.samples.split);
    result.values["images"] = images;
    result.values["saliency"] = torch::cat(saliency);
    result.values["probabilities"] = torch::cat(probabilities);
    result.values["predictions"] = result.values["probabilities"].argmax(1);
    result.values["labels"] = split.labels.index_select(0, positions);
    result.values["indices"] = split.indices.index_select(0, positions);
    result.values["positions"] = positions;
    out.put(kSaliency, std::move(result));
  }

  /// Int64 [N]: the explicit positions, or [offset, offset + count) of the split.
  at::Tensor chosen_positions(const Dataset& data, RunContext& ctx) const {
    const std::int64_t size = data.split(p_.samples.split).size();
    if (p_.positions.empty()) {
      const std::int64_t count = select_samples(data, p_.samples, ctx).size();
      return torch::arange(p_.samples.offset, p_.samples.offset + count, torch::kLong);
    }
    for (std::int64_t position : p_.positions)
      if (position >= size)
        throw Error("", fmt::format("position {} is past the end of split '{}' ({} samples)",
                                    position, p_.samples.split, size));
    return torch::tensor(p_.positions, torch::kLong);
  }

  /// The gradient of each image's predicted-class probability, and every class's probability.
  static std::pair<at::Tensor, at::Tensor> explain(const Classifier& net,
                                                   const at::Tensor& images) {
    torch::AutoGradMode enable(true);
    const at::Tensor x = images.detach().clone().requires_grad_(true);
    const at::Tensor probabilities = torch::softmax(net.logits(x), 1);
    const at::Tensor predicted = probabilities.argmax(1, /*keepdim=*/true).detach();
    // Each probability depends on its own image only, so one backward pass gives every gradient.
    const at::Tensor chosen = probabilities.gather(1, predicted).sum();
    return {torch::autograd::grad({chosen}, {x})[0], probabilities.detach()};
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Saliency, "saliency", analysis, "1")
