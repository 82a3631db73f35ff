// The transfer analysis plugin: the error each adversarial set induces on each model (Table 2).
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the transfer node.
const Port<AdversarialSet> kSets{"sets"};
const Port<AdversarialSet> kBaselines{"baselines"};
const Port<Model> kModels{"models"};
const Port<Table> kTransfer{"transfer"};
const Port<Table> kCounts{"counts"};

/// One row of the transfer table: a set's counted samples, and whether it is a baseline.
struct Row {
  std::string name;
  at::Tensor original, adversarial, labels, distortion;
  bool baseline;
};

/// Errors and counted samples of one row on one model.
struct Cell {
  std::int64_t errors, counted;
};

/// A rate that is NaN when nothing was counted.
double ratio(double part, std::int64_t whole) {
  return whole ? part / static_cast<double>(whole) : std::numeric_limits<double>::quiet_NaN();
}

/// The transfer node: feeds every set to every model and counts the errors.
class Transfer final : public Node {
 public:
  struct Params {
    std::int64_t batch;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Error rate each adversarial set induces on each model (Table 2). A counted sample "
               "is an error when the model's prediction on x' is not its true label. An attack "
               "set counts its successful samples (success = 1), so the model it was made for "
               "scores 100%; a baseline set counts every sample the column's model classifies "
               "correctly before the noise, so a model's own mistakes are not blamed on the noise")
        .param(&Params::batch, "batch", 1000, "samples per forward pass")
        .at_least(1)
        .untracked()
        .inputs(kSets, "attack sets, one row each (row name: the node's name)")
        .inputs(kBaselines,
                "noise sets (gaussian), one row each after the attack sets; "
                "[] for none")
        .inputs(kModels, "models fed every set, one column each (the node's name)")
        .output(kTransfer,
                "error rate per set (row) and model (column), NaN when nothing is counted; "
                "last column distortion: the mean per-pixel RMS of the set's counted "
                "samples (successes, or every sample of a baseline)")
        .output(kCounts,
                "samples counted per set and model; last column samples: those the "
                "distortion averages");
  }

  explicit Transfer(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    std::vector<Row> rows;
    for (const auto& [name, set] : in.get_all(kSets))
      rows.push_back(counted_samples(name, *set, false));
    for (const auto& [name, set] : in.get_all(kBaselines))
      rows.push_back(counted_samples(name, *set, true));
    const auto models = in.get_all(kModels);
    if (rows.empty()) throw Error("", "sets and baselines are both empty; give at least one set");
    if (models.empty()) throw Error("", "models is empty; give at least one model to feed");

    std::vector<std::string> row_names, model_names;
    for (const Row& row : rows) row_names.push_back(row.name);
    for (const auto& [name, model] : models) model_names.push_back(name);
    std::vector<std::string> rate_columns = model_names, count_columns = model_names;
    rate_columns.push_back("distortion");
    count_columns.push_back("samples");
    Table rates("Error induced on each model (column) by each set (row)", row_names, rate_columns);
    Table counts("Samples counted per set (row) and model (column)", row_names, count_columns);
    // By position: the model columns are node names, which may be anything.
    rates.formats.assign(rate_columns.size(), CellFormat::percent);
    rates.formats.back() = CellFormat::distortion;
    counts.formats.assign(count_columns.size(), CellFormat::count);

    auto progress =
        ctx.progress("set-model pairs", static_cast<std::int64_t>(rows.size() * models.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t m = 0; m < models.size(); ++m) {
        const Cell cell = evaluate(rows[r], *models[m].second->net);
        rates.set(r, m, ratio(static_cast<double>(cell.errors), cell.counted));
        counts.set(r, m, static_cast<double>(cell.counted));
        progress->advance();
      }
      const std::int64_t samples = rows[r].labels.size(0);
      rates.set(r, models.size(), ratio(rows[r].distortion.sum().item<double>(), samples));
      counts.set(r, models.size(), static_cast<double>(samples));
    }
    out.put(kTransfer, std::move(rates));
    out.put(kCounts, std::move(counts));
  }

  // The samples a row counts: an attack set's successes, a baseline's every sample.
  static Row counted_samples(const std::string& name, const AdversarialSet& set, bool baseline) {
    const at::Tensor keep =
        baseline ? torch::arange(set.size()) : set.success.to(torch::kBool).nonzero().flatten();
    return {name,
            set.original.index_select(0, keep),
            set.adversarial.index_select(0, keep),
            set.labels.index_select(0, keep),
            set.distortion.to(torch::kDouble).index_select(0, keep),
            baseline};
  }

  // A baseline counts only the samples this model gets right before the noise.
  Cell evaluate(const Row& row, const Classifier& net) const {
    const at::Tensor wrong = predict(net, row.adversarial, p_.batch).ne(row.labels);
    const at::Tensor counted = row.baseline ? predict(net, row.original, p_.batch).eq(row.labels)
                                            : torch::ones_like(wrong);
    return {wrong.logical_and(counted).sum().item<std::int64_t>(),
            counted.sum().item<std::int64_t>()};
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Transfer, "transfer", analysis, "1")
