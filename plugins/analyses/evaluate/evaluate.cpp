// The evaluate analysis plugin: a model's error rate on each named split of a dataset.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the evaluate node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<Table> kErrors{"errors"};

/// The evaluate node: counts the samples of each split the model labels wrongly.
class Evaluate final : public Node {
 public:
  struct Params {
    std::vector<std::string> splits;
    std::int64_t batch;
  };

  static Schema describe() {
    return Schema::of<Params>("Error rate of a model on each split of a dataset")
        .param(&Params::splits, "splits", std::vector<std::string>{"train", "test"},
               "splits of the dataset to evaluate, one table row each")
        .param(&Params::batch, "batch", 1000, "samples per forward pass")
        .range(1, 1e6)
        .untracked()
        .input(kModel, "classifier to evaluate")
        .input(kData, "labelled images")
        .output(kErrors, "error (fraction), wrong and count per split");
  }

  explicit Evaluate(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& /*ctx*/) override {
    const Classifier& net = *in.get(kModel).net;
    const Dataset& data = in.get(kData);
    Table errors("Error rates", p_.splits, {"error", "wrong", "count"});
    errors.format("error", CellFormat::percent)
        .format("wrong", CellFormat::count)
        .format("count", CellFormat::count);
    for (std::size_t row = 0; row < p_.splits.size(); ++row) {
      const LabelledImages& split = data.split(p_.splits[row]);
      const auto count = static_cast<double>(split.size());
      const auto wrong = static_cast<double>(
          predict(net, split.images, p_.batch).ne(split.labels).sum().item<std::int64_t>());
      errors.set(row, 0, wrong / count);  // NaN for an empty split: it has no error rate
      errors.set(row, 1, wrong);
      errors.set(row, 2, count);
    }
    out.put(kErrors, std::move(errors));
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Evaluate, "evaluate", analysis, "1")
